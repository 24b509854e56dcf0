// The real client's behaviour across a galaxy's connections (§1, §6.3-§6.5): log in on the entry
// server, follow REDIRIDs to RoomServer connections (one per address, shared), log in there with
// the name and password the client holds, and send each command where the client would:
//   room requests, property changes, friends-list updates, channel changes → the most recently
//   activated connection; chat and whispers → the server of the room the avatar stands in;
//   positions and subscriptions → the server of the room concerned.

import { ClientConnection, type ClientConnectionOptions, type LoginMode } from './client.js';
import { ObjIds, Var } from './constants.js';

export interface PlayerLogin {
  /** The galaxy URL's host: one, or several separated by `;` (tried in parallel, the first wins, §1). */
  host: string;
  port: number;
  mode: LoginMode;
  /** VAR_AVATARS sent to RoomServers (the real client asks for 24). */
  avatars?: number;
  connection?: ClientConnectionOptions;
}

export interface Position {
  x: number;
  y: number;
  z?: number;
  dir?: number;
}

export class Player {
  /** Name and password as the client holds them after the entry server's reply. */
  name: string;
  password: string;
  channel = '';
  privileges = 0;
  serverType = 0;
  /** The entry connection (UserServer, or a stand-alone RoomServer). */
  readonly entry: ClientConnection;
  /** RoomServer connections by `ip:port`. */
  readonly servers = new Map<string, ClientConnection>();
  /** Connection most recently activated: where room requests and the like go. */
  recent: ClientConnection;
  /** Room the avatar stands in, and the connection serving it. */
  room: { name: string; id: number; conn: ClientConnection } | null = null;
  private readonly avatars: number;

  private constructor(
    entry: ClientConnection,
    name: string,
    password: string,
    avatars: number,
    private readonly opts?: ClientConnectionOptions,
  ) {
    this.entry = entry;
    this.recent = entry;
    this.name = name;
    this.password = password;
    this.avatars = avatars;
  }

  static async login(l: PlayerLogin): Promise<Player> {
    const hosts = l.host.split(';');
    const entry =
      hosts.length > 1
        ? await ClientConnection.connectFirst(hosts, l.port, l.connection)
        : await ClientConnection.connect(l.host, l.port, l.connection);
    try {
      const type = await entry.handshake();
      const reply = await entry.login(l.mode);
      const name = reply.get(Var.USERNAME) ?? ('name' in l.mode ? l.mode.name : '');
      const password = reply.get(Var.PASSWORD) ?? ('password' in l.mode ? l.mode.password : '');
      const p = new Player(entry, name, password, l.avatars ?? 24, l.connection);
      p.serverType = type;
      p.channel = reply.get(Var.CHANNEL) ?? '';
      p.privileges = Number(reply.get(Var.PRIV) ?? '0');
      return p;
    } catch (err) {
      entry.close();
      throw err;
    }
  }

  /** Room long id under the current channel, as the client builds it (§1). */
  roomName(world: string, room: string): string {
    return this.channel ? `${world}#${room}<${this.channel}>` : `${world}#${room}`;
  }

  /** ROOMIDRQ on the most recent connection; on REDIRID, the RoomServer connection (opened once). */
  async resolve(name: string): Promise<{ id: number; conn: ClientConnection }> {
    const ans = await this.recent.roomId(name);
    if (ans.ip === undefined || ans.port === undefined) return { id: ans.id, conn: this.recent };
    const conn = await this.server(ans.ip, ans.port);
    return { id: ans.id, conn };
  }

  /** A RoomServer connection, logged in the way the client does it after a redirection (§6.4). */
  async server(ip: string, port: number): Promise<ClientConnection> {
    const key = `${ip}:${port}`;
    const known = this.servers.get(key);
    if (known && !known.isClosed) return known;
    const conn = await ClientConnection.connect(ip, port, this.opts);
    await conn.handshake();
    await conn.login({ kind: 'roomserver', name: this.name, password: this.password, avatars: this.avatars });
    this.servers.set(key, conn);
    this.recent = conn;
    return conn;
  }

  /** Walks into a room: subscription, then TELEPORT; leaving the old server if it changes (§6.5). */
  async enter(name: string, pos: Position): Promise<{ id: number; conn: ClientConnection }> {
    const { id, conn } = await this.resolve(name);
    const old = this.room;
    if (old && old.conn === conn) {
      // Walking into another room of the same RoomServer: ROOMCHNG (§6.5).
      conn.send({ cmd: 'SUBSCRIB', objId: ObjIds.CLIENT, room: id, x: 0, y: 0, z: 0, distance: -100 });
      conn.send({ cmd: 'UNSUBSCR', objId: ObjIds.CLIENT, room: old.id });
      conn.send({
        cmd: 'ROOMCHNG',
        objId: ObjIds.CLIENT,
        room: id,
        x: pos.x,
        y: pos.y,
        z: pos.z ?? 0,
        dir: pos.dir ?? 0,
      });
    } else {
      conn.enter(id, pos);
      if (old) {
        old.conn.send({
          cmd: 'TELEPORT',
          objId: ObjIds.CLIENT,
          room: 0,
          exitType: 1,
          entryType: 0,
          x: 0,
          y: 0,
          z: 0,
          dir: 0,
        });
        old.conn.send({ cmd: 'UNSUBSCR', objId: ObjIds.CLIENT, room: old.id });
      }
    }
    this.room = { name, id, conn };
    return { id, conn };
  }

  move(pos: Position): void {
    this.room?.conn.send({
      cmd: 'LONGLOC',
      objId: ObjIds.CLIENT,
      x: pos.x,
      y: pos.y,
      z: pos.z ?? 0,
      dir: pos.dir ?? 0,
    });
  }

  /** Where chat goes: the current room's server, else the most recent connection. */
  get chatConnection(): ClientConnection {
    return this.room?.conn ?? this.recent;
  }

  say(text: string): void {
    this.chatConnection.send({ cmd: 'TEXT', objId: ObjIds.CLIENT, sender: '', text });
  }

  whisper(to: string, text: string): void {
    this.chatConnection.send({ cmd: 'WHISPER', objId: to, sender: '', text });
  }

  setAvatar(url: string): void {
    this.recent.send({
      cmd: 'PROPSET',
      objId: ObjIds.CLIENT,
      fromUser: '',
      props: [{ id: Var.BITMAP, flags: 0x40, access: 1, value: url }],
    });
  }

  buddy(name: string, add = true): void {
    this.recent.send({ cmd: 'BUDDYLISTUPDATE', objId: ObjIds.CLIENT, buddy: name, add: add ? 1 : 0 });
  }

  /** Every open connection, entry first. */
  get connections(): ClientConnection[] {
    return [this.entry, ...this.servers.values()].filter((c) => !c.isClosed);
  }

  /** "Go offline" (§6.7): SESSIONEXIT on every connection, LOGONOFF on the last. */
  async logoff(): Promise<void> {
    const open = this.connections;
    for (let i = 0; i < open.length; i++) await (open[i] as ClientConnection).logoff(i === open.length - 1);
  }

  /** The application was killed: sockets close without a word. */
  crash(): void {
    for (const c of this.connections) c.close();
  }
}
