// A user logged in to this RoomServer: identity, where the avatar stands, its public properties,
// and what this user's client currently shows (its subscriptions, visible set and short-id table).

import { ObjIds, PRIVATE_PROPERTIES, PropAccess, PropFlag, Var } from '../protocol/constants.js';
import { lastingCopy, longObjIdBytes, type WireId } from '../protocol/fast.js';
import { propUpdFrames } from '../protocol/messages.js';
import { newPropLength, writeNewProps, type NewProp } from '../protocol/props.js';
import { FrameWriter } from '../protocol/wire.js';
import { Cmd } from '../protocol/constants.js';
import type { Connection } from '../runtime/connection.js';
import type { Placed } from './interest.js';
import type { Room } from './room.js';
import { ShortIdTable, nextSerial } from './shortids.js';

/** A room the client asked to see (SUBSCRIB, §5.2): reference point and distance field. */
export interface Subscription {
  room: Room;
  x: number;
  y: number;
  z: number;
  /** The SUBSCRIB/SUB-DIST field: distance to the reference point − 100 (−100 for the current room). */
  distance: number;
}

/** What a viewer was last told about one avatar it shows. */
export interface VisibleEntry {
  /** Its short id in the viewer's table (0: the long form). */
  id: number;
  stamp: number;
  room: Room;
  posVersion: number;
  /** When the viewer was first shown this avatar (the crowd hysteresis' minimum time shown). */
  shownAt: number;
}

export interface UserIdentity {
  /** Name shown to others (the Access prefix removed, AG-28). */
  name: string;
  /** Name as the client logged in with it. */
  loginName: string;
  priority: boolean;
  privileges: number;
  channel: string;
  clientVersion: string;
  maxAvatars: number;
}

const PUBLIC_ORDER = [Var.CLIENT, Var.BITMAP, Var.ASLEEP];
/** VAR_ASLEEP as the real RS reported an awake user: empty, flags 40/01. */
const AWAKE: NewProp = { id: Var.ASLEEP, flags: PropFlag.AUTOUPDATE, access: PropAccess.POSSESS, value: '' };

/** Shown to other users: not private by id (§4.1) nor by its PRIVATE access bit (§3.5). */
export function isPublic(p: NewProp): boolean {
  return !PRIVATE_PROPERTIES.has(p.id) && (p.access & PropAccess.PRIVATE) === 0;
}

const NO_BUDDIES: ReadonlyMap<string, string> = new Map();

export class RoomUser implements Placed {
  readonly name: string;
  readonly loginName: string;
  readonly key: string;
  readonly longId: Buffer;
  readonly priority: boolean;
  readonly privileges: number;
  readonly specialGuest: boolean;
  /** ms since the epoch (a number, not a Date: every user has one). */
  readonly loginAt = Date.now();
  channel: string;
  maxAvatars: number;

  room: Room | null = null;
  x = 0;
  y = 0;
  z = 0;
  dir = 0;
  /** Bumped on every change of position or room, so viewers resend only what moved. */
  posVersion = 0;
  cellKey = -1;
  cellIndex = -1;

  readonly props = new Map<number, NewProp>();
  private arrivalBody: Buffer | null = null;

  readonly subscriptions = new Map<number, Subscription>();
  readonly visible = new Map<RoomUser, VisibleEntry>();
  /** The room this user stood in at its last full view update (overload: see roomserver/tick.ts). */
  viewedRoom: Room | null = null;
  /** When its next replacement of an avatar shown is on schedule (CrowdHysteresis' rate, ms). */
  swapsDueAt = 0;
  /** Users whose clients currently show this user: they hear its chat (AG-27). */
  readonly viewers = new Set<RoomUser>();
  readonly ids = new ShortIdTable();
  /** How short-id tables name this user (World.bySerial finds it again). */
  readonly serial = nextSerial();
  /** Friends list (BUDDYLISTUPDATE), made on first use: most users never keep one. */
  private buddyMap: Map<string, string> | null = null;

