/**
 * Security checklist, part 1 of 3: the authorization endpoint and the code. One test per applicable item of
 * RFC 9700 (OAuth 2.0 Security BCP) and OpenID Connect Core 1.0 §16, named after the section it audits.
 * Parts 2 and 3: `security-checklist.tokens.test.ts`, `security-checklist.pages.test.ts`.
 * SQLite only: the feature tests cover both dialects; these tests audit protocol behaviour, not storage.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { json } from '../support/http.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { CookieJar, createPkce, exchangeCode, fetchWithJar, signIn, signInForTokens } from '../support/sign-in.ts';
import { createClient } from '../../src/directory/clients.ts';

describe('security checklist: authorization endpoint and code', () => {
  let server: TestServer;
  let acme: SignInFixture;
  let other: { clientId: string; clientSecret: string; redirectUri: string };

  before(async () => {
    server = await startTestServer('sqlite');
    acme = await createSignInFixture(server, 'acme', { redirectUri: 'http://127.0.0.1:5999/callback' });
    const redirectUri = 'http://127.0.0.1:5999/other-callback';
    const created = await createClient(server.ctx, acme.tenant, { name: 'acme other', redirectUris: [acme.redirectUri, redirectUri], grantTypes: ['authorization_code', 'refresh_token'] });
    other = { clientId: created.client.clientId, clientSecret: created.clientSecret!, redirectUri };
  });
  after(() => server.stop());

  function authorize(params: Record<string, string>, jar = new CookieJar()): Promise<Response> {
    const url = new URL(`${acme.issuer}/oauth2/authorize`);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return fetchWithJar(jar, url.href);
  }

  function validParams(redirectUri: string): Record<string, string> {
    const pkce = createPkce();
    return { client_id: acme.clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', state: 's', code_challenge: pkce.challenge, code_challenge_method: 'S256' };
  }

  it('RFC 9700 §4.1.1 / §2.1 exact redirect URI matching: prefix, suffix, case, traversal, extra query, port all refused', async () => {
    const variants = [
      'http://127.0.0.1:5999/callbac', // prefix of the registered URI
      'http://127.0.0.1:5999/callback/extra', // suffix
      'http://127.0.0.1:5999/callbackx',
      'http://127.0.0.1:5999/CALLBACK', // case
      'HTTP://127.0.0.1:5999/Callback',
      'http://127.0.0.1:5999/callback/../callback', // path traversal
      'http://127.0.0.1:5999/x/../callback',
      'http://127.0.0.1:5999/callback%2F..%2Fevil',
      'http://127.0.0.1:5999/callback?x=1', // extra query parameter
      'http://127.0.0.1:5999/callback#frag',
      'http://127.0.0.1:6000/callback', // different port
      'http://127.0.0.1/callback',
      'https://127.0.0.1:5999/callback', // different scheme
      'http://localhost:5999/callback', // different host
      'http://127.0.0.1:5999/callback ',
      'http://127.0.0.1:5999/callback/.',
      'http://127.0.0.1:5999/%63allback', // percent-encoded
      'http://127.0.0.1:5999@evil.example/callback', // userinfo trick
      'http://evil.example/http://127.0.0.1:5999/callback',
    ];
    for (const redirectUri of variants) {
      const response = await authorize(validParams(redirectUri));
      assert.equal(response.status, 400, redirectUri);
      assert.equal(response.headers.get('location'), null, `no redirect to ${redirectUri}`);
    }
    const exact = await authorize(validParams(acme.redirectUri));
    assert.equal(exact.status, 303, 'the exact registered URI is accepted');
  });

  it('RFC 9700 §2.1.1 / §4.8 PKCE downgrade: a code issued for a code_challenge is not redeemed without its verifier; plain is refused', async () => {
    const result = await signIn({ ...acme, scope: 'openid' });
    const withoutVerifier = await exchangeCode({ ...acme, code: result.code! });
    assert.equal(withoutVerifier.status, 400);
    assert.equal((await json(withoutVerifier)).error, 'invalid_grant');
    const plain = await authorize({ ...validParams(acme.redirectUri), code_challenge_method: 'plain' });
    assert.equal(plain.status, 303);
    const location = new URL(plain.headers.get('location')!);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.equal(location.searchParams.get('code'), null);
    const discovery = await json(await fetch(`${acme.issuer}/.well-known/openid-configuration`));
    assert.deepEqual(discovery.code_challenge_methods_supported, ['S256']);
    // A low-entropy verifier (RFC 7636 §4.1: at least 43 characters) is refused even when its hash matches.
    const weak = { verifier: 'short', challenge: createHash('sha256').update('short').digest('base64url') };
    const weakResult = await signIn({ ...acme, scope: 'openid', pkce: weak });
    const weakExchange = await exchangeCode({ ...acme, code: weakResult.code!, codeVerifier: weak.verifier });
    assert.equal(weakExchange.status, 400);
    assert.match(String((await json(weakExchange)).error_description), /43 to 128/);
    // The code is still good for its own verifier: the refusals did not burn it, and did not need to.
    assert.equal((await exchangeCode({ ...acme, code: result.code!, codeVerifier: result.pkce.verifier })).status, 200);
  });

  it('RFC 9700 §4.8.2 PKCE downgrade: a code_verifier for a code issued without code_challenge is refused', async () => {
    // Confidential clients may omit PKCE (public clients may not, see the authorization-code feature test).
    const result = await signIn({ ...acme, scope: 'openid', pkce: false });
    assert.ok(result.code);
    const attempt = await exchangeCode({ ...acme, code: result.code, codeVerifier: createPkce().verifier });
    assert.equal(attempt.status, 400);
    assert.equal((await json(attempt)).error, 'invalid_grant');
    const honest = await signIn({ ...acme, scope: 'openid', pkce: false });
    assert.equal((await exchangeCode({ ...acme, code: honest.code! })).status, 200, 'the same flow without a verifier works');
  });

  it('RFC 9700 §4.5 code injection: a code is bound to its client, its redirect URI and its PKCE verifier', async () => {
    const result = await signIn({ ...acme, scope: 'openid' });
    const attempts = [
      { ...acme, ...other, redirectUri: acme.redirectUri, code: result.code!, codeVerifier: result.pkce.verifier }, // client B
      { ...acme, redirectUri: other.redirectUri, code: result.code!, codeVerifier: result.pkce.verifier }, // redirect Y
      { ...acme, code: result.code!, codeVerifier: createPkce().verifier }, // another verifier
    ];
    for (const attempt of attempts) {
      const response = await exchangeCode(attempt);
      assert.equal(response.status === 400 || response.status === 401, true, JSON.stringify(attempt));
      assert.equal((await json(response)).access_token, undefined);
    }
    assert.equal((await exchangeCode({ ...acme, code: result.code!, codeVerifier: result.pkce.verifier })).status, 200);
  });

  it('RFC 9700 §4.4.2 mix-up: iss in every authorization response (success and error); discovery says so (RFC 9207)', async () => {
    const success = await signIn({ ...acme, scope: 'openid' });
    assert.equal(success.callback.searchParams.get('iss'), acme.issuer);
    const denied = await signIn({ ...acme, scope: 'openid', consent: 'deny', extra: { prompt: 'consent' } });
    assert.equal(denied.error, 'access_denied');
    assert.equal(denied.callback.searchParams.get('iss'), acme.issuer);
    const badScope = await authorize({ ...validParams(acme.redirectUri), scope: 'openid nonsense' });
    const location = new URL(badScope.headers.get('location')!);
    assert.ok(location.searchParams.get('error'));
    assert.equal(location.searchParams.get('iss'), acme.issuer);
    const silent = await authorize({ ...validParams(acme.redirectUri), prompt: 'none' });
    const silentLocation = new URL(silent.headers.get('location')!);
    assert.equal(silentLocation.searchParams.get('error'), 'login_required');
    assert.equal(silentLocation.searchParams.get('iss'), acme.issuer);
    const formPost = await authorize({ ...validParams(acme.redirectUri), prompt: 'none', response_mode: 'form_post' });
    assert.equal(formPost.status, 200);
    const fields = Object.fromEntries([...(await formPost.text()).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]));
    assert.equal(fields.error, 'login_required');
    assert.equal(fields.iss, acme.issuer, 'form_post errors carry iss too');
    const discovery = await json(await fetch(`${acme.issuer}/.well-known/openid-configuration`));
    assert.equal(discovery.authorization_response_iss_parameter_supported, true);
    assert.equal(discovery.issuer, acme.issuer);
  });

  it('RFC 9700 §4.11.2 open redirector: an unknown client or unregistered redirect URI gets an error page, never a redirect', async () => {
    const cases = [
      { ...validParams('https://evil.example/'), client_id: 'no-such-client' },
      validParams('https://evil.example/'),
      { ...validParams('https://evil.example/'), scope: 'nonsense', response_type: 'token' },
    ];
    for (const params of cases) {
      const response = await authorize(params);
      assert.equal(response.status, 400, JSON.stringify(params));
      assert.equal(response.headers.get('location'), null);
      assert.match(response.headers.get('content-type') ?? '', /text\/html/);
      assert.ok(!(await response.text()).includes('evil.example/"'), 'no link to the attacker either');
    }
  });

  it('RFC 6749 §4.1.2 / RFC 9700 §4.7 state is returned unchanged, on success and on error', async () => {
    const state = 'st ate/+=&?é%20x';
    const success = await signIn({ ...acme, scope: 'openid', state });
    assert.equal(success.callback.searchParams.get('state'), state);
    const denied = await signIn({ ...acme, scope: 'openid', state, consent: 'deny', extra: { prompt: 'consent' } });
    assert.equal(denied.error, 'access_denied');
    assert.equal(denied.callback.searchParams.get('state'), state);
  });

  it('OIDC Core §3.1.2.1 / §15.5.2 nonce: the ID token carries the nonce of the request', async () => {
    const nonce = 'n-0S6_WzA2Mj';
    const { tokens } = await signInForTokens({ ...acme, scope: 'openid', nonce });
    assert.equal(decodeJwt(tokens.id_token as string).nonce, nonce);
  });

  it('RFC 9700 §2.1.2 / §4.3 tokens never in URLs: only code, state and iss reach the redirect', async () => {
    const result = await signIn({ ...acme, scope: 'openid' });
    assert.deepEqual([...result.callback.searchParams.keys()].sort(), ['code', 'iss', 'state']);
    assert.equal(result.callback.hash, '');
    const implicit = await authorize({ ...validParams(acme.redirectUri), response_type: 'token' });
    const location = new URL(implicit.headers.get('location')!);
    assert.equal(location.searchParams.get('error'), 'unsupported_response_type');
    assert.equal(location.hash, '', 'no implicit grant: no token in a fragment');
  });
});
