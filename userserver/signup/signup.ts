// Sign-up for stock clients (spec §6.3 step 4): a person asks for a codeword with an e-mail
// address (register.pl); a free serial is reserved for it in the user database and the codeword
// e-mailed, or shown when no SmtpServer is configured; WorldsPlayer then trades the codeword for
// the serial (codeword.pl) and registers with it. Limits: requests per client address and per
// e-mail address, wrong codewords per client address, codewords expire.

import type { AdminStore } from '../../runtime/db/admin-types.js';
import { describe } from '../../runtime/lifecycle.js';
import { newCodeword, normalizeCodeword } from './codeword.js';
import type { SignupSettings } from './config.js';
import { WindowCounter } from './limits.js';
import { smtpSender, type MailSender } from './mail.js';

export interface SignupConfig extends SignupSettings {
  serverName: string;
  bindAddr: string | null;
  http: { smtp: string | null; mailDomain: string | null };
}

export interface SignupLog {
  event(text: string): void;
  error(who: string | null, text: string): void;
}

export type RequestOutcome =
  | { kind: 'mailed'; email: string; validMinutes: number }
  | { kind: 'shown'; codeword: string; validMinutes: number }
  | {
      kind: 'refused';
      reason: 'address-limit' | 'email-limit' | 'no-serial' | 'mail-failed' | 'database';
      minutes?: number;
    };

export type RedeemOutcome = { ok: true; serial: string } | { ok: false; reason: 'no-match' | 'too-many' | 'database' };

/** Plain counters an operator would want to see (refusals especially); userserver/stats.ts reads them. */
export class SignupCounters {
  requests = 0;
  codewordsMailed = 0;
  codewordsShown = 0;
  refusedAddressLimit = 0;
  refusedEmailLimit = 0;
  refusedNoSerial = 0;
  mailFailures = 0;
  serialsAnswered = 0;
  wrongCodewords = 0;
  refusedCodewordLimit = 0;
  serialsReleased = 0;
}

export class Signup {
  private readonly requestsByAddress = new WindowCounter();
  private readonly wrongByAddress = new WindowCounter();
  private mailer: { key: string; sender: MailSender | null } | null = null;
  private readonly noticed = new WindowCounter();

  constructor(
    private readonly db: AdminStore,
    private readonly cfg: () => Readonly<SignupConfig>,
    private readonly log: SignupLog,
    private readonly now: () => number = Date.now,
    /** The UserServer's, so that its statistics exist before the pages start. */
    readonly counters = new SignupCounters(),
  ) {}

  /** The sender for the current SmtpServer and MailDomain (a reload may change them). */
  private sender(): MailSender | null {
    const { smtp, mailDomain } = this.cfg().http;
    const key = `${smtp ?? ''} ${mailDomain ?? ''}`;
    if (this.mailer?.key !== key) this.mailer = { key, sender: smtpSender(smtp, mailDomain) };
    return this.mailer.sender;
  }

  /** A refusal is logged once per address and window, never once per request. */
  private refuse(address: string, what: string, windowMs: number): void {
    if (this.noticed.take(`${what} ${address}`, { count: 1, ms: windowMs }, this.now()))
      this.log.error(address, `sign-up refused: ${what} (further refusals of this address not logged for now)`);
  }

