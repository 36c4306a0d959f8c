/** Per-IP limits group IPv6 addresses by /64 (one subscriber's usual allocation), IPv4 by address (issue 13, item 3). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressKey } from '../../../../src/http/rate-limit/address-key.ts';

test('every address of one IPv6 /64 shares a key, whatever its spelling', () => {
  const key = addressKey('2001:db8:1:2::1');
  for (const same of ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:0db8:0001:0002:0:0:0:9', '2001:DB8:1:2:a:b:c:d', '2001:db8:1:2::abcd%eth0']) {
    assert.equal(addressKey(same), key, same);
  }
  assert.equal(key, '2001:db8:1:2::/64');
  assert.notEqual(addressKey('2001:db8:1:3::1'), key);
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
  assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
});

test('IPv4 keeps one key per address, also when written as an IPv4-mapped IPv6 address', () => {
  assert.equal(addressKey('192.0.2.7'), '192.0.2.7');
  assert.equal(addressKey('::ffff:192.0.2.7'), '192.0.2.7');
  assert.notEqual(addressKey('192.0.2.8'), addressKey('192.0.2.7'));
});

test('anything else is kept as given (bounded), never thrown on', () => {
  assert.equal(addressKey('unknown'), 'unknown');
  assert.equal(addressKey('x'.repeat(500)).length, 64);
});
