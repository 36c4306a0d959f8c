/**
 * Switching a tenant's signing algorithm across instances (issue 14.4). The first key of the new algorithm used
 * to be made on demand by whichever request needed it, active at once and without a lock: several instances made
 * one each, and tokens they signed did not verify against another instance's JWKS (its cache did not hold the
 * key yet). A switch now goes through the staged path of a rotation: exactly one key is made, published first,
 * and the old algorithm signs until LATCHKEY_KEY_ACTIVATION_DELAY_SECONDS have passed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtectedHeader } from 'jose';
import { DIALECTS } from '../support/databases.ts';
import { startDeployment } from '../support/instances.ts';
import type { Deployment } from '../support/instances.ts';
import { adminCaller } from '../support/admin.ts';
import { createTenantWithClient, startTestServer } from '../support/server.ts';
import type { TenantWithClient, TestServer } from '../support/server.ts';
import { clientCredentials, fetchJwks, inParallel, verifyAccessToken } from '../support/tokens.ts';
import { updateTenant } from '../../src/directory/tenant-changes.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function token(url: string, client: TenantWithClient): Promise<string> {
  const response = await clientCredentials(url, client.clientId, client.clientSecret);
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { access_token: string }).access_token;
}

async function keysOf(instance: TestServer, tenantId: string): Promise<Array<{ kid: string; alg: string; activates_at: number }>> {
  return instance.ctx.db.selectFrom('signing_keys').select(['kid', 'alg', 'activates_at']).where('tenant_id', '=', tenantId).execute();
}

for (const dialect of DIALECTS) {
  describe(`rotating to another algorithm through the admin API (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect, { LATCHKEY_CACHE_TTL_SECONDS: '0' });
    });
    after(() => server.stop());

    it('switches the tenant to the rotated-in algorithm when the key activates, and says which key signs until then (issue 14.10)', async () => {
      const acme = await createTenantWithClient(server, 'acme');
      const admin = await adminCaller(server, acme.tenant, 'tenant_admin');
      const oldKid = decodeProtectedHeader(await token(server.url, acme)).kid;

      const staged = await admin.call('POST', '/tenants/acme/signing-keys/rotate', { alg: 'ES256', activate_in: 3600 });
      assert.equal(staged.status, 200, JSON.stringify(staged.body));
      assert.equal(staged.body.alg, 'ES256');
      assert.equal(staged.body.signing_alg, 'ES256');
      assert.deepEqual(staged.body.signs_until_activation, { kid: oldKid, alg: 'RS256' });
      assert.equal(decodeProtectedHeader(await token(server.url, acme)).kid, oldKid);
      assert.equal(((await admin.call('GET', '/tenants/acme')).body.settings as { signing_alg: string }).signing_alg, 'ES256');
      // ID tokens are still RS256 until then: discovery names both algorithms, not only the one to come.
      const metadata = (await (await fetch(`${server.url}/t/acme/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      assert.deepEqual(metadata.id_token_signing_alg_values_supported, ['ES256', 'RS256']);

      const now = await admin.call('POST', '/tenants/acme/signing-keys/rotate', { alg: 'EdDSA', activate_in: 0 });
      assert.equal(now.status, 200, JSON.stringify(now.body));
      assert.equal(now.body.signs_until_activation, null);
      assert.deepEqual(decodeProtectedHeader(await token(server.url, acme)), { alg: 'EdDSA', kid: now.body.kid, typ: 'at+jwt' });
      const after = (await (await fetch(`${server.url}/t/acme/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      assert.deepEqual(after.id_token_signing_alg_values_supported, ['EdDSA']);

      // An algorithm the tenant does not allow is refused and changes nothing.
      await admin.call('PATCH', '/tenants/acme', { settings: { allowed_signing_algs: ['EdDSA', 'RS256'] } });
      const refused = await admin.call('POST', '/tenants/acme/signing-keys/rotate', { alg: 'ES256', activate_in: 0 });
      assert.equal(refused.status, 400);
      assert.equal(decodeProtectedHeader(await token(server.url, acme)).kid, now.body.kid);
    });
  });

  describe(`switching a tenant's signing algorithm on three instances (${dialect})`, () => {
    describe('requests racing after the switch', () => {
      let deployment: Deployment;
      before(async () => {
        // No caches: every instance sees the new setting at once, so every request races for the first key.
        deployment = await startDeployment(dialect, 3, { LATCHKEY_CACHE_TTL_SECONDS: '0', LATCHKEY_KEY_ACTIVATION_DELAY_SECONDS: '3600' });
      });
      after(() => deployment.stop());

      it('makes exactly one key of the new algorithm however many requests race, and the old algorithm keeps signing until it activates', async () => {
        const { instances } = deployment;
        const acme = await createTenantWithClient(instances[0]!, 'acme');
        const oldKid = decodeProtectedHeader(await token(instances[0]!.url, acme)).kid;
        // The setting changes in the directory alone (as an import or a second tool would do it): nothing has
        // prepared a key, so the token requests below are the first to need one.
        await updateTenant(instances[0]!.ctx.db, acme.tenant, { settings: { signing_alg: 'ES256' } }, Date.now());
        const tokens = await inParallel(60, 30, (i) => token(instances[i % instances.length]!.url, acme));
        const es256 = (await keysOf(instances[0]!, acme.tenant.id)).filter((key) => key.alg === 'ES256');
        assert.equal(es256.length, 1, `ES256 keys made: ${es256.length}`);
        assert.ok(es256[0]!.activates_at > Date.now() + 3000_000, 'the new key waits for the activation delay');
        for (const t of tokens) assert.deepEqual(decodeProtectedHeader(t), { alg: 'RS256', kid: oldKid, typ: 'at+jwt' });
      });
    });

    describe('tokens issued through the switch', () => {
      let deployment: Deployment;
      let acme: TenantWithClient;
      before(async () => {
        deployment = await startDeployment(dialect, 3, { LATCHKEY_CACHE_TTL_SECONDS: '1', LATCHKEY_KEY_ACTIVATION_DELAY_SECONDS: '2' });
        acme = await createTenantWithClient(deployment.instances[0]!, 'acme');
      });
      after(() => deployment.stop());

      it('every token issued by any instance verifies against the JWKS of another instance fetched right after issuance', async () => {
        const { instances } = deployment;
        const issuer = `${deployment.baseUrl}/t/acme`;
        // Warm every instance's caches with the RS256 key.
        for (const instance of instances) {
          await token(instance.url, acme);
          await fetchJwks(instance.url, 'acme');
        }
        const admin = await adminCaller(instances[0]!, acme.tenant, 'tenant_admin');
        const patched = await admin.call('PATCH', `/tenants/${acme.tenant.id}`, { settings: { signing_alg: 'ES256' } });
        assert.equal(patched.status, 200, JSON.stringify(patched.body));
        // The instance that took the change signs with the old algorithm until the new key is active.
        assert.equal(decodeProtectedHeader(await token(instances[0]!.url, acme)).alg, 'RS256');

        const switched = new Set<number>();
        let verified = 0;
        for (let round = 0; round < 200 && switched.size < instances.length; round++) {
          // Three tokens from every instance at once, each checked against the others' JWKS as soon as it exists.
          await Promise.all(
            [...instances, ...instances, ...instances].map(async (instance, slot) => {
              const index = slot % instances.length;
              const accessToken = await token(instance.url, acme);
              // Whatever key signed it, every other instance's JWKS, asked right now, must already hold that key.
              for (const other of instances) {
                if (other === instance) continue;
                await verifyAccessToken(accessToken, await fetchJwks(other.url, 'acme'), issuer);
                verified++;
              }
              if (decodeProtectedHeader(accessToken).alg === 'ES256') switched.add(index);
            }),
          );
          await sleep(50);
        }
        assert.equal(switched.size, instances.length, 'every instance switched to ES256');
        assert.ok(verified > 0);
        const es256 = (await keysOf(instances[0]!, acme.tenant.id)).filter((key) => key.alg === 'ES256');
        assert.equal(es256.length, 1);
      });
    });
  });
}
