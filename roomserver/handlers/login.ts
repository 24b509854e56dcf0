// SESSIONINIT on the RoomServer (§5.2, §6.4): protocol and name checks, connection limits for
// ordinary and priority users (AG-22, AG-28), boot bans, then the galaxy's verdict (stand-alone:
// any unused name; linked: the UserServer verifies name and password). A refusal carries only
// VAR_ERROR with a code the client shows (never 4 or 8).

import type { CommandOf } from '../../protocol/commands.js';
import { Nak, PROTOCOL_VERSION, SERVER_PSEUDO_USER, ServerType, Var, type NakCode } from '../../protocol/constants.js';
import { sessionInitNak, sessionInitReply, textFrames } from '../../protocol/messages.js';
import { foldsSafely, isReservedName, isValidUserName } from '../../protocol/names.js';
import type { OldProp } from '../../protocol/props.js';
import { describeBan } from '../../runtime/bans.js';
import { describe } from '../../runtime/lifecycle.js';
import { SERVER_STATE } from '../../runtime/log-limit.js';
import { capacityRefusal } from '../admission.js';
import type { LoginDecision } from '../galaxy.js';
import type { Session } from '../session.js';
import { RoomUser } from '../user.js';
import { MAX_AVATARS_CAP } from '../view.js';

export async function handleLogin(s: Session, c: CommandOf<'SESSIONINIT'>): Promise<void> {
  const { rs, conn } = s;
  const cfg = rs.cfg;
  const props = new Map(c.props.map((p) => [p.id, p.value]));
  const loginName = props.get(Var.USERNAME) ?? '';
  conn.label = loginName || conn.remoteAddress;

  // A refusal for want of capacity: one line per LogLimitWindow for all of them, with the count,
  // however many addresses ask.
  const refuse = (nak: NakCode, reason: string, capacity?: 'full' | 'overloaded') => {
    rs.counts.refuse(nak);
    rs.logLimit.error(
      loginName || conn.remoteAddress,
      capacity ? `login refused ${capacity}` : `login refused ${reason}`,
      `login refused: ${reason} (NAK ${nak})`,
      capacity ? SERVER_STATE : conn.remoteAddress,
      { event: 'login-refused', user: loginName || null, address: conn.remoteAddress },
    );
    conn.send(sessionInitNak(nak));
    conn.close({ kind: 'kicked', detail: `login refused: ${reason}` });
  };

  const protocol = props.get(Var.PROTOCOL);
  if (protocol !== String(PROTOCOL_VERSION))
    return refuse(Nak.BAD_PROTOCOL, `protocol ${protocol ?? 'missing'}, not 24`);
  if (!loginName) return refuse(Nak.BAD_USER, 'no user name');

  const prefix = cfg.accessPrefix;
  const priority = prefix !== null && loginName.startsWith(prefix) && loginName.length > prefix.length;
  const name = priority && prefix ? loginName.slice(prefix.length) : loginName;
  if (!isValidUserName(name, cfg.unicodeNames)) {
    const why = cfg.unicodeNames
      ? 'not 2-16 letters, digits, _ or -'
      : 'not 2-16 ASCII letters, digits, _ or - (UnicodeNames is off)';
    return refuse(Nak.BAD_USER, `name ${JSON.stringify(name)} is ${why}`);
  }
  // Stand-alone, every name is a new name; behind a UserServer the UserServer decides (§6.4 step 4).
  if (rs.galaxy.serverType === ServerType.ROOM_SERVER_ANON) {
    if (isReservedName(name)) return refuse(Nak.TAKEN_USER, `name ${name} is reserved`);
    if (!foldsSafely(name))
      return refuse(Nak.BAD_USER, `name ${JSON.stringify(name)} has letters whose case is ambiguous`);
  }
  const ban = rs.bans.find(name.toLowerCase(), conn.remoteAddress);
  if (ban) return refuse(Nak.BAD_IPADDRESS, describeBan(ban));
  const w = rs.world;
  const t = rs.ticker;
  const full = capacityRefusal(priority, w, cfg, {
    overloaded: t.overloaded,
    lateMs: t.lateMs,
    intervalMs: t.intervalMs,
  });
  if (full) return refuse(full.nak, full.reason, full.kind);

  s.state = 'authenticating';
  conn.hold();
  let decision: LoginDecision;
  try {
    decision = await rs.galaxy.login({
      loginName,
      name,
      password: props.get(Var.PASSWORD) ?? null,
      clientVersion: props.get(Var.CLIENT) ?? '',
      address: conn.remoteAddress,
    });
  } catch (err) {
    decision = { ok: false, nak: Nak.FATAL, reason: `login check failed: ${describe(err)}` };
  }
  if (conn.isClosed) return;
  if (!decision.ok) {
    s.state = 'awaiting-login';
    conn.release();
    return refuse(decision.nak, decision.reason);
  }

  const canonical = decision.name ?? name;
  const existing = w.byName(canonical);
  if (existing) {
    if (rs.galaxy.serverType === ServerType.ROOM_SERVER_ANON) {
      s.state = 'awaiting-login';
      conn.release();
      return refuse(Nak.TAKEN_USER, `name ${canonical} is in use`);
    }
    // Verified by the UserServer: this login replaces the old session (AG-11).
    existing.conn.close({ kind: 'kicked', detail: `logged in again from ${conn.remoteAddress}` });
  }

  const requested = Number.parseInt(props.get(Var.AVATARS) ?? '', 10);
  const u = new RoomUser(
    {
      name: canonical,
      loginName,
      priority,
      privileges: decision.privileges,
      channel: decision.channel,
      clientVersion: props.get(Var.CLIENT) ?? '',
      maxAvatars: Math.min(MAX_AVATARS_CAP, requested > 0 ? requested : cfg.maxAvatars),
    },
    conn,
  );
  for (const p of decision.props) u.setProp(p);
  w.add(u);
  s.user = u;
  conn.label = canonical;
  s.state = 'live';
  // The galaxy's entry server keeps its connection alive; a RoomServer reached by redirection only
  // while the client still shows one of its rooms.
  if (rs.galaxy.serverType === ServerType.ROOM_SERVER_US) conn.wantsKeepAlive = () => u.subscriptions.size > 0;
  conn.loggedIn();

  const reply: OldProp[] = [
    { id: Var.ERROR, value: '0' },
    { id: Var.SERVERTYPE, value: String(rs.galaxy.serverType) },
    { id: Var.UPDATETIME, value: String(cfg.updateIntervalUs) },
    { id: Var.PROTOCOL, value: String(PROTOCOL_VERSION) },
  ];
  // Stand-alone, this server chose the channel; behind a UserServer the client already has it.
  if (rs.galaxy.serverType === ServerType.ROOM_SERVER_ANON) reply.push({ id: Var.CHANNEL, value: u.channel });
  conn.send(sessionInitReply(reply));
  // AG-21, once per login: the UserServer greets logins that went through it; this server greets
  // its own (stand-alone) and clients that came straight here to start a session.
  if (rs.galaxy.serverType === ServerType.ROOM_SERVER_ANON || decision.newSession)
    for (const line of rs.moth.message) conn.sendAll(textFrames(SERVER_PSEUDO_USER, line));
  rs.galaxy.joined(u);
  rs.counts.logins++;
  rs.log.debug(`login ${canonical} from ${conn.remoteAddress} on ${u.channel}, sees ${u.maxAvatars} avatars`);
  rs.log.note(`login ${canonical} from ${conn.remoteAddress} on ${u.channel}`, {
    event: 'login',
    user: canonical,
    address: conn.remoteAddress,
  });
  conn.release();
}
