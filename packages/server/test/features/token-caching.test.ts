/**
 * The token endpoint caches clients and service-account claims (issue 6, `oauth/issuance-cache.ts`). A change
 * made through this instance must show on the very next request: a rotated secret, a disabled service account,
 * a new group membership. With LATCHKEY_CACHE_TTL_SECONDS=0 a change made by another instance shows at once too.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { createTenantWithClient, startTestServer } from '../support/server.ts';
import type { TenantWithClient, TestServer } from '../support/server.ts';
import { basicAuth, json, postForm } from '../support/http.ts';
import { rotateClientSecret } from '../../src/directory/clients.ts';
import { openDatabase } from '../../src/db/database.ts';
import { clientQueries } from '../../src/db/queries/clients.ts';

async function token(server: TestServer, clientId: string, secret: string): Promise<Response> {
  return postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basicAuth(clientId, secret) });
}

function claimsOf(body: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(Buffer.from(String(body.access_token).split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function serviceUserId(server: TestServer, clientId: string): Promise<string> {
  const client = await clientQueries(server.ctx.db).findById(clientId);
  return client!.serviceUserId!;
}

for (const dialect of DIALECTS) {
  describe(`token endpoint caches (${dialect})`, () => {
    let server: TestServer;
    let acme: TenantWithClient;

    before(async () => {
      // What these tests pin is this instance's own invalidation; with the shared change signal on, a poll that
      // finds the counter moved by this instance's own writes may also empty the caches between two requests
      // (the hit counts below), as it should. `cache-sync.test.ts` tests the signal.
      server = await startTestServer(dialect, { LATCHKEY_CACHE_SYNC_MS: '0' });
      acme = await createTenantWithClient(server, 'acme');
    });
    after(() => server.stop());

    it('refuses a rotated-out secret on the very next request', async () => {
      assert.equal((await token(server, acme.clientId, acme.clientSecret)).status, 200);
      const rotated = await rotateClientSecret(server.ctx, acme.clientId);
      const old = await token(server, acme.clientId, acme.clientSecret);
      assert.equal(old.status, 401);
      assert.equal((await json(old)).error, 'invalid_client');
      assert.equal((await token(server, acme.clientId, rotated.clientSecret!)).status, 200);
      acme = { ...acme, clientSecret: rotated.clientSecret! };
    });

    it('puts a new group membership in the very next token', async () => {
      const before = await json(await token(server, acme.clientId, acme.clientSecret));
      assert.deepEqual(claimsOf(before).groups, []);
      const now = Date.now();
      await server.ctx.db.insertInto('groups').values({ id: 'grp_cache', tenant_id: acme.tenant.id, name: 'agents', description: null, created_at: now, updated_at: now }).execute();
      await server.ctx.db.insertInto('group_members').values({ group_id: 'grp_cache', user_id: await serviceUserId(server, acme.clientId), created_at: now }).execute();
      const afterJoin = await json(await token(server, acme.clientId, acme.clientSecret));
      assert.deepEqual(claimsOf(afterJoin).groups, ['agents']);
    });

    it('exposes cache hits and misses per cache as Prometheus metrics (issue 21)', async () => {
      const read = async () => {
        const text = await (await fetch(`${server.url}/metrics`)).text();
        const count = (cache: string, result: string) => Number(new RegExp(`^latchkey_cache_requests_total\\{cache="${cache}",result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
        return { text, clientHits: count('clients', 'hit'), keyHits: count('private_keys', 'hit') };
      };
      assert.equal((await token(server, acme.clientId, acme.clientSecret)).status, 200);
      const first = await read();
      assert.ok(Number.isFinite(first.clientHits), `a clients hit counter:\n${first.text}`);
      assert.equal((await token(server, acme.clientId, acme.clientSecret)).status, 200);
      const second = await read();
      assert.ok(second.clientHits > first.clientHits, 'the second request found the client in the cache');
      assert.ok(second.keyHits > first.keyHits, 'and its imported signing key');
      assert.match(second.text, /^latchkey_cache_bytes\{cache="tenants"\} [1-9]\d*$/m);
      assert.match(second.text, /^latchkey_cache_evictions_total\{cache="signing_key_sets"\} 0$/m);
    });

    it('introspection reads clients and subjects through the caches, and a change shows on the very next request (issue 21)', async () => {
      const issued = await json(await token(server, acme.clientId, acme.clientSecret));
      const introspect = (secret: string) =>
        postForm(`${server.url}/t/acme/oauth2/introspect`, { token: String(issued.access_token), token_type_hint: 'access_token' }, { authorization: basicAuth(acme.clientId, secret) });
      let groups: unknown;
      for (let i = 0; i < 2; i += 1) {
        const body = await json(await introspect(acme.clientSecret));
        assert.equal(body.active, true);
        groups = body.groups;
      }
      assert.ok(Array.isArray(groups));
      // A membership added, then the service account disabled: each shows in the very next answer.
      const now = Date.now();
      await server.ctx.db.insertInto('groups').values({ id: 'grp_introspect', tenant_id: acme.tenant.id, name: 'readers', description: null, created_at: now, updated_at: now }).execute();
      await server.ctx.db.insertInto('group_members').values({ group_id: 'grp_introspect', user_id: await serviceUserId(server, acme.clientId), created_at: now }).execute();
      assert.deepEqual((await json(await introspect(acme.clientSecret))).groups, [...(groups as string[]), 'readers'].sort());
      const userId = await serviceUserId(server, acme.clientId);
      await server.ctx.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', userId).execute();
      assert.equal((await json(await introspect(acme.clientSecret))).active, false);
      await server.ctx.db.updateTable('users').set({ status: 'active' }).where('id', '=', userId).execute();
      assert.equal((await json(await introspect(acme.clientSecret))).active, true);
      // A rotated-out secret is refused at once, though the client was cached.
      const rotated = await rotateClientSecret(server.ctx, acme.clientId);
      assert.equal((await introspect(acme.clientSecret)).status, 401);
      assert.equal((await json(await introspect(rotated.clientSecret!))).active, true);
      acme = { ...acme, clientSecret: rotated.clientSecret! };
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(metrics, /^latchkey_cache_requests_total\{cache="access",result="hit"\} [1-9]\d*$/m);
    });

    it('refuses a disabled service account on the very next request', async () => {
      assert.equal((await token(server, acme.clientId, acme.clientSecret)).status, 200);
      const userId = await serviceUserId(server, acme.clientId);
      await server.ctx.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', userId).execute();
      const refused = await token(server, acme.clientId, acme.clientSecret);
      assert.equal(refused.status, 400);
      assert.equal((await json(refused)).error, 'unauthorized_client');
      await server.ctx.db.updateTable('users').set({ status: 'active' }).where('id', '=', userId).execute();
      assert.equal((await token(server, acme.clientId, acme.clientSecret)).status, 200);
    });
  });

  describe(`token endpoint caches turned off (${dialect})`, () => {
    let server: TestServer;
    let acme: TenantWithClient;

    before(async () => {
      server = await startTestServer(dialect, { LATCHKEY_CACHE_TTL_SECONDS: '0' });
      acme = await createTenantWithClient(server, 'acme');
    });
    after(() => server.stop());

    it('sees a secret rotated by another instance at once', async () => {
      assert.equal((await token(server, acme.clientId, acme.clientSecret)).status, 200);
      const other = openDatabase(server.database.url);
      try {
        await clientQueries(other.db).setSecretHash(acme.clientId, '0'.repeat(64), Date.now());
      } finally {
        await other.db.destroy();
      }
      assert.equal((await token(server, acme.clientId, acme.clientSecret)).status, 401);
    });
  });
}
