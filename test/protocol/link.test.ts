// The link codec (protocol/LINK.md): the monitoring message RS_STATS (type 40).
import t from 'tap';
import { LINK_MESSAGES, LinkDecoder, encodeLink, type LinkMessage } from '../../protocol/link.js';

t.test('RS_STATS is type 40: eleven u32 fields, round trip at every split', async (t) => {
  t.equal(LINK_MESSAGES.RS_STATS.type, 40);
  const m: LinkMessage = {
    kind: 'RS_STATS',
    users: 2000,
    connections: 2010,
    rooms: 40,
    serverWorlds: 3,
    tickP99Us: 48_250,
    missedIntervals: 7,
    cpuPermille: 640,
    rssKiB: 256_000,
    bytesInPerSecond: 130_000,
    bytesOutPerSecond: 4_000_000_000,
    eventLoopP99Us: 12_000,
  };
  const bytes = encodeLink(m);
  t.equal(bytes.length, 4 + 1 + 11 * 4);
  t.equal(bytes[4], 40);
  for (let split = 0; split <= bytes.length; split++) {
    const got: LinkMessage[] = [];
    const d = new LinkDecoder(
      (x) => got.push(x),
      (err) => t.fail(String(err)),
    );
    d.push(bytes.subarray(0, split));
    d.push(bytes.subarray(split));
    t.same(got, [m], `split at ${split}`);
  }
  t.throws(() => encodeLink({ ...m, cpuPermille: 1.5 }), /outside 0\.\.4294967295/, 'whole numbers only');
});
