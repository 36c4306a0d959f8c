/**
 * The metadata fetcher's name resolution: a host name is resolved by the fetcher's own lookup, every address is
 * checked, and the connection goes to the checked address. A name that resolves to loopback is refused without
 * the test setting (`localhost.` slips past a check by name, not past the lookup), and served with it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchMetadataDocument, guardedLookup, MetadataFetchError } from '../../../../src/resources/registration/metadata-fetcher.ts';

describe('metadata fetcher: resolved addresses', () => {
  let server: Server;
  let port: number;
  let hits = 0;

  before(async () => {
    server = createServer((_request, response) => {
      hits += 1;
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=120' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  it('its lookup fails for a name that resolves to loopback, unless loopback is allowed', async () => {
    const lookup = (allow: boolean, all: boolean) =>
      new Promise<{ error: (Error & { code?: string }) | null; result: unknown }>((resolve) => {
        guardedLookup(allow)('localhost', { all, family: 4 }, (error, address) => resolve({ error, result: address }));
      });
    const refused = await lookup(false, false);
    assert.equal(refused.error?.code, 'EADDRREFUSED');
    const refusedAll = await lookup(false, true);
    assert.equal(refusedAll.error?.code, 'EADDRREFUSED');
    assert.equal((await lookup(true, false)).result, '127.0.0.1');
    assert.deepEqual((await lookup(true, true)).result, [{ address: '127.0.0.1', family: 4 }]);
  });

  it('refuses a loopback name by name before any lookup', async () => {
    hits = 0;
    await assert.rejects(fetchMetadataDocument(`https://localhost:${port}/client.json`, { allowLoopback: false, now: 0 }), MetadataFetchError);
    assert.equal(hits, 0);
  });

  it('fetches through its own lookup when loopback is allowed, with the freshness the server gave', async () => {
    hits = 0;
    const fetched = await fetchMetadataDocument(`http://localhost:${port}/client.json`, { allowLoopback: true, now: 1000 });
    assert.deepEqual(fetched.body, { ok: true });
    assert.equal(fetched.freshUntil, 1000 + 120_000);
    assert.equal(hits, 1);
  });
});
