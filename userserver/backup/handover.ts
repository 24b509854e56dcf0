// A user's session moving to the other WorldServer (guide "Redundant WorldServer Operation", steps
// 4-8): what the giving side sends in CLAIM_ANS and how the taking side makes an active user of
// it. The usage not yet written travels with it (timesOn counted or not, time accounted up to), so
// the side holding the session writes it and nothing is counted twice (protocol/BACKUP.md).

import { kindCode, kindOf, type BackupMessageOf } from '../../protocol/backup.js';
import { activeUser, type ActiveUser } from '../users.js';
import type { PeerUser } from './roster.js';

export type HandoverRecord = Omit<BackupMessageOf<'RETURN'>, 'kind' | 'reqId'>;

/** The record of a refused CLAIM: nothing moves. */
export const NO_RECORD: Readonly<HandoverRecord> = Object.freeze({
  name: '',
  session: '',
  loginAt: 0,
  replaces: '',
  accountKind: 0,
  privileges: 0,
  serial: '',
  clientVersion: '',
  address: '',
  channel: '',
  verifier: Buffer.alloc(0),
  accountedUntil: 0,
  timesOnCounted: 0,
  props: [],
  propsDirty: 0,
  buddies: [],
  guestSlot: 0,
});

/** Who the session is, as USER_ON and CLAIM_ANS say it. */
export function sessionStamp(u: ActiveUser) {
  return {
    name: u.name,
    session: u.session,
    loginAt: u.loginAt.getTime(),
    replaces: u.replaces,
    accountKind: kindCode(u.kind),
    privileges: u.privileges,
  };
}

/** The roster entry of a session the other side holds from now on. */
export function rosterEntry(u: ActiveUser): PeerUser {
  return {
    name: u.name,
    key: u.key,
    session: u.session,
    loginAt: u.loginAt.getTime(),
    replaces: u.replaces,
    kind: u.kind,
    privileges: u.privileges,
    address: u.address,
  };
}

export function handoverRecord(u: ActiveUser): HandoverRecord {
  return {
    ...sessionStamp(u),
    serial: u.serial ?? '',
    clientVersion: u.clientVersion,
    address: u.address,
    channel: u.channel,
    verifier: u.verifier,
    accountedUntil: Math.round(u.accountedUntil),
    timesOnCounted: u.timesOnCounted ? 1 : 0,
    props: [...u.props.values()],
    propsDirty: u.propsDirty ? 1 : 0,
    buddies: [...u.buddies.values()],
    guestSlot: u.guestSlot ?? 0,
  };
}

/** The session as it arrives here (not yet in the active users; its friends list to be indexed). */
export function arrivedUser(r: HandoverRecord, guestSlot: number | null): ActiveUser | null {
  const kind = kindOf(r.accountKind);
  if (!kind) return null;
  const u = activeUser(
    {
      name: r.name,
      session: r.session,
      replaces: r.replaces,
      kind,
      privileges: r.privileges,
      channel: r.channel,
      serial: r.serial === '' ? null : r.serial,
      clientVersion: r.clientVersion,
      address: r.address,
      props: new Map(r.props.map((p) => [p.id, p])),
      verifier: r.verifier,
      client: null,
      guestSlot,
    },
    r.loginAt,
  );
  u.accountedUntil = r.accountedUntil;
  u.timesOnCounted = r.timesOnCounted !== 0;
  u.propsDirty = r.propsDirty !== 0;
  return u;
}
