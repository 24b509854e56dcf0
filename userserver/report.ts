// The UserServer's hourly report (AG-33, guide "UserServer Logs", "User Statistics"): live
// connections (RoomServer links included) and users active in the world, then (added by the
// caller) the Resource usage block:
//
//   Thu Jun 27 12:07:15 1996 - WorldsChat
//   Serving 4 connections
//   Serving 700 active users
//
// A UserServer of a redundant pair adds a line of its own about the other WorldServer (the
// guide's `Serving M active users` stays this side's):
//
//   Backup link to West up since Thu Jun 27 11:02:40 1996: 312 active users there

import { ctime } from '../runtime/ctime.js';

export function userServerReport(
  now: Date,
  serverName: string,
  connections: number,
  activeUsers: number,
  peerLine: string | null = null,
): string[] {
  const lines = [
    `${ctime(now)} - ${serverName}`,
    `Serving ${connections} connections`,
    `Serving ${activeUsers} active users`,
  ];
  if (peerLine !== null) lines.push(peerLine);
  return lines;
}
