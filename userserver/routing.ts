// Routing between the galaxy's users (AG-18, AG-20): whispers to wherever the recipient is,
// broadcasts to every RoomServer, friends-list notices, property changes and boots. A user is
// reached on the RoomServer it joined most recently, else on its UserServer connection; a user
// logged in on the other WorldServer of a redundant pair (AG-23) through the backup link.

import { PRIVATE_PROPERTIES, PropAccess, PropFlag, SERVER_OWNED_PROPERTIES } from '../protocol/constants.js';
import { buddyNotify, textFrames, whisperFrames } from '../protocol/messages.js';
import type { NewProp } from '../protocol/props.js';
import { describeBan, type Ban, type BanList } from '../runtime/bans.js';
import type { ServerLog } from '../runtime/log.js';
import type { RoomServerLink } from './links.js';
import type { ActiveUser, ActiveUsers, ClientPresence } from './users.js';

/** Distinct properties a user may hold; bounds what a client can make the database store. */
export const MAX_USER_PROPERTIES = 64;
/** Friends a client may watch: 30, 60 or 100 in the client (§5.2), with slack. */
export const MAX_BUDDIES = 200;

/** What routing needs of the other WorldServer (userserver/backup/peer.ts). */
export interface PeerRouting {
  /** The name is logged in there. */
  holds(key: string): boolean;
  /** Null when no such user is logged in there. */
  whisper(from: string, to: string, text: string): Promise<Delivery> | null;
  /** False when the link is down. */
  broadcast(from: string, text: string): boolean;
  boot(by: string, name: string): Promise<BootResult> | null;
}

export interface RoutingHost {
  readonly users: ActiveUsers;
  readonly bans: BanList;
  readonly log: ServerLog;
  readonly links: ReadonlySet<RoomServerLink>;
  /** The other WorldServer, when this UserServer has a backup keyword. */
  readonly peerRouting: PeerRouting | null;
  /** Ends a session everywhere (boot, replaced login) and logs the user off. */
  replace(u: ActiveUser, reason: string): void;
  /** A boot made these bans: they are stored so that they outlive a restart. */
  banned(bans: readonly Ban[]): void;
}

export type Delivery = { delivered: true } | { delivered: false; reason: string };
export type BootResult = { ok: boolean; message: string };

export interface BroadcastOptions {
  exceptLink?: RoomServerLink | null;
  exceptClient?: ClientPresence | null;
  /** Forwarded by the other WorldServer (named): delivered here only. */
  fromPeer?: string;
  /** This WorldServer's users only (its shutdown notice). */
  localOnly?: boolean;
}

/** What other users and RoomServers may see of a user's properties. */
export function publicProps(u: ActiveUser): NewProp[] {
  return [...u.props.values()].filter((p) => !PRIVATE_PROPERTIES.has(p.id) && (p.access & PropAccess.PRIVATE) === 0);
}

export class Router {
  constructor(private readonly host: RoutingHost) {}

  private reach(u: ActiveUser): { link: RoomServerLink | null; client: ClientPresence | null } {
    return { link: u.lastServer as RoomServerLink | null, client: u.client };
  }

  /** To a user of this UserServer, or to the other WorldServer's (answered when it did). */
  whisperAnywhere(from: string, to: string, text: string): Delivery | Promise<Delivery> {
    if (this.host.users.get(to.toLowerCase())) return this.whisper(from, to, text);
    return this.host.peerRouting?.whisper(from, to, text) ?? this.whisper(from, to, text);
  }

  /** To a user of this UserServer. */
  whisper(from: string, to: string, text: string): Delivery {
    const t = this.host.users.get(to.toLowerCase());
    if (!t) return { delivered: false, reason: `${to} is not logged on` };
    const { link, client } = this.reach(t);
    if (link) link.send({ kind: 'WHISPER_DELIVER', from, to: t.name, text });
    else if (client) client.sendFrames(whisperFrames(from, text));
    else return { delivered: false, reason: `${to} is between servers` };
    return { delivered: true };
  }

