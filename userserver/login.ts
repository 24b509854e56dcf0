// SESSIONINIT on the UserServer (§5.2, §6.3; AG-9 … AG-12, AG-16, AG-20 … AG-22), as an ordered list
// of small named steps. Each step either lets the login go on or refuses it with the precise code
// the client shows. Modes, by what the client sent:
//   VAR_GUEST (14), or the Guests prefix as the name → a guest slot `prefix_N`
//   VAR_SERIAL (10)                                   → registration of a new account
//   otherwise, with a user database                   → authentication of an existing account
//   otherwise                                         → anonymous: any name not in use

import { randomBytes } from 'node:crypto';
import { Nak, PROTOCOL_VERSION, Priv, SERVER_PSEUDO_USER, Var, type NakCode } from '../protocol/constants.js';
import { sessionInitNak, sessionInitReply, textFrames } from '../protocol/messages.js';
import { foldsSafely, isReservedName, isValidUserName } from '../protocol/names.js';
import type { NewProp, OldProp } from '../protocol/props.js';
import { describeBan } from '../runtime/bans.js';
import { describe } from '../runtime/lifecycle.js';
import { SERVER_STATE } from '../runtime/log-limit.js';
import { DatabaseError, type StoredProperty } from '../runtime/db/types.js';
import { HashingOverloaded } from './passwords.js';
import type { UserServer } from './server.js';
import type { UserSession } from './session.js';
import type { AccountKind } from './users.js';

export type LoginMode = 'guest' | 'register' | 'authenticate' | 'anonymous';

export interface LoginContext {
  us: UserServer;
  session: UserSession;
  props: Map<number, string>;
  mode: LoginMode;
  name: string;
  password: string;
  kind: AccountKind;
  privileges: number;
  serial: string | null;
  stored: StoredProperty[];
  guestSlot: number | null;
  /** The password the client will present to RoomServers; issued by us for guests and anonymous users. */
  sessionPassword: string | null;
}

/** `full`: the server's state, not the client's doing (logged once per window for everyone). */
type Refusal = { nak: NakCode; reason: string; full?: true };
type Step = (ctx: LoginContext) => Promise<Refusal | void> | Refusal | void;

const checkConnections: Step = (ctx) => {
  if (ctx.session.full) {
    return {
      nak: Nak.MAX_ORDINARY,
      reason: `server full (Connections ${ctx.us.cfg.maxConnections} connections)`,
      full: true,
    };
  }
};

const checkProtocol: Step = (ctx) => {
  const p = ctx.props.get(Var.PROTOCOL);
  if (p !== String(PROTOCOL_VERSION)) return { nak: Nak.BAD_PROTOCOL, reason: `protocol ${p ?? 'missing'}, not 24` };
};

const chooseMode: Step = (ctx) => {
  const g = ctx.us.cfg.guests;
  if (g && (ctx.props.has(Var.GUEST) || ctx.name.toLowerCase() === g.prefix.toLowerCase())) ctx.mode = 'guest';
  else if (ctx.props.has(Var.SERIAL) && ctx.us.accounts) ctx.mode = 'register';
  else if (ctx.us.accounts) ctx.mode = 'authenticate';
  else ctx.mode = 'anonymous';
};

const checkName: Step = (ctx) => {
  if (ctx.mode === 'guest') return;
  if (!ctx.name) return { nak: Nak.BAD_USER, reason: 'no user name' };
  if (!isValidUserName(ctx.name, ctx.us.cfg.unicodeNames)) {
    return {
      nak: Nak.BAD_USER,
      reason: `name ${JSON.stringify(ctx.name)} is not 2-16 ${ctx.us.cfg.unicodeNames ? '' : 'ASCII '}letters, digits, _ or -`,
    };
  }
  // An existing account logs in under the name it has; the rules below are for new names.
  if (ctx.mode === 'authenticate') return;
  if (isReservedName(ctx.name, ctx.us.cfg.guests?.prefix ?? null)) {
    return { nak: Nak.TAKEN_USER, reason: `name ${ctx.name} is reserved` };
  }
  if (!foldsSafely(ctx.name)) {
    return { nak: Nak.BAD_USER, reason: `name ${JSON.stringify(ctx.name)} has letters whose case is ambiguous` };
  }
};

