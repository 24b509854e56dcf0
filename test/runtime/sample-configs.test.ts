// Issue 6 finding 6: the shipped RoomServer configurations give nobody priority. `Access` is
// commented out with a warning to choose a secret prefix, and no document publishes a working one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadRoomServerConfig } from '../../roomserver/config.js';
import { ROOT } from '../helpers/servers.js';

for (const name of ['standaloneRS.cfg', 'firstRS.cfg', 'secondRS.cfg', 'eastRS.cfg', 'westRS.cfg']) {
  t.test(`wc_config/${name} parses with no Access prefix, and says to choose a secret one`, async (t) => {
    const path = join(ROOT, 'wc_config', name);
    t.equal(loadRoomServerConfig(path).accessPrefix, null);
    const text = readFileSync(path, 'utf8');
    t.match(text, /^# Access\s+<your secret prefix>$/m);
    t.match(text, /long random string nobody can guess/);
  });
}

t.test('no shipped document or sample publishes the prefix the samples used to enable', async (t) => {
  for (const file of ['README.md', 'wc_config/standaloneRS.cfg', 'wc_config/firstRS.cfg', 'wc_config/secondRS.cfg'])
    t.notMatch(readFileSync(join(ROOT, file), 'utf8'), /^\s*Access\s+!@#/m, file);
});
