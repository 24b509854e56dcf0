// Per-address connection accounting (issue 6 finding 3; `AddressLimit connections unauthenticated`).
import t from 'tap';
import { AddressLimits, addressGroup } from '../../runtime/address-limits.js';

const LIMITS = { connections: 3, unauthenticated: 2 };

t.test('unauthenticated sockets per address, then connections per address', async (t) => {
  const a = new AddressLimits();
  const first = a.admit('127.1.0.1', LIMITS);
  const second = a.admit('127.1.0.1', LIMITS);
  t.ok(first.ok && second.ok);
  const third = a.admit('127.1.0.1', LIMITS);
  t.notOk(third.ok, 'a third socket before login is refused');
  if (!third.ok) t.match(third.reason, /2 connections from 127\.1\.0\.1 not logged in yet/);
  t.ok(a.admit('127.1.0.2', LIMITS).ok, 'another address is not affected');
  if (first.ok) first.lease.authenticated();
  const fourth = a.admit('127.1.0.1', LIMITS);
  t.ok(fourth.ok, 'a login frees an unauthenticated place');
  if (fourth.ok) fourth.lease.authenticated();
  if (second.ok) second.lease.authenticated();
  const fifth = a.admit('127.1.0.1', LIMITS);
  t.notOk(fifth.ok, 'three open: no more, logged in or not');
  if (!fifth.ok) t.match(fifth.reason, /3 connections open from 127\.1\.0\.1 \(AddressLimit 3\)/);
  t.equal(a.refused, 2);
});

t.test('leases are idempotent and the address is forgotten when its last socket closes', async (t) => {
  const a = new AddressLimits();
  const x = a.admit('127.1.0.1', LIMITS);
  const y = a.admit('127.1.0.1', LIMITS);
  if (!x.ok || !y.ok) throw new Error('admitted');
  x.lease.authenticated();
  x.lease.authenticated();
  t.same(a.held('127.1.0.1'), { open: 2, unauthenticated: 1 });
  x.lease.release();
  x.lease.release();
  x.lease.authenticated();
  t.same(a.held('127.1.0.1'), { open: 1, unauthenticated: 1 });
  y.lease.release();
  t.equal(a.groups, 0);
});

t.test('limits are read at each admission (reloadable)', async (t) => {
  const a = new AddressLimits();
  t.ok(a.admit('127.1.0.1', { connections: 1, unauthenticated: 1 }).ok);
  t.notOk(a.admit('127.1.0.1', { connections: 1, unauthenticated: 1 }).ok);
  t.ok(a.admit('127.1.0.1', { connections: 2, unauthenticated: 2 }).ok);
});

t.test('IPv6 clients are counted per /64; IPv4 per address', async (t) => {
  t.equal(addressGroup('127.1.0.1'), '127.1.0.1');
  t.equal(addressGroup('2001:db8:0:1::5'), '2001:db8:0:1::/64');
  t.equal(addressGroup('2001:0db8:0000:0001:ffff:1:2:3'), '2001:db8:0:1::/64');
  t.equal(addressGroup('::1'), '0:0:0:0::/64');
  t.equal(addressGroup('fe80::1%eth0'), 'fe80:0:0:0::/64');
  t.equal(addressGroup('not:an::add::ress'), 'not:an::add::ress');
  const a = new AddressLimits();
  t.ok(a.admit('2001:db8:0:1::5', LIMITS).ok);
  t.ok(a.admit('2001:db8:0:1::6', LIMITS).ok);
  t.notOk(a.admit('2001:db8:0:1::7', LIMITS).ok, 'a host stepping through its own /64 is one address');
  t.ok(a.admit('2001:db8:0:2::7', LIMITS).ok);
});
