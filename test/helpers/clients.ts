// Protocol-client helpers for end-to-end tests: log in the way the real client does and walk into
// rooms (§6.4, §6.5).

import { ClientConnection } from '../../protocol/client.js';
import { ObjIds } from '../../protocol/constants.js';

export interface Pos {
  x: number;
  y: number;
  z?: number;
  dir?: number;
}

/** Connects to a stand-alone RoomServer and logs in as the real client does (§6.4 with type 4). */
export async function joinStandalone(port: number, name: string, avatars = 24): Promise<ClientConnection> {
  const c = await ClientConnection.connect('127.0.0.1', port);
  const type = await c.handshake();
  if (type !== 4) throw new Error(`server type ${type}, expected 4`);
  await c.login({ kind: 'roomserver-anon', name, avatars });
  return c;
}

/** ROOMIDRQ, SUBSCRIB (current room, −100) and TELEPORT into the room (§6.4 step 5). */
export async function enterRoom(c: ClientConnection, room: string, pos: Pos): Promise<number> {
  const { id } = await c.roomId(room);
  c.send({ cmd: 'SUBSCRIB', objId: ObjIds.CLIENT, room: id, x: 0, y: 0, z: 0, distance: -100 });
  c.send({
    cmd: 'TELEPORT',
    objId: ObjIds.CLIENT,
    room: id,
    exitType: 0,
    entryType: 1,
    x: pos.x,
    y: pos.y,
    z: pos.z ?? 0,
    dir: pos.dir ?? 0,
  });
  return id;
}

export function moveTo(c: ClientConnection, pos: Pos): void {
  c.send({ cmd: 'LONGLOC', objId: ObjIds.CLIENT, x: pos.x, y: pos.y, z: pos.z ?? 0, dir: pos.dir ?? 0 });
}

export function say(c: ClientConnection, text: string): void {
  c.send({ cmd: 'TEXT', objId: ObjIds.CLIENT, sender: '', text });
}

/** Waits until `viewer` has been shown `name` (REGOBJID + APPRACTR); returns the id it uses. */
export async function waitAppear(viewer: ClientConnection, name: string): Promise<number | string> {
  const c = await viewer.expectCmd('APPRACTR', (a) => viewer.nameOf(a.objId) === name);
  return c.objId;
}

export async function waitDisappear(viewer: ClientConnection, name: string): Promise<void> {
  await viewer.expectCmd('DISAPPR', (a) => viewer.nameOf(a.objId) === name);
}

export const ROOM = 'GroundZero#Reception<dimension-1>';
