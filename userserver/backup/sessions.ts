// A user's session moving between the two WorldServers (guide "Redundant WorldServer Operation",
// steps 4-8; protocol/BACKUP.md "Users across the two sides"): claimed by the side whose RoomServer
// the client logs in to (CLAIM, the password checked against the session's verifier), offered back
// when its client is present only on the side it came from (RETURN), and the connections a client
// leaves behind on the side it left, which are told to let it go when the session ends.

import { timingSafeEqual } from 'node:crypto';
import { kindOf, type BackupMessageOf } from '../../protocol/backup.js';
import { Nak, type NakCode } from '../../protocol/constants.js';
import type { RoomServerLink } from '../links.js';
import type { ActiveUser, LinkPresence } from '../users.js';
import { PEER_ANSWER_MS, type PeerContext } from './context.js';
import { NO_RECORD, arrivedUser, handoverRecord, rosterEntry, type HandoverRecord } from './handover.js';
import type { PeerUser } from './roster.js';

export type ClaimResult = { ok: true; user: ActiveUser } | { ok: false; nak: NakCode; reason: string } | null;

export class SessionMoves {
  /**
   * Sessions handed over to the other side whose clients are still connected to RoomServers here
   * (a teleport leaves the old connection open a while), by name: taken back if the client stays
   * here (RETURN), told to go when the session ends there or cannot be reached.
   */
  private readonly departed = new Map<string, { name: string; session: string; servers: Set<LinkPresence> }>();
  /** Sessions taken in from the other side: only they may have a client left there. */
  private readonly arrivals = new WeakSet<ActiveUser>();

  constructor(private readonly ctx: PeerContext) {}

  /**
   * A client logs in to one of our RoomServers as a user the other side holds (it followed a
   * teleport there, guide steps 6-8): the other side checks the password against its session's
   * verifier and hands the session over. Null when it could not be asked.
   */
  async claim(p: PeerUser, password: string, address: string): Promise<ClaimResult> {
    const link = this.ctx.upLink;
    if (!link) return null;
    const a = await link.request(
      'CLAIM_ANS',
      (reqId) => ({
        kind: 'CLAIM',
        reqId,
        name: p.name,
        session: p.session,
        verifier: this.ctx.us.verifierOf(password),
        address,
      }),
      PEER_ANSWER_MS,
    );
    if (a === null) return null;
    if (a.nak !== 0) return { ok: false, nak: a.nak as NakCode, reason: a.reason };
    const here = this.ctx.us.users.get(a.name.toLowerCase());
    if (here) return { ok: true, user: here };
    const u = this.takeIn(a);
    if (!u) return { ok: false, nak: Nak.FATAL, reason: `unknown kind of account ${a.accountKind}` };
    // Present once its RoomServer says so (USER_JOINED); a client that never comes is logged off.
    this.ctx.us.checkPresence(u);
    this.ctx.us.log.event(`${u.name} arrived from ${this.ctx.other} (session handed over)`, {
      event: 'handover',
      user: u.name,
      address,
    });
    return { ok: true, user: u };
  }

  /** CLAIM from the other side: the session moves there if the password matches (guide step 5). */
  handOver(m: BackupMessageOf<'CLAIM'>): Omit<BackupMessageOf<'CLAIM_ANS'>, 'kind' | 'reqId'> {
    const refuse = (nak: number, reason: string) => ({ ...NO_RECORD, nak, reason });
    const u = this.ctx.us.users.get(m.name.toLowerCase());
    if (!u || u.session !== m.session)
      return refuse(Nak.NO_SUCH_USER, `${m.name} is not logged in on ${this.ctx.us.cfg.serverName}`);
    if (!(m.verifier.length === u.verifier.length && timingSafeEqual(m.verifier, u.verifier)))
      return refuse(Nak.BAD_PASSWORD, `wrong password for ${u.name}`);
    const record = this.giveAway(u);
    this.ctx.us.log.event(`${u.name} moved to ${this.ctx.other} (session handed over; it logs the logoff)`, {
      event: 'handover',
      user: u.name,
      address: m.address,
    });
    return { ...record, nak: 0, reason: '' };
  }

