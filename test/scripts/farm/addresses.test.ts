import t from 'tap';
import {
  botSourceAddress,
  isLoopback,
  loopbackTarget,
  parseIPv4,
  sourceAddress,
} from '../../../scripts/farm/addresses.js';

t.test('IPv4 parsing and the loopback net', async (t) => {
  t.equal(parseIPv4('127.0.0.1'), 0x7f000001);
  t.equal(parseIPv4('1.2.3'), null);
  t.equal(parseIPv4('1.2.3.999'), null);
  t.ok(isLoopback('127.0.0.0') && isLoopback('127.255.255.255'));
  t.notOk(isLoopback('126.255.255.255') || isLoopback('128.0.0.0') || isLoopback('::1'));
  t.equal(loopbackTarget('localhost'), '127.0.0.1');
  t.equal(loopbackTarget('10.0.0.1'), null);
});

t.test('source addresses skip .0 and .255 and cross into the next /24', async (t) => {
  t.equal(sourceAddress('127.0.0.2', 0), '127.0.0.2');
  t.equal(sourceAddress('127.0.0.2', 252), '127.0.0.254');
  t.equal(sourceAddress('127.0.0.2', 253), '127.0.1.1');
  t.equal(sourceAddress('127.0.0.255', 0), '127.0.1.1', 'a first address ending in 255 moves on');
  t.equal(sourceAddress('127.0.1.0', 0), '127.0.1.1');
  t.equal(sourceAddress('127.255.255.254', 0), '127.255.255.254');
  t.equal(sourceAddress('127.255.255.254', 1), null, 'the end of 127.0.0.0/8');
  t.equal(sourceAddress('10.0.0.1', 0), null);
});

t.test('bots share an address in groups of perAddress', async (t) => {
  const addrs = Array.from({ length: 25 }, (_, i) => botSourceAddress('127.0.0.2', 10, i));
  t.equal(new Set(addrs.slice(0, 10)).size, 1);
  t.same([addrs[0], addrs[10], addrs[20]], ['127.0.0.2', '127.0.0.3', '127.0.0.4']);
});
