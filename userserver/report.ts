// The UserServer's hourly report (AG-33, guide "UserServer Logs", "User Statistics"): live
// connections (RoomServer links included) and users active in the world, then (added by the
// caller) the Resource usage block:
//
//   Thu Jun 27 12:07:15 1996 - WorldsChat
//   Serving 4 connections
//   Serving 700 active users

import { ctime } from '../runtime/ctime.js';

export function userServerReport(now: Date, serverName: string, connections: number, activeUsers: number): string[] {
  return [`${ctime(now)} - ${serverName}`, `Serving ${connections} connections`, `Serving ${activeUsers} active users`];
}
