/**
 * The bearer verifier against a real Latchkey server: genuine tokens pass; expired, not-yet-valid, foreign,
 * unsigned, HMAC-forged and unknown-key tokens are 401; valid tokens lacking scope, group or permission are 403.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { JWTPayload } from 'jose';
import { createTenantWithClient, issuerOf, startTestServer } from '../../server/test/support/server.ts';
import type { TenantWithClient, TestServer } from '../../server/test/support/server.ts';
import { postForm } from '../../server/test/support/http.ts';
import { createClient } from '../../server/src/directory/clients.ts';
import { createVerifier, protect, requireGroup, requirePermission, requireScope, verifyIdToken } from '../src/index.ts';
import type { Verifier } from '../src/index.ts';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('bearer verifier', () => {
  let server: TestServer;
  let acme: TenantWithClient;
  let issuer: string;
  let clock = 0;
  let verifier: Verifier;

  const now = () => Date.now() + clock;
  const token = async (clientId = acme.clientId, secret = acme.clientSecret, scope = 'openid') => {
    const response = await postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope });
    return ((await response.json()) as { access_token: string }).access_token;
  };
  /** A token signed with the tenant's real key, with chosen claims. */
  const forged = async (claims: JWTPayload, header: Record<string, unknown> = {}) => {
    const key = await server.ctx.signingKeys.activeKey(acme.tenant.id, 'RS256');
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: issuer, aud: acme.clientId, sub: 'usr_x', iat, exp: iat + 600, scope: 'openid', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'at+jwt', ...header })
      .sign(key.keyObject);
  };
  const rejects = async (credential: string, pattern: RegExp) => {
    await assert.rejects(verifier.verify(credential), (error: Error & { status?: number; code?: string }) => {
      assert.equal(error.status, 401);
      assert.equal(error.code, 'invalid_token');
      assert.match(error.message, pattern);
      return true;
    });
  };

  before(async () => {
    server = await startTestServer('sqlite');
    acme = await createTenantWithClient(server, 'acme', { scopes: ['openid', 'mail:read'] });
    issuer = issuerOf(server, 'acme');
    verifier = createVerifier({ issuer, audience: acme.clientId, now, clockToleranceSeconds: 5 });
  });
  after(() => server.stop());

  it('accepts a client_credentials token and describes its service account', async () => {
    const principal = await verifier.authenticate(`Bearer ${await token()}`);
    assert.equal(principal.kind, 'service');
    assert.equal(principal.tenant_id, acme.tenant.id);
    assert.deepEqual(principal.scopes, ['openid']);
    assert.deepEqual(principal.groups, []);
    assert.match(principal.sub, /^usr_/);
    assert.equal(verifier.jwks.fetchCount, 1);
    await verifier.verify(await token());
    assert.equal(verifier.jwks.fetchCount, 1, 'the key set is cached');
  });

  it('refuses an expired token, and accepts one within the clock skew', async () => {
    const iat = Math.floor(Date.now() / 1000) - 120;
    await rejects(await forged({ iat, exp: iat + 60 }), /expired/);
    await verifier.verify(await forged({ iat, exp: Math.floor(Date.now() / 1000) - 2 }));
  });

  it('refuses a token that is not valid yet', async () => {
    await rejects(await forged({ nbf: Math.floor(Date.now() / 1000) + 120 }), /not valid yet/);
  });

  it('refuses a token of another issuer', async () => {
    await rejects(await forged({ iss: `${server.url}/t/other` }), /iss/);
  });

  it('refuses a token for another audience', async () => {
    const other = await createClient(server.ctx, acme.tenant, { name: 'other api' });
    await rejects(await token(other.client.clientId, other.clientSecret ?? ''), /aud/);
  });

  it('refuses alg none', async () => {
    const payload = { iss: issuer, aud: acme.clientId, sub: 'usr_x', exp: Math.floor(Date.now() / 1000) + 600 };
    await rejects(`${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(payload)}.`, /algorithm none/);
  });

  it('refuses HS256 signed with the public key as the secret', async () => {
    const jwks = (await (await fetch(`${issuer}/jwks`)).json()) as { keys: Array<{ kid: string }> };
    const publicKey = jwks.keys[0];
    assert.ok(publicKey);
    const payload = { iss: issuer, aud: acme.clientId, sub: 'usr_x', exp: Math.floor(Date.now() / 1000) + 600 };
    const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: publicKey.kid })}.${b64(payload)}`;
    const signature = createHmac('sha256', JSON.stringify(publicKey)).update(input).digest('base64url');
    await rejects(`${input}.${signature}`, /algorithm HS256/);
  });

  it('refuses an ID token presented as an access token (typ)', async () => {
    await rejects(await forged({}, { typ: 'JWT' }), /type/);
  });

  it('verifies an ID token (typ JWT, audience, nonce) and refuses an access token in its place', async () => {
    const idToken = await forged({ nonce: 'n-123' }, { typ: 'JWT' });
    assert.equal((await verifyIdToken(verifier, idToken, { clientId: acme.clientId, nonce: 'n-123' })).nonce, 'n-123');
    await assert.rejects(verifyIdToken(verifier, idToken, { clientId: acme.clientId, nonce: 'other' }), /nonce/);
    await assert.rejects(verifyIdToken(verifier, idToken, { clientId: 'another-client' }), /aud/);
    await assert.rejects(verifyIdToken(verifier, await forged({ nonce: 'n-123' }), { clientId: acme.clientId, nonce: 'n-123' }), /type must be JWT/);
  });

  it('refetches the key set once for an unknown kid, then refuses; a second unknown kid within the cooldown fetches nothing', async () => {
    clock += 60_000; // past the refetch cooldown of the first fetch
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const iat = Math.floor(now() / 1000);
    const stranger = await new SignJWT({ iss: issuer, aud: acme.clientId, sub: 'usr_x', iat, exp: iat + 600 })
      .setProtectedHeader({ alg: 'RS256', kid: 'not-a-latchkey-kid', typ: 'at+jwt' })
      .sign(privateKey);
    assert.ok(await exportJWK(publicKey));
    const before = verifier.jwks.fetchCount;
    await rejects(stranger, /unknown key/);
    assert.equal(verifier.jwks.fetchCount, before + 1);
    await rejects(stranger, /unknown key/);
    assert.equal(verifier.jwks.fetchCount, before + 1, 'refetches are rate-limited');
  });

  it('refuses a badly signed token with a known kid', async () => {
    const genuine = await token();
    const [header, payload] = genuine.split('.');
    await rejects(`${header}.${payload}.${'A'.repeat(342)}`, /signature/);
  });

  it('answers 401 for missing and malformed credentials with RFC 6750 challenges', async () => {
    const handler = protect(verifier, [], () => Response.json({ ok: true }), 'mail');
    const missing = await handler(new Request('http://product/v1/me'));
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="mail"');
    const malformed = await handler(new Request('http://product/v1/me', { headers: { authorization: 'Bearer not a token' } }));
    assert.equal(malformed.status, 401);
    assert.match(malformed.headers.get('www-authenticate') ?? '', /^Bearer realm="mail", error="invalid_token", error_description="/);
    const garbage = await handler(new Request('http://product/v1/me', { headers: { authorization: 'Bearer abc.def.ghi' } }));
    assert.equal(garbage.status, 401);
    assert.equal(((await garbage.json()) as { error: string }).error, 'invalid_token');
  });

  it('answers 403 insufficient_scope for a valid token lacking scope, group or permission', async () => {
    const bearer = { authorization: `Bearer ${await token()}` };
    for (const guard of [requireScope('mail:read'), requireGroup('mail-users'), requirePermission('mail.send')]) {
      const response = await protect(verifier, [guard], () => Response.json({ ok: true }))(new Request('http://product/v1/mailboxes', { headers: bearer }));
      assert.equal(response.status, 403);
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer error="insufficient_scope", error_description="/);
      assert.equal(((await response.json()) as { error: string }).error, 'insufficient_scope');
    }
    const scoped = await protect(verifier, [requireScope('mail:read')], () => Response.json({ ok: true }))(
      new Request('http://product/v1/mailboxes', { headers: { authorization: `Bearer ${await token(undefined, undefined, 'openid mail:read')}` } }),
    );
    assert.equal(scoped.status, 200);
  });
});
