// What the UserServer does with each message from a RoomServer (protocol/LINK.md): room
// assignments, RoomServer logins (AG-26), presence, property and channel changes, friends lists,
// whispers, broadcasts and boots. On a redundant pair (userserver/backup/) rooms of the other
// WorldServer's channels, users it holds and whispers and boots for them go across.

import { inRange } from '../protocol/backup.js';
import { Nak } from '../protocol/constants.js';
import { foldsSafely, isReservedName, isValidUserName } from '../protocol/names.js';
import { LOGIN_NEW_SESSION, RoomAnswerKind, type LinkMessage, type LinkMessageOf } from '../protocol/link.js';
import { describeBan } from '../runtime/bans.js';
import { DatabaseError } from '../runtime/db/types.js';
import { describe } from '../runtime/lifecycle.js';
import type { RoomServerLink } from './links.js';
import { toProps } from './login.js';
import { publicProps, type Delivery } from './routing.js';
import type { UserServer } from './server.js';
import { activeUser, type ActiveUser } from './users.js';

export function handleLinkMessage(us: UserServer, link: RoomServerLink, m: LinkMessage): void {
  const user = (name: string) => us.users.get(name.toLowerCase());
  switch (m.kind) {
    case 'ROOM_REQ':
      return roomRequest(us, link, m);
    case 'ROOM_LOOKUP': {
      // A client subscribed to a room it was redirected to: its RoomServer learns the name, and
      // holds the id from now on.
      const name = us.directory.roomOf(m.room, link);
      if (name) us.directory.grant(link, m.room);
      return link.send({
        kind: 'ROOM_INFO',
        reqId: m.reqId,
        answer: name ? RoomAnswerKind.HERE : RoomAnswerKind.NONE,
        name: name ?? '',
      });
    }
    case 'ROOM_RELEASE':
      // An id of the other WorldServer's half goes back there once nobody here holds it.
      if (us.backup && !inRange(m.room, us.directory.range)) {
        return us.backup.rooms.releasedBy(link, m.room, m.grants);
      }
      return us.directory.release(link, m.room, m.grants, Date.now());
    case 'LOGIN_REQ':
      us.track(
        verifyRoomServerLogin(us, m).then(
          (ans) => {
            us.counts.roomServerLogins++;
            if (ans.kind === 'LOGIN_ANS' && ans.nak !== 0) us.counts.roomServerLoginsRefused++;
            link.send(ans);
          },
          (err: unknown) => {
            if (err instanceof DatabaseError)
              us.logLimit.error('UserDatabase', describe(err), describe(err), 'database');
            else
              us.logLimit.error(
                m.loginName,
                'check failed',
                `RoomServer login check failed: ${describe(err)}`,
                m.address,
              );
            link.send(loginAnswer(m.reqId, Nak.FATAL, 'login check failed'));
          },
        ),
      );
      return;
    case 'USER_JOINED': {
      const u = user(m.name);
      if (!u) return link.send({ kind: 'KICK', name: m.name, reason: 'not logged in to this galaxy' });
      u.servers.add(link);
      u.lastServer = link;
      us.present(u);
      return;
    }
    case 'USER_LEFT': {
      const u = user(m.name);
      // A session handed over to the other WorldServer ends there when its client logs off here.
      if (!u && m.loggingOff) us.backup?.loggedOffHere(m.name.toLowerCase());
      if (!u) us.backup?.moves.leftHere(m.name.toLowerCase(), link);
      if (!u || !u.servers.delete(link)) return;
      if (u.lastServer === link) u.lastServer = [...u.servers].at(-1) ?? null;
      if (m.loggingOff) us.loggedOff(u);
      else us.checkPresence(u);
      return;
    }
    case 'PROPS': {
      const u = user(m.name);
      if (u) us.router.userProps(u, m.props, link);
      return;
    }
    case 'CHANNEL': {
      const u = user(m.name);
      if (u) us.users.changeChannel(u, m.channel);
      return;
    }
    case 'BUDDY': {
      const u = user(m.name);
      if (u) us.router.buddy(u, m.buddy, m.add !== 0);
      return;
    }
    case 'WHISPER': {
      const answer = (r: Delivery) => {
        if (r.delivered) us.counts.whispersRouted++;
        else {
          us.counts.whispersUndeliverable++;
          us.logLimit.error(m.from, 'undeliverable whisper', `undeliverable whisper dropped - ${r.reason}`);
        }
        link.send({
          kind: 'WHISPER_ANS',
          reqId: m.reqId,
          delivered: r.delivered ? 1 : 0,
          reason: r.delivered ? '' : r.reason,
        });
      };
      const r = us.router.whisperAnywhere(m.from, m.to, m.text);
      if ('then' in r) void r.then(answer);
      else answer(r);
      return;
    }
    case 'BROADCAST':
      us.router.broadcast(m.from, m.text, { exceptLink: link });
      return;
    case 'BOOT_REQ':
      void us.router
        .boot(m.from, m.name)
        .then((r) => link.send({ kind: 'BOOT_ANS', reqId: m.reqId, ok: r.ok ? 1 : 0, message: r.message }));
      return;
    case 'RS_STATS': {
      const { kind: _kind, ...load } = m;
      return us.monitor.galaxy.report(link, load);
    }
    default:
      us.log.error(`RoomServer ${link.name}`, `unexpected link message ${m.kind}; link closed`);
      link.close(`unexpected ${m.kind}`);
  }
}

