// --spawn-rs: a stand-alone RS_v11 started for the run (scripts/bench/spawn-server.ts), so that one
// command measures one configuration. The farm reads the port and pid the server prints and stops
// it with SIGTERM at the end, as an operator would.

import { spawnServer, type BenchServer } from '../bench/spawn-server.js';
import { isLoopback } from './addresses.js';

export type SpawnedServer = BenchServer;

export async function spawnRoomServer(configPath: string): Promise<SpawnedServer> {
  const s = await spawnServer({
    kind: 'RS',
    config: { path: configPath },
    dirPrefix: 'botfarm-rs-',
    refuse: (printed) =>
      /UserServer: \d/.test(printed)
        ? `${configPath} has a UserServer line: --spawn-rs is for stand-alone RoomServers`
        : null,
  });
  return { ...s, host: isLoopback(s.host) ? s.host : '127.0.0.1' };
}