const checkBan: Step = (ctx) => {
  const ban = ctx.us.bans.find(ctx.name.toLowerCase(), ctx.session.address);
  if (ban) return { nak: Nak.BAD_IPADDRESS, reason: describeBan(ban) };
};

const checkCapacity: Step = (ctx) => {
  const replacing = ctx.us.users.get(ctx.name.toLowerCase()) !== undefined;
  if (!replacing && ctx.us.users.size >= ctx.us.cfg.maxActiveUsers) {
    return { nak: Nak.MAX_ORDINARY, reason: `server full (${ctx.us.cfg.maxActiveUsers} active users)`, full: true };
  }
};

const establishIdentity: Step = async (ctx) => {
  const { us } = ctx;
  switch (ctx.mode) {
    case 'guest': {
      const g = us.guests;
      // A guest name in use on the other WorldServer is not handed out again here.
      const slot = g?.take((name) => us.backup?.holds(name.toLowerCase()) ?? false) ?? null;
      if (!g || slot === null)
        return { nak: Nak.MAX_ORDINARY, reason: `all ${us.cfg.guests?.max ?? 0} guest slots are taken` };
      ctx.guestSlot = slot;
      ctx.name = g.nameOf(slot);
      ctx.kind = 'guest';
      ctx.sessionPassword = issuePassword();
      return;
    }
    case 'anonymous':
      if (us.users.get(ctx.name.toLowerCase())) return { nak: Nak.TAKEN_USER, reason: `name ${ctx.name} is in use` };
      if (us.backup?.holds(ctx.name.toLowerCase()))
        return { nak: Nak.TAKEN_USER, reason: `name ${ctx.name} is in use on the other WorldServer` };
      ctx.kind = 'anonymous';
      ctx.sessionPassword = issuePassword();
      return;
    case 'register': {
      const serial = ctx.props.get(Var.SERIAL) ?? '';
      if (ctx.password.length < 4) return { nak: Nak.BAD_PASSWORD, reason: 'password shorter than 4 characters' };
      const r = await us.accounts!.register(
        ctx.name,
        ctx.password,
        serial,
        ctx.props.get(Var.CLIENT) ?? '',
        ctx.session.address,
      );
      if (!r.ok) return r;
      us.counts.registrations++;
      us.log.event(`registered ${r.record.userName} with serial ${serial} from ${ctx.session.address}`, {
        event: 'registration',
        user: r.record.userName,
        address: ctx.session.address,
      });
      ctx.name = r.record.userName;
      ctx.kind = 'registered';
      ctx.privileges = r.record.userPrivileges;
      ctx.serial = r.record.serialNumber;
      ctx.stored = r.props;
      return;
    }
    case 'authenticate': {
      const r = await us.accounts!.authenticate(ctx.name, ctx.password, ctx.session.address);
      if (!r.ok) return r;
      ctx.name = r.record.userName;
      ctx.kind = 'registered';
      ctx.privileges = r.record.userPrivileges;
      ctx.serial = r.record.serialNumber;
      ctx.stored = r.props;
      const newPassword = ctx.props.get(Var.NEW_PASSWD);
      if (newPassword && newPassword.length >= 4) {
        await us.accounts!.changePassword(ctx.name, newPassword, ctx.session.address);
        ctx.password = newPassword;
        us.log.event(`${ctx.name} changed password`);
      }
      return;
    }
  }
};

const registerSession: Step = (ctx) => {
  if (ctx.session.conn.isClosed) return { nak: Nak.FATAL, reason: 'client left during login' };
  ctx.us.startSession(ctx);
};