function roomRequest(us: UserServer, link: RoomServerLink, m: LinkMessageOf<'ROOM_REQ'>): void {
  if (us.backup?.rooms.serves(m.name)) return peerRoomRequest(us, link, m);
  const now = Date.now();
  const a = us.directory.assign(m.name, now);
  if (!a.ok) return noRoom(us, link, m.reqId, a);
  const here = a.server === link;
  // The RoomServer hands the id to its client, and holds it until it sends ROOM_RELEASE.
  us.directory.grant(link, a.id);
  link.send({
    kind: 'ROOM_ANS',
    reqId: m.reqId,
    answer: here ? RoomAnswerKind.HERE : RoomAnswerKind.ELSEWHERE,
    room: a.id,
    ip: here ? '' : a.server.usersIp,
    port: here ? 0 : a.server.usersPort,
    reason: '',
  });
}

/** A room of the other WorldServer's channels (guide steps 2-5): its id, and its RoomServer there. */
function peerRoomRequest(us: UserServer, link: RoomServerLink, m: LinkMessageOf<'ROOM_REQ'>): void {
  const backup = us.backup;
  if (!backup) return;
  void backup.rooms.there(m.name).then((a) => {
    if (!a.ok) return noRoom(us, link, m.reqId, a);
    if (!link.isUp) return backup.rooms.abandon(a.id);
    // The RoomServer hands the id to its client and holds it until it sends ROOM_RELEASE.
    backup.rooms.ids.grant(link, a.id);
    link.send({
      kind: 'ROOM_ANS',
      reqId: m.reqId,
      answer: RoomAnswerKind.ELSEWHERE,
      room: a.id,
      ip: a.ip,
      port: a.port,
      reason: '',
    });
  });
}

/** ROOM_ANS without a room: none can serve it, or no id is left (logged once a minute for the galaxy). */
function noRoom(us: UserServer, link: RoomServerLink, reqId: number, a: { exhausted: boolean; reason: string }): void {
  if (a.exhausted) us.rooms.logExhausted();
  link.send({
    kind: 'ROOM_ANS',
    reqId,
    answer: a.exhausted ? RoomAnswerKind.EXHAUSTED : RoomAnswerKind.NONE,
    room: 0,
    ip: '',
    port: 0,
    reason: a.reason,
  });
}

function loginAnswer(reqId: number, nak: number, reason: string): LinkMessage {
  return { kind: 'LOGIN_ANS', reqId, nak, reason, name: '', privileges: 0, channel: '', props: [] };
}

/**
 * AG-26: a client logging in to a RoomServer presents name and password there; the RoomServer
 * asks here. An active session's password is checked against its verifier (no rehash); the
 * account's status and privileges are read again from the database. A login that never went
 * through the UserServer (a client reconnecting straight to its RoomServer) starts a session.
 */