  /**
   * To every RoomServer but `exceptLink`, to users present only on the UserServer, and to the
   * other WorldServer (which delivers it to its own). Returns whether the other WorldServer was sent it.
   */
  broadcast(from: string, text: string, o: BroadcastOptions = {}): boolean {
    for (const link of this.host.links) if (link !== o.exceptLink) link.send({ kind: 'BROADCAST_DELIVER', from, text });
    const frames = textFrames(from, text);
    for (const u of this.host.users.all()) {
      if (u.servers.size === 0 && u.client && u.client !== o.exceptClient) u.client.sendFrames(frames);
    }
    const across = !o.fromPeer && !o.localOnly && (this.host.peerRouting?.broadcast(from, text) ?? false);
    const origin = o.fromPeer ? ` (from WorldServer ${o.fromPeer})` : '';
    this.host.log.event(`broadcast by ${from}${origin}: ${text}`, { event: 'broadcast', user: from });
    return across;
  }

  /** AG-20 wherever the user is logged in, this WorldServer or the other. */
  boot(by: string, name: string): Promise<BootResult> {
    if (!this.host.users.get(name.toLowerCase())) {
      const there = this.host.peerRouting?.boot(by, name);
      if (there) return there;
    }
    return Promise.resolve(this.bootHere(by, name));
  }

  /** AG-20: logged off everywhere; name and address refused for 30 minutes (on both WorldServers). */
  bootHere(by: string, name: string): BootResult {
    const t = this.host.users.get(name.toLowerCase());
    if (!t) return { ok: false, message: `${name} is not logged on.` };
    const bans = this.host.bans.ban(t.key, t.address, t.name, by);
    this.host.replace(t, `booted by ${by}`);
    this.host.log.event(`${by} booted ${t.name} (${t.address}); ${bans.map(describeBan).join('; ')}`, {
      event: 'boot',
      user: t.name,
      address: t.address,
    });
    this.host.banned(bans);
    return { ok: true, message: `${t.name} has been booted.` };
  }

  /** Friends of `u` hear that it came online (1) or went offline (0), wherever they are. */
  announce(u: ActiveUser, state: 0 | 1): void {
    this.announceName(u.key, u.name, state, u);
  }

  /** The same for any name (a user of the other WorldServer). */
  announceName(key: string, name: string, state: 0 | 1, except: ActiveUser | null = null): void {
    for (const w of this.host.users.watchersOf(key))
      if (w !== except) this.notify(w, w.buddies.get(key) ?? name, state);
  }

  private notify(watcher: ActiveUser, spelling: string, state: 0 | 1): void {
    const { link, client } = this.reach(watcher);
    if (link) link.send({ kind: 'BUDDY_NOTIFY', to: watcher.name, buddy: spelling, state });
    else client?.sendFrames([buddyNotify(spelling, state)]);
  }

  buddy(u: ActiveUser, name: string, add: boolean): void {
    const key = name.toLowerCase();
    if (!add) return this.host.users.unwatch(u, key);
    if (!u.buddies.has(key) && u.buddies.size >= MAX_BUDDIES) return;
    this.host.users.watch(u, name);
    // The real US answered only for friends online (§5.2 BUDDYLISTNOTIFY).
    if (this.host.users.get(key) || this.host.peerRouting?.holds(key)) this.notify(u, name, 1);
  }

  /**
   * The user changed its properties (here, or on a RoomServer: `from`). Server-owned ones are
   * refused; DBSTORE ones are written back; changes made here reach the RoomServers showing it.
   */
  userProps(u: ActiveUser, props: readonly NewProp[], from: RoomServerLink | null): void {
    const accepted = props.filter(
      (p) => !SERVER_OWNED_PROPERTIES.has(p.id) && (u.props.has(p.id) || u.props.size < MAX_USER_PROPERTIES),
    );
    for (const p of accepted) {
      u.props.set(p.id, p);
      if (p.flags & PropFlag.DBSTORE) u.propsDirty = true;
    }
    const shown = accepted.filter((p) => !PRIVATE_PROPERTIES.has(p.id) && (p.access & PropAccess.PRIVATE) === 0);
    if (!from && shown.length)
      for (const link of u.servers) (link as RoomServerLink).send({ kind: 'USER_PROPS', name: u.name, props: shown });
  }
}