  textMessages = 0;
  chatWindowStart = 0;
  chatWindowLines = 0;
  chatWarned = false;

  constructor(
    identity: UserIdentity,
    readonly conn: Connection,
  ) {
    this.name = identity.name;
    this.loginName = identity.loginName;
    this.key = identity.name.toLowerCase();
    this.longId = longObjIdBytes(identity.name);
    this.priority = identity.priority;
    this.privileges = identity.privileges;
    this.specialGuest = (identity.privileges & 64) !== 0;
    this.channel = identity.channel;
    this.maxAvatars = identity.maxAvatars;
    this.setProp({
      id: Var.CLIENT,
      flags: PropFlag.DBSTORE,
      access: PropAccess.POSSESS,
      value: identity.clientVersion,
    });
  }

  get avatar(): string {
    const v = this.props.get(Var.BITMAP)?.value;
    return typeof v === 'string' ? v : '';
  }

  setProp(p: NewProp): void {
    this.props.set(p.id, p);
    if (p.id === Var.BITMAP || p.id === Var.ASLEEP) this.arrivalBody = null;
  }

  /** How viewer `v`, which shows this user, addresses it: its short id in v's table, or the long form. */
  wireIdIn(v: RoomUser): WireId {
    return v.visible.get(this)?.id || this.longId;
  }

  /** Public properties for a PROPREQ answer (§6.4 step 7): 9, 5, 23, then any shared attributes. */
  publicProps(): NewProp[] {
    const out: NewProp[] = [];
    for (const id of PUBLIC_ORDER) {
      const p = this.props.get(id) ?? (id === Var.ASLEEP ? AWAKE : undefined);
      if (p) out.push(p);
    }
    for (const [id, p] of this.props) if (!PUBLIC_ORDER.includes(id as 9 | 5 | 23) && isPublic(p)) out.push(p);
    return out;
  }

  /** Friends list: key → the spelling the client used, echoed in notices. */
  get buddies(): ReadonlyMap<string, string> {
    return this.buddyMap ?? NO_BUDDIES;
  }

  addBuddy(key: string, spelling: string): void {
    (this.buddyMap ??= new Map()).set(key, spelling);
  }

  dropBuddy(key: string): void {
    this.buddyMap?.delete(key);
    if (this.buddyMap?.size === 0) this.buddyMap = null;
  }

  /**
   * PROPUPD with sleep state and avatar, sent right after an arrival, addressed by the viewer's id
   * for this user (the real RS did this with short ids, §5.2 PROPUPD). The body is cached.
   */
  arrivalFrames(id: WireId): Buffer[] {
    if (this.arrivalBody === null) {
      const props = this.arrivalProps();
      const w = new FrameWriter();
      const fits = props.reduce((n, p) => n + newPropLength(p), 0) <= 255 - 2 - 52;
      if (fits) {
        w.u8(ObjIds.CLIENT).u8(Cmd.PROPUPD);
        writeNewProps(w, props);
        this.arrivalBody = lastingCopy(w.finish().subarray(3));
      } else {
        this.arrivalBody = Buffer.alloc(0);
      }
    }
    if (this.arrivalBody.length === 0) {
      return propUpdFrames(typeof id === 'number' ? id : this.name, this.arrivalProps()).frames;
    }
    const idLen = typeof id === 'number' ? 1 : id.length;
    const frame = Buffer.allocUnsafe(2 + idLen + this.arrivalBody.length);
    frame[0] = frame.length;
    if (typeof id === 'number') frame[1] = id;
    else id.copy(frame, 1);
    frame[1 + idLen] = Cmd.PROPUPD;
    this.arrivalBody.copy(frame, 2 + idLen);
    return [frame];
  }

  private arrivalProps(): NewProp[] {
    const asleep = this.props.get(Var.ASLEEP) ?? AWAKE;
    const out = [asleep];
    const avatar = this.props.get(Var.BITMAP);
    if (avatar) out.push(avatar);
    return out;
  }
}
