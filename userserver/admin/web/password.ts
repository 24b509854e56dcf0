// The console's password, as a hash only: the configuration's scrypt hash as it is, or a plain
// password hashed when it arrives (at start, or at a reload) and then let go. Login attempts are
// checked against it on a hasher of the console's own, so that the console and the players'
// logins never wait for each other's hashing.

import { HashingOverloaded, PasswordHasher } from '../../passwords.js';
import type { AdminPasswordSetting } from './config.js';

export { HashingOverloaded };

/** What applying a configuration did. */
export type PasswordChange = 'unchanged' | 'on' | 'changed' | 'off';

/** Checks at once, and waiting, for the whole console; more are refused as overload. */
const CONCURRENT = 1;
const QUEUED = 32;

export class ConsolePassword {
  private hash: string | null = null;
  private readonly hasher: PasswordHasher;
  /** Configurations are applied one after another, in the order they were read. */
  private applying: Promise<unknown> = Promise.resolve();

  constructor(logN: number) {
    this.hasher = new PasswordHasher(logN, undefined, CONCURRENT, QUEUED);
  }

  get on(): boolean {
    return this.hash !== null;
  }

  /**
   * Follows the configuration: `plain` is the password a `{ form: 'plain' }` setting handed over
   * (it is hashed with cost `logN`, compared with the current one, and not kept).
   */
  apply(setting: AdminPasswordSetting | null, plain: string | null, logN: number): Promise<PasswordChange> {
    const next = this.applying.then(() => this.applyNow(setting, plain, logN));
    this.applying = next.catch(() => undefined);
    return next;
  }

  private async applyNow(
    setting: AdminPasswordSetting | null,
    plain: string | null,
    logN: number,
  ): Promise<PasswordChange> {
    const before = this.hash;
    let after: string | null;
    if (setting === null) after = null;
    else if (setting.form === 'hash') after = setting.hash;
    else if (plain === null) after = before;
    else if (before !== null && (await this.hasher.verify(plain, before, 'configuration')).ok) after = before;
    else {
      this.hasher.logN = logN;
      after = await this.hasher.hash(plain, 'configuration');
    }
    this.hash = after;
    if (before === after) return 'unchanged';
    if (before === null) return 'on';
    return after === null ? 'off' : 'changed';
  }

  /** Whether `candidate` is the password; throws HashingOverloaded when too many checks wait. */
  async verify(candidate: string, address: string): Promise<boolean> {
    const hash = this.hash;
    if (hash === null) return false;
    return (await this.hasher.verify(candidate, hash, address)).ok;
  }
}
