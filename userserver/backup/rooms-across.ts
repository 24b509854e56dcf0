// Rooms of the channels the other WorldServer serves (guide steps 2-5; protocol/BACKUP.md
// "Channels and room ids"): asked for over the backup link, their ids (of the other side's half)
// held here and released there; and the other side's requests for rooms of our channels, answered
// from the directory and held for it.

import { channelOwner, inRange, roomIdRange, type BackupMessageOf } from '../../protocol/backup.js';
import { RoomAnswerKind } from '../../protocol/link.js';
import { parseRoomName } from '../../protocol/names.js';
import { PEER_ANSWER_MS, type PeerContext } from './context.js';
import { PeerRoomIds, type PeerRelease } from './room-ids.js';

export type PeerRoomAnswer =
  { ok: true; id: number; ip: string; port: number } | { ok: false; exhausted: boolean; reason: string };

export class RoomsAcross {
  /** Ids of the other side's half held here. */
  readonly ids = new PeerRoomIds();

  constructor(private readonly ctx: PeerContext) {}

  /** The room belongs to a channel the other WorldServer serves (its suffix). */
  serves(name: string): boolean {
    const parsed = parseRoomName(name);
    return parsed !== null && channelOwner(parsed.channel, this.ctx.suffix) === 'peer';
  }

  /** Asks the other side for a room of its channels (guide step 3); the id is noted as received. */
  async there(name: string): Promise<PeerRoomAnswer> {
    const link = this.ctx.upLink;
    if (!link)
      return { ok: false, exhausted: false, reason: `${this.ctx.other}, which serves this channel, is not reachable` };
    const a = await link.request('ROOM_ANS', (reqId) => ({ kind: 'ROOM_REQ', reqId, name }), PEER_ANSWER_MS);
    if (a === null) return { ok: false, exhausted: false, reason: `${this.ctx.other} did not answer a room request` };
    if (a.answer !== RoomAnswerKind.ELSEWHERE)
      return { ok: false, exhausted: a.answer === RoomAnswerKind.EXHAUSTED, reason: `${this.ctx.other}: ${a.reason}` };
    const theirs = roomIdRange(this.ctx.role === 'server' ? 'client' : 'server');
    if (!inRange(a.room, theirs)) {
      link.close(`room id ${a.room} outside the other side's range ${theirs.first}-${theirs.last}`);
      return { ok: false, exhausted: false, reason: `${this.ctx.other} answered an id outside its range` };
    }
    if (link !== this.ctx.upLink)
      return { ok: false, exhausted: false, reason: `the link to ${this.ctx.other} was lost` };
    this.ids.answered(a.room, name);
    return { ok: true, id: a.room, ip: a.ip, port: a.port };
  }

  /** A room request from the other side: its id and RoomServer here, held for it (guide step 4). */
  here(name: string, link: object): Omit<BackupMessageOf<'ROOM_ANS'>, 'kind' | 'reqId'> {
    const none = (answer: number, reason: string) => ({ answer, room: 0, ip: '', port: 0, reason });
    const parsed = parseRoomName(name);
    if (!parsed) return none(RoomAnswerKind.NONE, `${JSON.stringify(name)} is not a World#Room name`);
    if (channelOwner(parsed.channel, this.ctx.suffix) !== 'local')
      return none(RoomAnswerKind.NONE, `channel ${parsed.channel} is not served by ${this.ctx.us.cfg.serverName}`);
    const a = this.ctx.us.directory.assign(name, Date.now());
    if (!a.ok) {
      if (a.exhausted) this.ctx.us.rooms.logExhausted();
      return none(a.exhausted ? RoomAnswerKind.EXHAUSTED : RoomAnswerKind.NONE, a.reason);
    }
    this.ctx.us.directory.grant(link, a.id);
    return { answer: RoomAnswerKind.ELSEWHERE, room: a.id, ip: a.server.usersIp, port: a.server.usersPort, reason: '' };
  }

  /** Ids of the other side's half that nobody here holds any more go back to it. */
  released(rs: readonly PeerRelease[]): void {
    for (const r of rs) this.ctx.upLink?.send({ kind: 'ROOM_RELEASE', room: r.room, grants: r.grants });
  }

  /** ROOM_RELEASE from one of our RoomServers for an id of the other side's half. */
  releasedBy(server: object, room: number, seen: number): void {
    const r = this.ids.release(server, room, seen);
    if (r) this.released([r]);
  }

  /** An answer nobody could be given (the asker left meanwhile). */
  abandon(room: number): void {
    const r = this.ids.abandon(room);
    if (r) this.released([r]);
  }

  /** A client connection closed or a RoomServer left: the ids only it held go back. */
  dropHolder(holder: object): void {
    this.released(this.ids.dropHolder(holder));
  }

  /** ROOM_HOLD from the other side, after the link formed: it keeps its id for that room here. */
  hold(room: number, name: string): void {
    const link = this.ctx.upLink;
    if (!link) return;
    const r = this.ctx.us.directory.adopt(link, room, name, Date.now());
    if (r !== 'held')
      this.ctx.us.logLimit.error(
        'room ids',
        `backup room hold ${r}`,
        `${this.ctx.other} holds room id ${room} for ${name}, ${r === 'conflict' ? 'which names another room here by now (its clients that saw the old room may confuse them until they reconnect)' : 'not an id of this side'}`,
        'backup',
      );
  }
}
