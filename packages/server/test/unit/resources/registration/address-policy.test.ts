import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isAllowedAddress } from '../../../../src/resources/registration/address-policy.ts';
import { checkDocumentUrl, freshnessOf, MetadataFetchError } from '../../../../src/resources/registration/metadata-fetcher.ts';

describe('address policy of the metadata fetcher', () => {
  it('allows public unicast addresses only', () => {
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111']) assert.equal(isAllowedAddress(address, false), true, address);
    const refused = [
      '127.0.0.1', '127.9.9.9', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255',
      '::1', '::', 'fc00::1', 'fd12::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:a9fe:a9fe', '64:ff9b::10.0.0.1', '2001:db8::1', 'not-an-ip',
    ];
    for (const address of refused) assert.equal(isAllowedAddress(address, false), false, address);
  });

  it('lets loopback through only with the test setting, and private ranges never', () => {
    assert.equal(isAllowedAddress('127.0.0.1', true), true);
    assert.equal(isAllowedAddress('::1', true), true);
    assert.equal(isAllowedAddress('::ffff:127.0.0.1', true), true);
    assert.equal(isAllowedAddress('10.0.0.1', true), false);
    assert.equal(isAllowedAddress('169.254.169.254', true), false);
  });

  it('checks the URL before any network work', () => {
    const refused = ['http://app.example.com/client.json', 'https://user:pw@app.example.com/c.json', 'https://10.1.2.3/c.json', 'https://[::1]/c.json', 'https://localhost/c.json', 'http://127.0.0.1:8080/c.json', 'https://169.254.169.254/latest/meta-data'];
    for (const url of refused) assert.throws(() => checkDocumentUrl(new URL(url), false), MetadataFetchError, url);
    checkDocumentUrl(new URL('https://app.example.com/client.json'), false);
    checkDocumentUrl(new URL('http://127.0.0.1:8080/c.json'), true);
    assert.throws(() => checkDocumentUrl(new URL('http://10.0.0.1/c.json'), true), MetadataFetchError);
  });

  it('reads freshness with HTTP cache semantics (RFC 9111 §5.2)', () => {
    const now = 1_000_000;
    assert.equal(freshnessOf({ 'cache-control': 'max-age=60' }, now), now + 60_000);
    assert.equal(freshnessOf({ 'cache-control': 'public, max-age=600, must-revalidate' }, now), now + 600_000);
    assert.equal(freshnessOf({ 'cache-control': 'no-store' }, now), now);
    assert.equal(freshnessOf({ 'cache-control': 'no-cache, max-age=60' }, now), now);
    assert.equal(freshnessOf({ 'cache-control': 'max-age=99999999' }, now), now + 86_400_000);
    assert.equal(freshnessOf({ expires: new Date(now + 30_000).toUTCString() }, now), now + 30_000);
    assert.equal(freshnessOf({}, now), now + 300_000);
  });
});