  async request(handshakeId: string, email: string, address: string): Promise<RequestOutcome> {
    const cfg = this.cfg();
    const now = this.now();
    this.counters.requests++;
    if (!this.requestsByAddress.take(address, cfg.signupAddressLimit, now)) {
      this.counters.refusedAddressLimit++;
      this.refuse(
        address,
        `more than ${cfg.signupAddressLimit.count} requests (SignupAddressLimit)`,
        cfg.signupAddressLimit.ms,
      );
      return {
        kind: 'refused',
        reason: 'address-limit',
        minutes: this.requestsByAddress.minutesLeft(address, cfg.signupAddressLimit, now),
      };
    }
    const codeword = newCodeword();
    const validMinutes = Math.round(cfg.signupExpiry.codewordMs / 60_000);
    let reserved;
    try {
      reserved = await this.db.reserveSerial({
        codeword,
        handshakeId,
        email,
        address,
        now: new Date(now),
        expiry: new Date(now + cfg.signupExpiry.codewordMs),
        emailSince: new Date(now - cfg.signupEmailLimit.ms),
        emailLimit: cfg.signupEmailLimit.count,
      });
    } catch (err) {
      this.log.error(address, `sign-up failed: ${describe(err)}`);
      return { kind: 'refused', reason: 'database' };
    }
    if (!reserved.ok) {
      if (reserved.reason === 'no-serial') {
        this.counters.refusedNoSerial++;
        this.log.error(
          'SerialNumbers',
          'sign-up refused: no free serial number is left; load more with scripts/SerialGen',
        );
        return { kind: 'refused', reason: 'no-serial' };
      }
      this.counters.refusedEmailLimit++;
      this.refuse(
        email,
        `more than ${cfg.signupEmailLimit.count} codewords for this e-mail address (SignupEmailLimit)`,
        cfg.signupEmailLimit.ms,
      );
      return { kind: 'refused', reason: 'email-limit' };
    }
    const serial = reserved.serialNumber;
    let sender: MailSender | null;
    try {
      sender = this.sender();
      await sender?.send({ to: email, codeword, serverName: cfg.serverName, validMinutes });
    } catch (err) {
      this.counters.mailFailures++;
      this.log.error(
        `SmtpServer ${cfg.http.smtp ?? ''}`,
        `codeword mail to ${email} failed: ${describe(err)}; check SmtpServer and MailDomain`,
      );
      await this.db.abandonSignup(serial).catch((e: unknown) => this.log.error(address, `sign-up: ${describe(e)}`));
      return { kind: 'refused', reason: 'mail-failed' };
    }
    const how = sender ? `mailed to ${email}` : `shown to ${address} (no SmtpServer)`;
    this.log.event(`sign-up: codeword for serial ${serial} ${how}, requested by ${address} for ${email}`);
    if (sender) {
      this.counters.codewordsMailed++;
      return { kind: 'mailed', email, validMinutes };
    }
    this.counters.codewordsShown++;
    return { kind: 'shown', codeword, validMinutes };
  }

  /** codeword.pl: the serial for a codeword the client got for its handshake id. */
  async redeem(handshakeId: string, typed: string, address: string): Promise<RedeemOutcome> {
    const cfg = this.cfg();
    const now = this.now();
    const limit = cfg.signupCodewordLimit;
    if (this.wrongByAddress.count(address, limit, now) >= limit.count) {
      this.counters.refusedCodewordLimit++;
      this.refuse(address, `more than ${limit.count} wrong codewords (SignupCodewordLimit)`, limit.ms);
      return { ok: false, reason: 'too-many' };
    }
    const codeword = normalizeCodeword(typed);
    let serial: string | null = null;
    try {
      if (codeword)
        serial = await this.db.redeemCodeword(
          handshakeId,
          codeword,
          new Date(now),
          new Date(now + cfg.signupExpiry.holdMs),
        );
    } catch (err) {
      this.log.error(address, `codeword check failed: ${describe(err)}`);
      return { ok: false, reason: 'database' };
    }
    if (serial === null) {
      this.counters.wrongCodewords++;
      this.wrongByAddress.take(address, limit, now);
      return { ok: false, reason: 'no-match' };
    }
    this.counters.serialsAnswered++;
    this.log.event(`sign-up: codeword answered with serial ${serial} to ${address}`);
    return { ok: true, serial };
  }

  /** Expired codewords and unused serials go back to the free serials; old records are forgotten. */
  async sweep(): Promise<void> {
    const cfg = this.cfg();
    const now = this.now();
    const keep = Math.max(cfg.signupEmailLimit.ms, 24 * 3_600_000);
    const r = await this.db.releaseSignups(new Date(now), new Date(now - keep));
    this.counters.serialsReleased += r.released;
    if (r.released > 0)
      this.log.event(
        `sign-up: ${r.released} reserved serials released (codewords expired or serials never registered)`,
      );
    const longest = Math.max(cfg.signupAddressLimit.ms, cfg.signupCodewordLimit.ms, cfg.signupEmailLimit.ms);
    for (const c of [this.requestsByAddress, this.wrongByAddress, this.noticed]) c.sweep(longest, now);
  }
}