  /**
   * The client of a session held here is present nowhere here any more (its LogoffDelay is over).
   * If it came from the other side, it may still be connected to a RoomServer there (a client
   * that teleported back over a connection it had kept logs in nowhere): offered back, the session
   * goes on there. True when the other side took it; otherwise the caller logs the user off.
   */
  async offerBack(u: ActiveUser): Promise<boolean> {
    const link = this.ctx.upLink;
    if (!link || !this.arrivals.has(u)) return false;
    const record = handoverRecord(u);
    const a = await link.request('RETURN_ANS', (reqId) => ({ kind: 'RETURN', reqId, ...record }), PEER_ANSWER_MS);
    if (a?.ok !== 1 || this.ctx.us.users.get(u.key) !== u) return false;
    this.giveAway(u);
    this.ctx.us.log.event(
      `${u.name} went back to ${this.ctx.other}, whose RoomServer it is still on (session handed over)`,
      {
        event: 'handover',
        user: u.name,
        address: u.address,
      },
    );
    return true;
  }

  /** RETURN: taken when a RoomServer here still has the client of that session. */
  takeBack(m: BackupMessageOf<'RETURN'>): boolean {
    const key = m.name.toLowerCase();
    const d = this.departed.get(key);
    if (!d || d.session !== m.session || d.servers.size === 0 || this.ctx.us.users.get(key)) return false;
    const { kind: _kind, reqId: _reqId, ...record } = m;
    const u = this.takeIn(record);
    if (!u) return false;
    this.ctx.us.log.event(
      `${u.name} is back from ${this.ctx.other} (on RoomServer ${[...u.servers].map((l) => l.name).join(', ')})`,
      {
        event: 'handover',
        user: u.name,
        address: u.address,
      },
    );
    return true;
  }

  /**
   * The session leaves for the other side: its whole minutes so far are written here, the rest
   * travels with it; the RoomServers here still connected to its client are remembered.
   */
  private giveAway(u: ActiveUser): HandoverRecord {
    this.ctx.us.writeUsage(u);
    const record = handoverRecord(u);
    this.ctx.us.users.remove(u);
    if (u.guestSlot !== null) this.ctx.us.guests?.free(u.guestSlot);
    this.ctx.roster.set(rosterEntry(u));
    if (u.servers.size > 0) this.departed.set(u.key, { name: u.name, session: u.session, servers: new Set(u.servers) });
    this.ctx.counts.handedOver++;
    return record;
  }

  /**
   * A session arriving from the other side becomes one of ours, present on the RoomServers here
   * that still have its client from before it left.
   */
  private takeIn(r: HandoverRecord): ActiveUser | null {
    const slot = kindOf(r.accountKind) === 'guest' ? (this.ctx.us.guests?.takeName(r.name) ?? null) : null;
    const u = arrivedUser(r, slot);
    if (!u) return null;
    this.ctx.roster.delete(u.key, u.session);
    const d = this.departed.get(u.key);
    this.departed.delete(u.key);
    if (d?.session === u.session) for (const s of d.servers) u.servers.add(s);
    u.lastServer = [...u.servers].at(-1) ?? null;
    this.arrivals.add(u);
    this.ctx.us.users.add(u);
    for (const spelling of r.buddies) this.ctx.us.users.watch(u, spelling);
    this.ctx.counts.arrived++;
    return u;
  }

  /** A RoomServer here no longer has the client of a session that moved to the other side. */
  leftHere(key: string, server: LinkPresence): void {
    const d = this.departed.get(key);
    if (!d?.servers.delete(server) || d.servers.size > 0) return;
    this.departed.delete(key);
  }

  /** A RoomServer went away: it has none of those clients any more. */
  serverGone(server: LinkPresence): void {
    for (const [key, d] of this.departed)
      if (d.servers.delete(server) && d.servers.size === 0) this.departed.delete(key);
  }

  /** The session that moved away ended there (or cannot be reached): its client leaves our RoomServers too. */
  dismiss(key: string, session: string | null, reason: string): void {
    const d = this.departed.get(key);
    if (!d || (session !== null && d.session !== session)) return;
    this.departed.delete(key);
    for (const s of d.servers) (s as RoomServerLink).send({ kind: 'KICK', name: d.name, reason });
  }

  /** The link to the other side is lost: clients whose sessions went there log in again, here. */
  dismissAll(reason: string): void {
    for (const key of [...this.departed.keys()]) this.dismiss(key, null, reason);
  }
}