async function verifyRoomServerLogin(us: UserServer, m: LinkMessageOf<'LOGIN_REQ'>): Promise<LinkMessage> {
  const key = m.loginName.toLowerCase();
  const ban = us.bans.find(key, m.address);
  if (ban) return loginAnswer(m.reqId, Nak.BAD_IPADDRESS, describeBan(ban));
  const accounts = us.accounts;
  let u = us.users.get(key);
  let started = false;
  const there = u ? undefined : us.backup?.roster.get(key);
  if (there && us.backup) {
    // Guide steps 6-8: the client followed a teleport from the other WorldServer, which holds
    // its session. With two user databases the account must exist in this one too.
    if (accounts && there.kind === 'registered' && !(await accounts.current(there.name)))
      return loginAnswer(
        m.reqId,
        Nak.NO_SUCH_USER,
        `${there.name} is logged in on the other WorldServer, whose user database has the account; this one does not`,
      );
    const r = await us.backup.moves.claim(there, m.password, m.address);
    // A registered user with another password may still log in here (the database decides), which
    // replaces the session there (AG-11); a guest or anonymous session is only the other side's.
    if (there.kind !== 'registered') {
      if (r === null)
        return loginAnswer(
          m.reqId,
          Nak.FATAL,
          `${there.name}'s session is on the other WorldServer, which did not answer`,
        );
      if (!r.ok) return loginAnswer(m.reqId, r.nak, r.reason);
    }
    u = us.users.get(key);
  }
  if (u && us.verifierMatches(u, m.password)) {
    if (accounts && u.kind === 'registered') {
      const rec = await accounts.current(u.name);
      if (!rec) return loginAnswer(m.reqId, Nak.NO_SUCH_USER, `account ${u.name} no longer exists`);
      if (rec.accountStatus !== 1) return loginAnswer(m.reqId, Nak.BAD_ACCOUNT, `account ${u.name} is inactive`);
      u.privileges = rec.userPrivileges;
    }
  } else if (u && u.kind !== 'registered') {
    return loginAnswer(m.reqId, Nak.BAD_PASSWORD, `wrong session password for ${u.name}`);
  } else if (accounts) {
    // Limits and hashing go by the client's address, which the RoomServer reports (LINK.md).
    const r = await accounts.authenticate(m.loginName, m.password, m.address);
    if (!r.ok) return loginAnswer(m.reqId, r.nak, r.reason);
    u = us.users.get(key);
    if (u) u.verifier = us.verifierOf(m.password);
    else {
      if (us.users.size >= us.cfg.maxActiveUsers) return loginAnswer(m.reqId, Nak.MAX_ORDINARY, 'server full');
      u = directUser(us, r.record.userName, 'registered', m, r.record.serialNumber);
      u.props = toProps(r.props);
      us.track(accounts.recordLogin(u.name, m.address));
      started = true;
    }
    u.privileges = r.record.userPrivileges;
  } else {
    if (!isValidUserName(m.loginName, us.cfg.unicodeNames) || !foldsSafely(m.loginName))
      return loginAnswer(m.reqId, Nak.BAD_USER, `name ${m.loginName} is not valid`);
    if (us.backup?.holds(key))
      return loginAnswer(m.reqId, Nak.TAKEN_USER, `name ${m.loginName} is in use on the other WorldServer`);
    if (isReservedName(m.loginName, us.cfg.guests?.prefix ?? null))
      return loginAnswer(m.reqId, Nak.TAKEN_USER, `name ${m.loginName} is reserved`);
    if (us.users.size >= us.cfg.maxActiveUsers) return loginAnswer(m.reqId, Nak.MAX_ORDINARY, 'server full');
    u = directUser(us, m.loginName, 'anonymous', m, null);
    started = true;
  }
  return {
    kind: 'LOGIN_ANS',
    reqId: m.reqId,
    nak: 0,
    reason: started ? LOGIN_NEW_SESSION : '',
    name: u.name,
    privileges: u.privileges,
    channel: u.channel,
    props: publicProps(u),
  };
}

function directUser(
  us: UserServer,
  name: string,
  kind: 'registered' | 'anonymous',
  m: LinkMessageOf<'LOGIN_REQ'>,
  serial: string | null,
): ActiveUser {
  const u = activeUser({
    name,
    session: us.newSessionId(),
    replaces: us.backup?.replaceable(name.toLowerCase()) ?? '',
    kind,
    privileges: 0,
    channel: us.users.channels.choose(),
    serial,
    clientVersion: m.clientVersion,
    address: m.address,
    props: new Map(),
    verifier: us.verifierOf(m.password),
    client: null,
    guestSlot: null,
  });
  us.users.add(u);
  us.backup?.userOn(u);
  us.router.announce(u, 1);
  us.checkPresence(u);
  return u;
}
