/**
 * API keys (seed 003) through the IdP's introspection endpoint: recognised by prefix, cached briefly (positive
 * and negative apart), refused once revoked and the cached answer has aged out, and guarded by permission.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTenantWithClient, issuerOf, startTestServer } from '../../server/test/support/server.ts';
import type { TenantWithClient, TestServer } from '../../server/test/support/server.ts';
import { createUser } from '../../server/src/directory/users.ts';
import { createApiKey, revokeApiKey } from '../../server/src/directory/api-keys.ts';
import { assignRoleToUser, createRole } from '../../server/src/directory/roles.ts';
import { createVerifier, protect, requirePermission } from '../src/index.ts';
import type { Verifier } from '../src/index.ts';

describe('API key verification', () => {
  let server: TestServer;
  let acme: TenantWithClient;
  let verifier: Verifier;
  let key: { id: string; value: string };
  let userId: string;
  let introspections = 0;
  let clock = Date.now();

  before(async () => {
    server = await startTestServer('sqlite');
    acme = await createTenantWithClient(server, 'acme');
    const user = await createUser(server.ctx, acme.tenant, { email: 'ada@acme.test', password: 'a long enough password 1' });
    userId = user.id;
    const role = await createRole(server.ctx.db, acme.tenant.id, { name: 'sender', permissions: ['mail.send', 'stats.read'] }, Date.now());
    await assignRoleToUser(server.ctx.db, acme.tenant.id, user.id, role.id, Date.now());
    const created = await createApiKey(server.ctx.db, acme.tenant, { ownerUserId: user.id, permissions: ['mail.send'] }, Date.now());
    key = { id: created.row.id, value: created.key };
    verifier = createVerifier({
      issuer: issuerOf(server, 'acme'),
      audience: acme.clientId,
      apiKeys: { clientId: acme.clientId, clientSecret: acme.clientSecret, positiveTtlMs: 30_000, negativeTtlMs: 10_000 },
      now: () => clock,
      fetch: (input, init) => {
        if (String(input).includes('introspect')) introspections += 1;
        return fetch(input, init);
      },
    });
  });
  after(() => server.stop());

  it('recognises sg_live_… by prefix and answers an api_key principal, cached', async () => {
    const principal = await verifier.authenticate(`Bearer ${key.value}`);
    assert.equal(principal.kind, 'api_key');
    assert.equal(principal.sub, userId);
    assert.equal(principal.tenant_id, acme.tenant.id);
    assert.deepEqual(principal.permissions, ['mail.send']);
    await verifier.verify(key.value);
    assert.equal(introspections, 1, 'the positive answer is cached');
  });

  it('403 for a key lacking the permission, 200 for one that has it', async () => {
    const request = () => new Request('http://product/v3/templates', { headers: { authorization: `Bearer ${key.value}` } });
    assert.equal((await protect(verifier, [requirePermission('stats.read')], () => Response.json({}))(request())).status, 403);
    assert.equal((await protect(verifier, [requirePermission('mail.send')], () => Response.json({}))(request())).status, 200);
  });

  it('a revoked key is refused once the cached answer ages out', async () => {
    await revokeApiKey(server.ctx.db, acme.tenant.id, key.id, Date.now());
    clock += 31_000;
    await assert.rejects(verifier.verify(key.value), (error: Error & { status: number; code: string }) => error.status === 401 && error.code === 'invalid_token');
  });

  it('an unknown key is refused, and the refusal is cached for a short while', async () => {
    const unknown = `sg_live_${'A'.repeat(49)}`;
    const before = introspections;
    await assert.rejects(verifier.verify(unknown), /unknown, revoked or expired/);
    await assert.rejects(verifier.verify(unknown), /unknown, revoked or expired/);
    assert.equal(introspections, before + 1);
    clock += 11_000;
    await assert.rejects(verifier.verify(unknown), /unknown, revoked or expired/);
    assert.equal(introspections, before + 2);
  });

  it('a credential of another shape is treated as a JWT and refused without introspection', async () => {
    const before = introspections;
    await assert.rejects(verifier.verify('xx_live_abc'), (error: Error & { status: number }) => error.status === 401);
    assert.equal(introspections, before);
  });
});
