// What lies beyond this RoomServer. Stand-alone (no UserServer line, AG-25) the RoomServer is the
// whole galaxy: it checks names itself, owns the room ids and routes everything locally. With a
// UserServer (roomserver/link) the same questions are put to the UserServer over the link.

import { Nak, ServerType, type NakCode } from '../protocol/constants.js';
import { buddyNotify } from '../protocol/messages.js';
import type { NewProp } from '../protocol/props.js';
import type { BanList } from '../runtime/bans.js';
import type { Room } from './room.js';
import type { RoomKeeper } from './room-keeper.js';
import type { RoomUser } from './user.js';
import type { World } from './world.js';

export interface LoginRequest {
  /** Name as typed, Access prefix included. */
  loginName: string;
  /** Name shown to others (Access prefix removed). */
  name: string;
  /** null when the client sent none (anonymous servers). */
  password: string | null;
  clientVersion: string;
  address: string;
}

export type LoginDecision =
  | {
      ok: true;
      privileges: number;
      channel: string;
      props: NewProp[];
      /** Canonical spelling of the name, when the UserServer knows it. */
      name?: string;
      /** The login started the user's session in the galaxy (not a follow-on of a UserServer login). */
      newSession?: boolean;
    }
  | { ok: false; nak: NakCode; reason: string };

export type RoomAnswer =
  | { kind: 'here'; room: Room }
  | { kind: 'elsewhere'; id: number; ip: string; port: number }
  | { kind: 'none'; reason: string; exhausted: boolean };

export interface WhisperTarget {
  /** Delivered somewhere beyond this server. */
  delivered: boolean;
  reason?: string;
}

export interface Galaxy {
  /** VAR_SERVERTYPE in this server's answers: 4 stand-alone, 3 behind a UserServer (§6.1). */
  readonly serverType: number;
  login(req: LoginRequest): Promise<LoginDecision>;
  resolveRoom(name: string, asker: RoomUser): Promise<RoomAnswer>;
  /**
   * A room id this server does not know yet (the UserServer redirected the client here): null when
   * nobody else can know it either (stand-alone), else the room once the owner of the ids says so.
   */
  lookupRoom(id: number): Promise<Room | null> | null;
  /** A user finished logging in here / left this server. */
  joined(u: RoomUser): void;
  left(u: RoomUser, loggingOff: boolean): void;
  /** Whisper to someone not on this server. */
  whisperElsewhere(from: RoomUser, to: string, text: string): Promise<WhisperTarget>;
  /** Persistent or public properties of the user changed (the UserServer stores them). */
  propsChanged(u: RoomUser, props: readonly NewProp[]): void;
  channelChanged(u: RoomUser, from: string): void;
  /** Friends-list change; stand-alone the RoomServer answers itself. */
  buddyChanged(u: RoomUser, name: string, add: boolean): void;
  /** Broadcast text from `from` for users on other RoomServers (this server delivered its own). */
  broadcastElsewhere(from: RoomUser, text: string): void;
  /** AG-20 `!boot Name`: log the user off everywhere and ban name and address for 30 minutes. */
  boot(from: RoomUser, name: string): Promise<BootResult>;
  /** Shutdown: finish what is owed to the rest of the galaxy. */
  close(): Promise<void>;
}

export interface BootResult {
  ok: boolean;
  /** Told to the booter by whisper: `Name has been booted.` */
  message: string;
}

export class StandaloneGalaxy implements Galaxy {
  readonly serverType = ServerType.ROOM_SERVER_ANON;

  constructor(
    private readonly world: World,
    private readonly keeper: RoomKeeper,
    private readonly bans: BanList,
  ) {}

  async login(req: LoginRequest): Promise<LoginDecision> {
    // AG-25: any name not in use is valid.
    if (this.world.byName(req.name)) {
      return { ok: false, nak: Nak.TAKEN_USER, reason: `name ${req.name} is in use` };
    }
    return { ok: true, privileges: 0, channel: this.world.channels.choose(), props: [] };
  }

  async resolveRoom(name: string): Promise<RoomAnswer> {
    const room = this.keeper.allocate(name, Date.now());
    if (!room) return { kind: 'none', reason: `all ${this.keeper.maxIds} room ids are in use`, exhausted: true };
    return { kind: 'here', room };
  }

  lookupRoom(): null {
    return null;
  }

  joined(u: RoomUser): void {
    this.notifyWatchers(u, 1);
  }

  left(u: RoomUser): void {
    this.notifyWatchers(u, 0);
  }

  /** Tells everyone watching `u` that it came online (1) or went offline (0). */
  private notifyWatchers(u: RoomUser, state: 0 | 1): void {
    const watchers = this.world.watchers.get(u.key);
    if (!watchers) return;
    for (const w of watchers) if (w !== u) w.conn.send(buddyNotify(w.buddies.get(u.key) ?? u.name, state));
  }

  async whisperElsewhere(_from: RoomUser, to: string): Promise<WhisperTarget> {
    return { delivered: false, reason: `${to} is not logged on` };
  }

  propsChanged(): void {}

  channelChanged(): void {}

  buddyChanged(u: RoomUser, name: string, add: boolean): void {
    if (!add) return this.world.unwatch(u, name.toLowerCase());
    this.world.watch(u, name);
    // The real US answered only for friends online (§5.2 BUDDYLISTNOTIFY).
    if (this.world.byName(name)) u.conn.send(buddyNotify(name, 1));
  }

  broadcastElsewhere(): void {}

  async boot(from: RoomUser, name: string): Promise<BootResult> {
    const target = this.world.byName(name);
    if (!target) return { ok: false, message: `${name} is not logged on.` };
    this.bans.ban(target.key, target.conn.remoteAddress, target.name, from.name);
    target.conn.close({ kind: 'kicked', detail: `booted by ${from.name}` });
    return { ok: true, message: `${target.name} has been booted.` };
  }

  async close(): Promise<void> {}
}
