// The AdminStore methods of both backends, each forwarded as one `call` like the UserStore and
// RoomStore methods of `OperationStore` (sql.ts), which extends this class.

import type {
  AdminStore,
  DeletedAccount,
  HostAccountOutcome,
  HostAccountRequest,
  PrivilegeChange,
  ReportQuery,
  ReportRow,
  SignupOutcome,
  SignupRelease,
  SignupRequest,
  StatusChange,
  VipMembership,
} from './admin-types.js';
import type { OpArgs, OpName, OpResult } from './sql.js';

export abstract class AdminOperationStore implements AdminStore {
  protected abstract call<K extends OpName>(op: K, ...args: OpArgs<K>): Promise<OpResult<K>>;

  changePrivileges(userNameLower: string, add: number, remove: number): Promise<PrivilegeChange | null> {
    return this.call('changePrivileges', userNameLower, add, remove);
  }
  setAccountStatus(userNameLower: string, status: 0 | 1): Promise<StatusChange | null> {
    return this.call('setAccountStatus', userNameLower, status);
  }
  setStatusByEmail(emailLower: string, status: 0 | 1): Promise<StatusChange[]> {
    return this.call('setStatusByEmail', emailLower, status);
  }
  deleteAccount(userNameLower: string): Promise<DeletedAccount | null> {
    return this.call('deleteAccount', userNameLower);
  }
  createHostAccount(r: HostAccountRequest): Promise<HostAccountOutcome> {
    return this.call('createHostAccount', r);
  }
  report(q: ReportQuery): Promise<ReportRow[]> {
    return this.call('report', q);
  }
  recordLogin(userNameLower: string, address: string, now: Date): Promise<void> {
    return this.call('recordLogin', userNameLower, address, now);
  }
  vipMembership(userNameLower: string): Promise<VipMembership | null> {
    return this.call('vipMembership', userNameLower);
  }
  setVipMembership(userNameLower: string, m: VipMembership): Promise<PrivilegeChange | null> {
    return this.call('setVipMembership', userNameLower, m);
  }
  cancelVipMembership(userNameLower: string): Promise<PrivilegeChange | null> {
    return this.call('cancelVipMembership', userNameLower);
  }
  expireVip(userNameLower: string, now: Date): Promise<number | null> {
    return this.call('expireVip', userNameLower, now);
  }
  reserveSerial(r: SignupRequest): Promise<SignupOutcome> {
    return this.call('reserveSerial', r);
  }
  redeemCodeword(handshakeId: string, codeword: string, now: Date, holdUntil: Date): Promise<string | null> {
    return this.call('redeemCodeword', handshakeId, codeword, now, holdUntil);
  }
  abandonSignup(serialNumber: string): Promise<void> {
    return this.call('abandonSignup', serialNumber);
  }
  releaseSignups(now: Date, forgetBefore: Date): Promise<SignupRelease> {
    return this.call('releaseSignups', now, forgetBefore);
  }
}
