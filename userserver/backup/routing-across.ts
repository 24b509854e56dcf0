// Routing across the two WorldServers (AG-18, AG-20, AG-23): whispers to users the other side holds
// (and their answers), broadcasts, boots and the bans they make, each way.

import type { BackupMessageOf } from '../../protocol/backup.js';
import type { Ban } from '../../runtime/bans.js';
import type { BootResult, Delivery, PeerRouting } from '../routing.js';
import { PEER_ANSWER_MS, type PeerContext } from './context.js';

export class RoutingAcross implements PeerRouting {
  constructor(private readonly ctx: PeerContext) {}

  holds(key: string): boolean {
    return this.ctx.roster.has(key);
  }

  /** Whisper to a user the other side holds; null when it holds no such user. */
  whisper(from: string, to: string, text: string): Promise<Delivery> | null {
    const p = this.ctx.roster.get(to.toLowerCase());
    const link = this.ctx.upLink;
    if (!p || !link) return null;
    this.ctx.counts.whispersOut++;
    return link
      .request('WHISPER_ANS', (reqId) => ({ kind: 'WHISPER', reqId, from, to: p.name, text }), PEER_ANSWER_MS)
      .then((a) =>
        a === null
          ? { delivered: false, reason: `${to} is on ${this.ctx.other}, which did not answer` }
          : a.delivered
            ? { delivered: true }
            : { delivered: false, reason: a.reason },
      );
  }

  broadcast(from: string, text: string): boolean {
    const link = this.ctx.upLink;
    if (!link) return false;
    link.send({ kind: 'BROADCAST', from, text });
    return true;
  }

  /** AG-20 for a user the other side holds; null when it holds no such user. */
  boot(by: string, name: string): Promise<BootResult> | null {
    const p = this.ctx.roster.get(name.toLowerCase());
    const link = this.ctx.upLink;
    if (!p || !link) return null;
    return link
      .request('BOOT_ANS', (reqId) => ({ kind: 'BOOT', reqId, by, name: p.name }), PEER_ANSWER_MS)
      .then((a) =>
        a === null
          ? { ok: false, message: `${p.name} is on ${this.ctx.other}, which did not answer.` }
          : { ok: a.ok !== 0, message: a.message },
      );
  }

  /** Bans a boot made here hold on the other side too. */
  shareBans(bans: readonly Ban[]): void {
    for (const b of bans)
      this.ctx.upLink?.send({
        kind: 'BAN',
        banKind: b.kind === 'address' ? 1 : 0,
        value: b.value,
        until: b.until.getTime(),
        booted: b.booted,
        by: b.by,
        at: b.at.getTime(),
      });
  }

  /** WHISPER from the other side: to a user of ours. */
  whisperHere(m: BackupMessageOf<'WHISPER'>): BackupMessageOf<'WHISPER_ANS'> {
    this.ctx.counts.whispersIn++;
    const r = this.ctx.us.router.whisper(m.from, m.to, m.text);
    return { kind: 'WHISPER_ANS', reqId: m.reqId, delivered: r.delivered ? 1 : 0, reason: r.delivered ? '' : r.reason };
  }

  /** BAN from the other side: in force here too, and stored (BootBans). */
  banHere(m: BackupMessageOf<'BAN'>): void {
    const ban: Ban = {
      kind: m.banKind === 1 ? 'address' : 'name',
      value: m.value,
      until: new Date(m.until),
      booted: m.booted,
      by: m.by,
      at: new Date(m.at),
    };
    this.ctx.us.bans.restore(ban);
    this.ctx.us.storeBans([ban]);
  }
}
