// The galaxy-wide room directory (AG-15, spec §5.2 ROOMIDRQ): one id per `World#Room<channel>`,
// the same from every server, never 0 and never reused while the UserServer runs; and which
// RoomServer serves each server world (`World<channel>`): a volunteer (`World` keyword) first,
// else the RoomServer serving the fewest server worlds, ties to the one that connected first. All
// rooms of one server world stay on one RoomServer; a RoomServer that goes away loses its worlds,
// which are assigned again on next use.

import { parseRoomName, serverWorldOf } from '../protocol/names.js';

export interface RoomServerEntry {
  readonly name: string;
  readonly connectedAt: number;
  /** `World` lines: world name and optional channel. */
  readonly worlds: readonly { world: string; channel: string | null }[];
}

export type Assignment<L> = { ok: true; id: number; server: L; serverWorld: string } | { ok: false; reason: string };

export class Directory<L extends RoomServerEntry> {
  private readonly ids = new Map<string, number>();
  private readonly names = new Map<number, string>();
  private nextId = 1;
  private readonly owner = new Map<string, L>();
  private readonly worldCount = new Map<L, number>();

  constructor(private readonly maxId = 0xffff) {}

  get roomCount(): number {
    return this.ids.size;
  }

  /** Galaxy-wide id of a room, allocating it on first reference; null when the space is used up. */
  idFor(name: string): number | null {
    const known = this.ids.get(name);
    if (known !== undefined) return known;
    if (this.nextId > this.maxId) return null;
    const id = this.nextId++;
    this.ids.set(name, id);
    this.names.set(id, name);
    return id;
  }

  add(server: L): void {
    this.worldCount.set(server, 0);
  }

  /** A RoomServer went away: its server worlds become unassigned. */
  remove(server: L): string[] {
    this.worldCount.delete(server);
    const lost: string[] = [];
    for (const [world, s] of this.owner) {
      if (s === server) {
        this.owner.delete(world);
        lost.push(world);
      }
    }
    return lost;
  }

  worldsOf(server: L): number {
    return this.worldCount.get(server) ?? 0;
  }

  assign(name: string): Assignment<L> {
    const parsed = parseRoomName(name);
    if (!parsed) return { ok: false, reason: `${JSON.stringify(name)} is not a World#Room name` };
    const serverWorld = serverWorldOf(parsed);
    let server = this.owner.get(serverWorld);
    if (!server) {
      server = this.choose(parsed.world, parsed.channel);
      if (!server) return { ok: false, reason: 'no RoomServer is connected' };
      this.owner.set(serverWorld, server);
      this.worldCount.set(server, (this.worldCount.get(server) ?? 0) + 1);
    }
    const id = this.idFor(name);
    if (id === null) return { ok: false, reason: `all ${this.maxId} room ids are in use` };
    return { ok: true, id, server, serverWorld };
  }

  private choose(world: string, channel: string): L | undefined {
    const servers = [...this.worldCount.keys()].sort((a, b) => a.connectedAt - b.connectedAt);
    const w = world.toLowerCase();
    const volunteer = servers.find((s) =>
      s.worlds.some((v) => v.world.toLowerCase() === w && (v.channel === null || v.channel === channel)),
    );
    if (volunteer) return volunteer;
    let best: L | undefined;
    for (const s of servers) if (!best || this.worldsOf(s) < this.worldsOf(best)) best = s;
    return best;
  }

  ownerOf(serverWorld: string): L | undefined {
    return this.owner.get(serverWorld);
  }

  /** The room with this id, when its server world is assigned to `server`. */
  roomOf(id: number, server: L): string | null {
    const name = this.names.get(id);
    const parsed = name === undefined ? null : parseRoomName(name);
    if (!name || !parsed || this.owner.get(serverWorldOf(parsed)) !== server) return null;
    return name;
  }
}
