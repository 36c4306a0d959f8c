/**
 * API keys (seed 003 `sg_live_…` / `sg_test_…`): created through the admin API for a person or a service
 * account, shown once and stored as SHA-256, limited to what the owner holds at creation and at every use,
 * answered by introspection (RFC 7662) until revoked or expired, refused when a live-only tenant sees a test
 * key, with `last_used_at` written in batches.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { DIALECTS } from '../support/databases.ts';
import { createTenantWithClient, issuerOf, startTestServer } from '../support/server.ts';
import type { TenantWithClient, TestServer } from '../support/server.ts';
import { adminCaller } from '../support/admin.ts';
import type { AdminCaller } from '../support/admin.ts';
import { snapshotDatabase } from '../support/snapshot.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { clientQueries } from '../../src/db/queries/clients.ts';
import { apiKeyIntrospector } from '../../src/oauth/introspection/api-key-introspector.ts';
import { apiKeyUsageFor } from '../../src/directory/api-key-usage.ts';
import { parseApiKey } from '../../src/tokens/api-key-format.ts';
import { basicAuth, json, postForm } from '../support/http.ts';
import { createVerifier, protect, requirePermission } from '../../../relying-party/src/index.ts';

for (const dialect of DIALECTS) {
  describe(`API keys (${dialect})`, () => {
    let server: TestServer;
    let admin: AdminCaller;
    let acme: TenantWithClient;
    let ownerId: string;
    let roleId: string;

    async function ok(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
      const response = await admin.call(method, `/tenants/acme${path}`, body);
      assert.ok(response.status < 300, `${method} ${path} answered ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    }

    /** What the introspection endpoint answers acme's client for this key. */
    async function introspect(key: string, tenantSlug = 'acme'): Promise<Record<string, unknown> | undefined> {
      const tenant = (await server.ctx.tenants.bySlug(tenantSlug))!;
      const client = (await clientQueries(server.ctx.db).listByTenant(tenant.id))[0]!;
      return apiKeyIntrospector.introspect(key, { ctx: server.ctx, tenant, client });
    }

    before(async () => {
      server = await startTestServer(dialect);
      admin = await adminCaller(server, await createTenant(server.ctx, { slug: 'ops' }), 'super_admin');
      acme = await createTenantWithClient(server, 'acme');
      await createTenantWithClient(server, 'globex');
      ownerId = (await ok('POST', '/users', { email: 'dev@acme.test' })).id as string;
      roleId = (await ok('POST', '/roles', { name: 'sender', permissions: ['mail.send', 'templates.read'] })).id as string;
      await ok('PUT', `/users/${ownerId}/roles/${roleId}`);
    });
    after(() => server.stop());

    it('creates a key shown once, stored only as its SHA-256, with a valid checksum', async () => {
      const created = await ok('POST', '/api-keys', { owner_user_id: ownerId, name: 'ci', permissions: ['mail.send'] });
      const key = created.key as string;
      assert.match(key, /^sg_live_[0-9A-Za-z]{49}$/);
      assert.deepEqual(parseApiKey(key), { prefix: 'sg', mode: 'live' });
      assert.equal(created.display_prefix, key.slice(0, 12));
      const stored = await server.ctx.db.selectFrom('api_keys').selectAll().where('id', '=', created.id as string).executeTakeFirstOrThrow();
      assert.equal(stored.key_hash, createHash('sha256').update(key).digest('hex'));
      assert.ok(!JSON.stringify(await snapshotDatabase(server.ctx.db, dialect)).includes(key.slice(8)));
      const read = await ok('GET', `/api-keys/${created.id}`);
      assert.equal(read.key, undefined);
    });

    it('create → use (introspection) → revoke → inactive', async () => {
      const created = await ok('POST', '/api-keys', { owner_user_id: ownerId, permissions: ['mail.send'], expires_at: new Date(Date.now() + 3_600_000).toISOString() });
      const key = created.key as string;
      const answer = await introspect(key);
      assert.equal(answer?.active, true);
      assert.equal(answer?.token_type, 'api_key');
      assert.equal(answer?.sub, ownerId);
      assert.equal(answer?.tenant_id, acme.tenant.id);
      assert.deepEqual(answer?.permissions, ['mail.send']);
      assert.equal(answer?.scope, 'mail.send');
      assert.equal(answer?.client_id, undefined);
      assert.equal(typeof answer?.exp, 'number');
      // Another tenant's client learns nothing about it.
      assert.deepEqual(await introspect(key, 'globex'), { active: false });

      const revoked = await admin.call('DELETE', `/tenants/acme/api-keys/${created.id}`);
      assert.equal(revoked.status, 200);
      assert.equal(typeof revoked.body.revoked_at, 'string');
      assert.deepEqual(await introspect(key), { active: false });
      const denied = await admin.call('GET', `/audit-events?action=api_key.use_denied&actor_id=${created.id}`);
      assert.equal(((denied.body.data as Array<{ details: { reason: string } }>)[0])?.details.reason, 'revoked');
    });

    it('over HTTP: the introspection endpoint and a product guarded by the relying-party kit, 200 → revoke → 401', async () => {
      const created = await ok('POST', '/api-keys', { owner_user_id: ownerId, permissions: ['mail.send'] });
      const key = created.key as string;
      const introspectOverHttp = async () =>
        json(await postForm(`${issuerOf(server, 'acme')}/oauth2/introspect`, { token: key, token_type_hint: 'api_key' }, { authorization: basicAuth(acme.clientId, acme.clientSecret) }));
      const active = await introspectOverHttp();
      assert.equal(active.active, true);
      assert.equal(active.sub, ownerId);
      assert.deepEqual(active.permissions, ['mail.send']);
      assert.equal(active.email, 'dev@acme.test');

      const verifier = createVerifier({
        issuer: issuerOf(server, 'acme'),
        audience: acme.clientId,
        apiKeys: { clientId: acme.clientId, clientSecret: acme.clientSecret, positiveTtlMs: 0, negativeTtlMs: 0 },
      });
      const product = protect(verifier, [requirePermission('mail.send')], () => Response.json({ sent: true }));
      const call = () => product(new Request('http://product.test/v3/mail/send', { method: 'POST', headers: { authorization: `Bearer ${key}` } }));
      assert.equal((await call()).status, 200);
      assert.equal((await admin.call('DELETE', `/tenants/acme/api-keys/${created.id}`)).status, 200);
      assert.deepEqual(await introspectOverHttp(), { active: false });
      const refused = await call();
      assert.equal(refused.status, 401);
      assert.match(refused.headers.get('www-authenticate') ?? '', /^Bearer /);
    });

    it('never holds more than the owner: refused at creation, narrowed at use', async () => {
      const before = await snapshotDatabase(server.ctx.db, dialect);
      const tooMuch = await admin.call('POST', '/tenants/acme/api-keys', { owner_user_id: ownerId, permissions: ['mail.send', 'billing.admin'] });
      assert.equal(tooMuch.status, 400);
      assert.match(String(tooMuch.body.error_description), /billing\.admin/);
      assert.deepEqual(await snapshotDatabase(server.ctx.db, dialect), before);

      const all = (await ok('POST', '/api-keys', { owner_user_id: ownerId })).key as string;
      const subset = (await ok('POST', '/api-keys', { owner_user_id: ownerId, permissions: ['templates.read'] })).key as string;
      assert.deepEqual((await introspect(all))?.permissions, ['mail.send', 'templates.read']);
      await ok('PATCH', `/roles/${roleId}`, { permissions: ['mail.send'] });
      assert.deepEqual((await introspect(all))?.permissions, ['mail.send']);
      assert.deepEqual((await introspect(subset))?.permissions, []);
      await ok('PATCH', `/roles/${roleId}`, { permissions: ['mail.send', 'templates.read'] });
      await ok('PATCH', `/users/${ownerId}`, { status: 'disabled' });
      assert.deepEqual(await introspect(all), { active: false });
      await ok('PATCH', `/users/${ownerId}`, { status: 'active' });
    });

    it('gives a service account keys carrying its groups and permissions', async () => {
      const serviceAccount = (await ok('GET', `/clients/${acme.clientId}`)).service_account_id as string;
      const group = (await ok('POST', '/groups', { name: 'senders' })).id as string;
      await ok('PUT', `/groups/${group}/roles/${roleId}`);
      await ok('PUT', `/groups/${group}/members/${serviceAccount}`);
      const key = (await ok('POST', '/api-keys', { owner_user_id: serviceAccount, mode: 'test' })).key as string;
      assert.match(key, /^sg_test_/);
      const answer = await introspect(key);
      assert.equal(answer?.sub, serviceAccount);
      assert.deepEqual(answer?.groups, ['senders']);
      assert.deepEqual(answer?.permissions, ['mail.send', 'templates.read']);
      assert.equal(answer?.api_key_mode, 'test');
    });

    it('refuses sg_test_ keys where the tenant requires live keys, at creation and at use', async () => {
      const testKey = (await ok('POST', '/api-keys', { owner_user_id: ownerId, mode: 'test' })).key as string;
      const liveKey = (await ok('POST', '/api-keys', { owner_user_id: ownerId, mode: 'live' })).key as string;
      assert.equal((await admin.call('PATCH', '/tenants/acme', { settings: { require_live_api_keys: true } })).status, 200);
      const refused = await admin.call('POST', '/tenants/acme/api-keys', { owner_user_id: ownerId, mode: 'test' });
      assert.equal(refused.status, 400);
      assert.match(String(refused.body.error_description), /live/);
      assert.deepEqual(await introspect(testKey), { active: false });
      assert.equal((await introspect(liveKey))?.active, true);
      const denied = await admin.call('GET', '/audit-events?action=api_key.use_denied&outcome=failure&limit=200');
      assert.ok((denied.body.data as Array<{ details: { reason: string } }>).some((e) => e.details.reason === 'test_key_refused'));
      await admin.call('PATCH', '/tenants/acme', { settings: { require_live_api_keys: false } });
    });

    it('leaves malformed keys, bad checksums and expired keys inactive; JWTs to other introspectors', async () => {
      const key = (await ok('POST', '/api-keys', { owner_user_id: ownerId })).key as string;
      const flipped = `${key.slice(0, 20)}${key[20] === 'A' ? 'B' : 'A'}${key.slice(21)}`;
      assert.deepEqual(await introspect(flipped), { active: false });
      assert.deepEqual(await introspect('sg_live_short'), { active: false });
      assert.equal(await introspect('eyJhbGciOiJSUzI1NiJ9.e30.sig'), undefined);
      const expiring = await ok('POST', '/api-keys', { owner_user_id: ownerId, expires_at: new Date(Date.now() + 60_000).toISOString() });
      await server.ctx.db.updateTable('api_keys').set({ expires_at: Date.now() - 1 }).where('id', '=', expiring.id as string).execute();
      assert.deepEqual(await introspect(expiring.key as string), { active: false });
      const past = await admin.call('POST', '/tenants/acme/api-keys', { owner_user_id: ownerId, expires_at: '2001-01-01T00:00:00Z' });
      assert.equal(past.status, 400);
    });

    it("another tenant's client introspecting a key neither marks it used nor writes audit events (issue 13, 10)", async () => {
      const usage = apiKeyUsageFor(server.ctx);
      const live = await ok('POST', '/api-keys', { owner_user_id: ownerId });
      const revoked = await ok('POST', '/api-keys', { owner_user_id: ownerId });
      await ok('DELETE', `/api-keys/${revoked.id}`);
      await usage.flush();
      const auditCount = async () => Number((await server.ctx.db.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const before = await auditCount();
      for (const key of [live.key as string, revoked.key as string]) assert.deepEqual(await introspect(key, 'globex'), { active: false });
      assert.equal(usage.pending, 0, "a foreign tenant's look-up is not a use");
      await usage.flush();
      assert.equal((await ok('GET', `/api-keys/${live.id}`)).last_used_at, null);
      assert.equal(await auditCount(), before, "no audit event lands in the key's tenant");
    });

    it('writes last_used_at in batches, not on every use', async () => {
      const created = await ok('POST', '/api-keys', { owner_user_id: ownerId });
      const usage = apiKeyUsageFor(server.ctx);
      await usage.flush();
      for (let i = 0; i < 5; i++) assert.equal((await introspect(created.key as string))?.active, true);
      assert.equal((await ok('GET', `/api-keys/${created.id}`)).last_used_at, null);
      assert.equal(usage.pending, 1);
      await usage.flush();
      assert.equal(usage.pending, 0);
      assert.equal(typeof (await ok('GET', `/api-keys/${created.id}`)).last_used_at, 'string');
    });
  });
}
