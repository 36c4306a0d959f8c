/**
 * `latchkey keys rotate`: the new key is published before it signs, and retired keys stay in JWKS until every
 * token they signed has expired, so tokens issued before a rotation keep verifying.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { DIALECTS } from '../support/databases.ts';
import { createTenantWithClient, issuerOf, startTestServer } from '../support/server.ts';
import type { TenantWithClient, TestServer } from '../support/server.ts';
import { json, postForm } from '../support/http.ts';
import { runCli } from '../../src/cli/main.ts';

async function getToken(server: TestServer, client: TenantWithClient): Promise<string> {
  const body = await json(await postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }));
  return body.access_token as string;
}

async function jwksKids(server: TestServer, slug: string): Promise<string[]> {
  const { keys } = (await (await fetch(`${issuerOf(server, slug)}/jwks`)).json()) as { keys: Array<{ kid: string }> };
  return keys.map((k) => k.kid);
}

async function rotate(server: TestServer, slug: string, activateIn: number, extra: string[] = ['--json']): Promise<Record<string, string>> {
  let out = '';
  const code = await runCli(['keys', 'rotate', '--tenant', slug, '--activate-in', String(activateIn), ...extra], { stdout: (t) => (out += t), stderr: () => {} }, {
    LATCHKEY_DATABASE_URL: server.database.url,
    LATCHKEY_DATA_DIR: server.database.dir,
    LATCHKEY_SECRET: server.config.secret,
    LATCHKEY_LOG_LEVEL: 'silent',
  });
  assert.equal(code, 0);
  // The CLI is another process in production; here it is another context on the same database, so the
  // server learns of the rotation only through its cache expiring. Drop the cache as a TTL expiry would.
  server.ctx.signingKeys.invalidate();
  return extra.includes('--json') ? (JSON.parse(out) as Record<string, string>) : { text: out };
}

for (const dialect of DIALECTS) {
  describe(`signing key rotation (${dialect})`, () => {
    let server: TestServer;
    let acme: TenantWithClient;
    before(async () => {
      server = await startTestServer(dialect, { LATCHKEY_CACHE_TTL_SECONDS: '0' });
      acme = await createTenantWithClient(server, 'acme');
    });
    after(() => server.stop());

    it('publishes a rotated-in key before it signs', async () => {
      const before = await getToken(server, acme);
      const oldKid = decodeProtectedHeader(before).kid!;
      const rotation = await rotate(server, 'acme', 3600);
      assert.deepEqual((await jwksKids(server, 'acme')).sort(), [oldKid, rotation.kid].sort());
      // Still waiting to activate: the old key keeps signing.
      assert.equal(decodeProtectedHeader(await getToken(server, acme)).kid, oldKid);
    });

    it('signs with the new key once it is active and keeps the old one published for tokens it signed', async () => {
      const oldToken = await getToken(server, acme);
      const rotation = await rotate(server, 'acme', 0);
      const newToken = await getToken(server, acme);
      assert.equal(decodeProtectedHeader(newToken).kid, rotation.kid);
      assert.notEqual(decodeProtectedHeader(oldToken).kid, rotation.kid);
      const jwks = await (await fetch(`${issuerOf(server, 'acme')}/jwks`)).json();
      for (const token of [oldToken, newToken]) {
        await jwtVerify(token, createLocalJWKSet(jwks), { issuer: issuerOf(server, 'acme'), audience: acme.clientId });
      }
      // Published until the last token the retired key could have signed expires (activation + lifetime).
      const until = Date.parse(rotation.retired_keys_published_until!);
      const lifetime = Date.parse(rotation.retired_keys_published_until!) - Date.parse(rotation.activates_at!);
      assert.equal(lifetime, 3600 * 1000);
      assert.ok(until > Date.now());
    });

    it('`keys rotate --alg ES256` stages an ES256 key, switches the tenant to ES256 when it activates, and says which key signs until when (issue 14.10)', async () => {
      const other = await createTenantWithClient(server, 'switch');
      const oldKid = decodeProtectedHeader(await getToken(server, other)).kid!;
      const staged = await rotate(server, 'switch', 3600, ['--alg', 'ES256', '--json']);
      assert.equal(staged.alg, 'ES256');
      assert.equal(staged.signing_alg, 'ES256');
      assert.deepEqual(staged.signs_until_activation, { kid: oldKid, alg: 'RS256' });
      // Waiting to activate: the RS256 key keeps signing, and JWKS already shows the ES256 key.
      assert.deepEqual(decodeProtectedHeader(await getToken(server, other)), { alg: 'RS256', kid: oldKid, typ: 'at+jwt' });
      assert.ok((await jwksKids(server, 'switch')).includes(staged.kid!));
      // The tenant's setting names the algorithm that takes over; the tenant as read back says so too.
      assert.equal((await server.ctx.tenants.bySlug('switch'))?.settings.signing_alg, 'ES256');

      const human = (await rotate(server, 'switch', 0, ['--alg', 'EdDSA'])).text!;
      const now = decodeProtectedHeader(await getToken(server, other));
      assert.equal(now.alg, 'EdDSA');
      assert.ok(human.includes(`EdDSA key ${now.kid} signs from `), human);
      const jwks = await (await fetch(`${issuerOf(server, 'switch')}/jwks`)).json();
      for (const kid of [oldKid, staged.kid!, now.kid!]) assert.ok((jwks.keys as Array<{ kid: string }>).some((k) => k.kid === kid), kid);
    });

    it('drops a retired key from JWKS once its tokens have expired', async () => {
      const kidsBefore = await jwksKids(server, 'acme');
      // Pretend the publication window has passed by moving it into the past.
      await server.ctx.db.updateTable('signing_keys').set({ publish_until: Date.now() - 1 }).where('publish_until', 'is not', null).execute();
      server.ctx.signingKeys.invalidate();
      const kidsAfter = await jwksKids(server, 'acme');
      assert.equal(kidsAfter.length, 1);
      assert.ok(kidsBefore.includes(kidsAfter[0]!));
      assert.equal(decodeProtectedHeader(await getToken(server, acme)).kid, kidsAfter[0]);
    });
  });
}