const sendLoginOk: Step = (ctx) => {
  const u = ctx.session.user!;
  const reply: OldProp[] = [
    { id: Var.ERROR, value: '0' },
    { id: Var.APPNAME, value: SERVER_PSEUDO_USER },
    { id: Var.PROTOCOL, value: String(PROTOCOL_VERSION) },
    { id: Var.SERVERTYPE, value: String(ctx.us.serverType) },
  ];
  if (ctx.serial) reply.push({ id: Var.SERIAL, value: ctx.serial });
  // Privileges before a rename: the client's VIP handling rewrites the name label with the typed name.
  reply.push({ id: Var.PRIV, value: String(u.privileges) });
  // Guests get their slot name; others the name as registered when they typed it in another case.
  if (ctx.kind === 'guest' || u.name !== ctx.props.get(Var.USERNAME)) reply.push({ id: Var.USERNAME, value: u.name });
  if (ctx.sessionPassword) reply.push({ id: Var.PASSWORD, value: ctx.sessionPassword });
  if (ctx.kind === 'guest' && ctx.us.cfg.guests)
    reply.push({ id: Var.DURATION, value: String(ctx.us.cfg.guests.minutes) });
  reply.push({ id: Var.CHANNEL, value: u.channel });
  ctx.session.conn.send(sessionInitReply(reply));
};

const welcome: Step = (ctx) => {
  for (const line of ctx.us.moth.message) ctx.session.conn.sendAll(textFrames(SERVER_PSEUDO_USER, line));
  ctx.us.router.announce(ctx.session.user!, 1);
};

export const LOGIN_STEPS: readonly Step[] = [
  checkConnections,
  checkProtocol,
  chooseMode,
  checkName,
  checkBan,
  checkCapacity,
  establishIdentity,
  registerSession,
  sendLoginOk,
  welcome,
];

function issuePassword(): string {
  return randomBytes(9).toString('base64url');
}

export async function runLogin(us: UserServer, session: UserSession, sent: readonly OldProp[]): Promise<void> {
  const props = new Map(sent.map((p) => [p.id, p.value]));
  const ctx: LoginContext = {
    us,
    session,
    props,
    mode: 'anonymous',
    name: props.get(Var.USERNAME) ?? '',
    password: props.get(Var.PASSWORD) ?? '',
    kind: 'anonymous',
    privileges: Priv.NONE,
    serial: null,
    stored: [],
    guestSlot: null,
    sessionPassword: null,
  };
  session.conn.label = ctx.name || session.address;
  let refusal: Refusal | void = undefined;
  try {
    for (const step of LOGIN_STEPS) {
      refusal = await step(ctx);
      if (refusal) break;
    }
  } catch (err) {
    // NAK 5: the client tries again in 8-17 s, by when the queue may be shorter or the database back.
    if (err instanceof DatabaseError) {
      us.logLimit.error('UserDatabase', describe(err), describe(err), 'database');
      refusal = { nak: Nak.FATAL, reason: 'the user database failed (see the UserDatabase line)' };
    } else {
      const busy = err instanceof HashingOverloaded;
      refusal = {
        nak: Nak.FATAL,
        reason: busy ? `login checks overloaded: ${err.message}` : `login failed: ${describe(err)}`,
      };
    }
  }
  if (!refusal) {
    us.counts.logins++;
    if (ctx.kind === 'guest') us.counts.guestLogins++;
    return;
  }
  us.counts.refuse(refusal.nak);
  if (ctx.guestSlot !== null && !session.user) us.guests?.free(ctx.guestSlot);
  us.logLimit.error(
    ctx.name || session.address,
    `login refused ${refusal.reason}`,
    `login refused: ${refusal.reason} (NAK ${refusal.nak})`,
    refusal.full ? SERVER_STATE : session.address,
    { event: 'login-refused', user: ctx.name || null, address: session.address },
  );
  session.conn.send(sessionInitNak(refusal.nak));
  session.conn.close({ kind: 'kicked', detail: `login refused: ${refusal.reason}` });
}

/** Properties loaded from UserProperties become the user's current ones. */
export function toProps(stored: readonly StoredProperty[]): Map<number, NewProp> {
  return new Map(stored.map((p) => [p.id, { id: p.id, flags: p.flags, access: p.access, value: p.value }]));
}
