/**
 * Bad input at introspection, revocation, UserInfo and end-session: failed client authentication, missing and
 * hostile tokens, wrong content types and JSON, malformed bearer headers, tampered JWTs (`alg: none`, HS256 keyed
 * with the public key, unknown `kid`, truncated, expired, bad base64, another tenant's token), and hostile
 * `id_token_hint` / `post_logout_redirect_uri`. Refusals are 4xx (JSON for APIs, HTML for logout), nothing is
 * reflected as markup, and the database does not change.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { FORM, HOSTILE_VALUES, JSON_TYPE, MARKUP_PROBE, assertRefusedCleanly, runBadInputCases, sendRaw } from '../support/bad-input.ts';
import type { BadRequest } from '../support/bad-input.ts';
import { snapshotDatabase } from '../support/snapshot.ts';
import { clientQueries } from '../../src/db/queries/clients.ts';
import { userQueries } from '../../src/db/queries/users.ts';
import { issueAccessToken } from '../../src/tokens/access-token.ts';
import { issueIdToken } from '../../src/tokens/id-token.ts';

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

interface Tokens {
  readonly access: string;
  readonly expired: string;
  readonly idToken: string;
  readonly otherTenantAccess: string;
  readonly otherTenantIdToken: string;
  readonly publicJwk: Record<string, unknown>;
}

/** Forgeries built from a real token: each must be refused wherever a token is checked. */
function forgeries(t: Tokens): Record<string, string> {
  const [header, payload, signature] = t.access.split('.') as [string, string, string];
  const headerJson = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>;
  const payloadJson = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const hs256 = (secret: string) => {
    const input = `${b64({ ...headerJson, alg: 'HS256' })}.${payload}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  };
  return {
    'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
    'alg none, original signature': `${b64({ ...headerJson, alg: 'none' })}.${payload}.${signature}`,
    'alg NONE': `${b64({ ...headerJson, alg: 'NONE' })}.${payload}.`,
    'HS256 keyed with the public JWK': hs256(JSON.stringify(t.publicJwk)),
    'HS256 keyed with the public n': hs256(String(t.publicJwk.n ?? t.publicJwk.x)),
    'unknown kid': `${b64({ ...headerJson, kid: 'no-such-key' })}.${payload}.${signature}`,
    'kid path traversal': `${b64({ ...headerJson, kid: '../../../../etc/passwd' })}.${payload}.${signature}`,
    'kid SQL': `${b64({ ...headerJson, kid: "' OR '1'='1" })}.${payload}.${signature}`,
    'embedded jwk': `${b64({ ...headerJson, jwk: t.publicJwk })}.${payload}.${signature}`,
    'jku header': `${b64({ ...headerJson, jku: 'http://127.0.0.1:1/jwks' })}.${payload}.${signature}`,
    'changed sub': `${header}.${b64({ ...payloadJson, sub: 'someone-else' })}.${signature}`,
    'changed scope': `${header}.${b64({ ...payloadJson, scope: 'openid latchkey:admin' })}.${signature}`,
    'changed exp': `${header}.${b64({ ...payloadJson, exp: 9_999_999_999 })}.${signature}`,
    'no signature': `${header}.${payload}.`,
    'truncated signature': `${header}.${payload}.${signature.slice(0, 20)}`,
    'changed signature byte': `${header}.${payload}.${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`,
    'truncated token': t.access.slice(0, t.access.length - 40),
    'two parts': `${header}.${payload}`,
    'four parts': `${t.access}.extra`,
    'bad base64 header': `!!!.${payload}.${signature}`,
    'bad base64 payload': `${header}.%%%%.${signature}`,
    'header not JSON': `${b64('not json')}.${payload}.${signature}`,
    'payload not JSON': `${header}.${b64('[1,2')}.${signature}`,
    'payload array': `${header}.${b64([1, 2])}.${signature}`,
    'huge header': `${b64({ ...headerJson, pad: 'x'.repeat(6000) })}.${payload}.${signature}`,
    'expired': t.expired,
    'ID token as access token': t.idToken,
    "another tenant's token": t.otherTenantAccess,
    'padded base64': `${header}==.${payload}.${signature}`,
    'whitespace inside': `${header}. ${payload}.${signature}`,
  };
}

function form(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

function introspectRevokeCases(f: SignInFixture, tenantPath: string, t: Tokens): BadRequest[] {
  const cases: BadRequest[] = [];
  for (const endpoint of ['introspect', 'revoke']) {
    const path = `${tenantPath}/oauth2/${endpoint}`;
    const good = { client_id: f.clientId, client_secret: f.clientSecret };
    const add = (name: string, extra: Partial<BadRequest>) => cases.push({ name: `${endpoint}: ${name}`, method: 'POST', path, headers: FORM, ...extra });
    add('no client authentication', { body: form({ token: t.access }) });
    add('wrong secret', { body: form({ ...good, client_secret: 'wrong', token: t.access }) });
    add('unknown client', { body: form({ client_id: 'nobody', client_secret: 'x', token: t.access }) });
    add('empty client_id', { body: form({ client_id: '', client_secret: f.clientSecret, token: t.access }) });
    add('Basic wrong secret', { headers: { ...FORM, authorization: basic(f.clientId, 'wrong') }, body: form({ token: t.access }) });
    add('Basic and post both', { headers: { ...FORM, authorization: basic(f.clientId, f.clientSecret) }, body: form({ ...good, token: t.access }) });
    add('Basic not base64', { headers: { ...FORM, authorization: 'Basic %%%' }, body: form({ token: t.access }) });
    add('Basic no colon', { headers: { ...FORM, authorization: `Basic ${b64(f.clientId)}` }, body: form({ token: t.access }) });
    add('Bearer instead of client auth', { headers: { ...FORM, authorization: `Bearer ${t.access}` }, body: form({ token: t.access }) });
    add('missing token', { body: form(good) });
    add('empty token', { body: form({ ...good, token: '' }) });
    add('repeated token', { body: `${form({ ...good, token: t.access })}&token=x` });
    add('repeated client_secret', { body: `${form({ ...good, token: t.access })}&client_secret=x` });
    add('oversized token', { body: form({ ...good, token: 'x'.repeat(9000) }) });
    add('bad percent-encoding', { body: `${form(good)}&token=%E0%A4%A` });
    add('NUL in token', { body: `${form(good)}&token=a%00b` });
    add('JSON body', { headers: JSON_TYPE, body: JSON.stringify({ ...good, token: t.access }) });
    add('JSON array', { headers: JSON_TYPE, body: '[]' });
    add('no content type', { headers: {}, body: form({ ...good, token: t.access }) });
    add('text/plain', { headers: { 'content-type': 'text/plain' }, body: form({ ...good, token: t.access }) });
    add('multipart', { headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: form({ ...good, token: t.access }) });
    add('non-UTF-8 bytes', { body: Buffer.from([0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x3d, 0xff, 0xfe]) });
    add('oversized body', { body: `${form({ ...good, token: t.access })}&pad=${'x'.repeat(80_000)}` });
    for (const method of ['GET', 'PUT', 'DELETE']) cases.push({ name: `${endpoint}: method ${method}`, method, path, headers: FORM, body: form({ ...good, token: t.access }) });
    for (const value of HOSTILE_VALUES) {
      const label = JSON.stringify(value).slice(0, 24);
      // Hostile values with failed client authentication: nothing may be looked at, let alone changed.
      for (const name of ['client_id', 'client_secret', 'token', 'token_type_hint']) add(`hostile ${name} ${label}`, { body: form({ client_id: f.clientId, client_secret: 'wrong', token: t.access, [name]: value }) });
      cases.push({ name: `${endpoint}: hostile tenant ${label}`, method: 'POST', path: `/t/${encodeURIComponent(value)}/oauth2/${endpoint}`, headers: FORM, body: form({ ...good, token: t.access }) });
    }
  }
  return cases;
}

function userinfoCases(tenantPath: string, t: Tokens): BadRequest[] {
  const path = `${tenantPath}/oauth2/userinfo`;
  const cases: BadRequest[] = [];
  const headers = [
    ['no Authorization', undefined],
    ['empty Authorization', ''],
    ['Bearer without token', 'Bearer'],
    ['Bearer and a space', 'Bearer '],
    ['Basic scheme', `Basic ${b64('a:b')}`],
    ['token without scheme', t.access],
    ['two tokens', `Bearer ${t.access} ${t.access}`],
    ['Bearer twice', `Bearer Bearer ${t.access}`],
    ['comma-joined', `Bearer ${t.access}, Bearer x`],
    ['markup', `Bearer ${MARKUP_PROBE}`],
    ['huge', `Bearer ${'A'.repeat(7000)}`],
    ['non-ASCII', `Bearer ${'é'.repeat(10)}`],
    ['opaque garbage', 'Bearer abc.def'],
  ] as const;
  for (const method of ['GET', 'POST']) {
    for (const [name, value] of headers) cases.push({ name: `${method} userinfo: ${name}`, method, path, headers: value === undefined ? {} : { authorization: value } });
    for (const [name, token] of Object.entries(forgeries(t))) cases.push({ name: `${method} userinfo: ${name}`, method, path, headers: { authorization: `Bearer ${token}` } });
    for (const value of HOSTILE_VALUES.filter((v) => !/[\r\n\u0000]/.test(v) && /^[\x20-\x7e]*$/.test(v))) cases.push({ name: `${method} userinfo: hostile ${value.slice(0, 20)}`, method, path, headers: { authorization: `Bearer ${value}` } });
  }
  cases.push({ name: 'userinfo: token in header and body', method: 'POST', path, headers: { ...FORM, authorization: `Bearer ${t.access}` }, body: form({ access_token: t.access }) });
  cases.push({ name: 'userinfo: token in query', method: 'GET', path: `${path}?access_token=${t.access}` });
  cases.push({ name: 'userinfo: forged token in body', method: 'POST', path, headers: FORM, body: form({ access_token: forgeries(t)['alg none']! }) });
  cases.push({ name: 'userinfo: repeated access_token', method: 'POST', path, headers: FORM, body: `${form({ access_token: t.access })}&access_token=x` });
  cases.push({ name: 'userinfo: bad percent-encoding', method: 'POST', path, headers: FORM, body: 'access_token=%E0%A4%A' });
  cases.push({ name: 'userinfo: method PUT', method: 'PUT', path, headers: { authorization: `Bearer ${t.access}` } });
  return cases;
}

function logoutCases(f: SignInFixture, tenantPath: string, t: Tokens): BadRequest[] {
  const path = `${tenantPath}/oauth2/logout`;
  const cases: BadRequest[] = [];
  const both = (name: string, params: Record<string, string> | string) => {
    const q = typeof params === 'string' ? params : form(params);
    cases.push({ name: `GET logout: ${name}`, method: 'GET', path: `${path}?${q}`, expect: 'html' });
    cases.push({ name: `POST logout: ${name}`, method: 'POST', path, headers: FORM, body: q, expect: 'html' });
  };
  const hints = { ...forgeries({ ...t, access: t.idToken }), "another tenant's ID token": t.otherTenantIdToken, 'an access token': t.access };
  delete (hints as Record<string, string>).expired; // an expired ID token is a fine hint (Core §3.1.2.1); forgeries() put the expired access token there
  delete (hints as Record<string, string>)['ID token as access token'];
  for (const [name, hint] of Object.entries(hints)) both(`id_token_hint ${name}`, { id_token_hint: hint, post_logout_redirect_uri: f.postLogoutRedirectUri, state: MARKUP_PROBE });
  const redirects = ['javascript:alert(1)', 'http://evil.example/signed-out', `${f.postLogoutRedirectUri}#x`, `${f.postLogoutRedirectUri}\r\nX-Injected: yes`, `${f.postLogoutRedirectUri}/`, '//evil.example', f.redirectUri, ...HOSTILE_VALUES.filter((v) => v.length < 8000)];
  for (const redirect of redirects) {
    both(`post_logout_redirect_uri ${JSON.stringify(redirect).slice(0, 30)} with hint`, { id_token_hint: t.idToken, post_logout_redirect_uri: redirect, state: MARKUP_PROBE });
    both(`post_logout_redirect_uri ${JSON.stringify(redirect).slice(0, 30)} with client_id`, { client_id: f.clientId, post_logout_redirect_uri: redirect });
  }
  both('registered URI without hint or client_id', { post_logout_redirect_uri: f.postLogoutRedirectUri });
  both('client_id not matching the hint', { id_token_hint: t.idToken, client_id: 'someone-else' });
  both('unknown client_id', { client_id: MARKUP_PROBE });
  both('repeated id_token_hint', `${form({ id_token_hint: t.idToken })}&id_token_hint=x`);
  both('bad percent-encoding', 'state=%E0%A4%A');
  both('oversized', { id_token_hint: 'x'.repeat(9000) });
  for (const value of HOSTILE_VALUES.filter((v) => v.length < 8000 && !v.includes('\0'))) both(`hostile id_token_hint ${JSON.stringify(value).slice(0, 24)}`, { id_token_hint: value });
  cases.push({ name: 'POST logout: JSON', method: 'POST', path, headers: JSON_TYPE, body: JSON.stringify({ id_token_hint: 'x' }), expect: 'html' });
  return cases;
}

for (const dialect of DIALECTS) {
  describe(`introspection, revocation, UserInfo and end-session bad input (${dialect})`, () => {
    let server: TestServer;
    let f: SignInFixture;
    let tenantPath: string;
    let tokens: Tokens;
    before(async () => {
      server = await startTestServer(dialect, { LATCHKEY_RATE_LIMIT_PER_CLIENT: '0', LATCHKEY_RATE_LIMIT_PER_IP: '0' });
      f = await createSignInFixture(server, 'acme');
      const other = await createSignInFixture(server, 'other');
      tenantPath = new URL(f.issuer).pathname;
      const ctx = server.ctx;
      const client = (await clientQueries(ctx.db).findById(f.clientId))!;
      const otherClient = (await clientQueries(ctx.db).findById(other.clientId))!;
      const user = (await userQueries(ctx.db).findById(f.user.id))!;
      const otherUser = (await userQueries(ctx.db).findById(other.user.id))!;
      const scope = ['openid', 'profile', 'email'];
      const access = (await issueAccessToken(ctx, { tenant: f.tenant, client, subject: user.id, scope })).token;
      const realNow = ctx.now;
      ctx.now = () => realNow() - 2 * 24 * 3600 * 1000;
      const expired = (await issueAccessToken(ctx, { tenant: f.tenant, client, subject: user.id, scope })).token;
      ctx.now = realNow;
      const idToken = await issueIdToken(ctx, { tenant: f.tenant, client, user, scope, authTime: realNow() });
      const otherTenantAccess = (await issueAccessToken(ctx, { tenant: other.tenant, client: otherClient, subject: otherUser.id, scope })).token;
      const otherTenantIdToken = await issueIdToken(ctx, { tenant: other.tenant, client: otherClient, user: otherUser, scope, authTime: realNow() });
      const jwks = (await (await fetch(`${f.issuer}/.well-known/jwks.json`)).json()) as { keys: Record<string, unknown>[] };
      tokens = { access, expired, idToken, otherTenantAccess, otherTenantIdToken, publicJwk: jwks.keys[0]! };
      // The genuine token works, so every refusal below is the forgery's doing.
      const ok = await fetch(`${f.issuer}/oauth2/userinfo`, { headers: { authorization: `Bearer ${access}` } });
      assert.equal(ok.status, 200);
    });
    after(() => server.stop());

    it('refuses introspection and revocation without client authentication or a token', async (t) => {
      const count = await runBadInputCases(server.url, server.ctx.db, dialect, introspectRevokeCases(f, tenantPath, tokens));
      assert.ok(count >= 150, `the generator shrank to ${count} cases`);
      t.diagnostic(`${count} cases`);
    });

    it('refuses UserInfo with malformed bearer headers and tampered JWTs', async (t) => {
      const count = await runBadInputCases(server.url, server.ctx.db, dialect, userinfoCases(tenantPath, tokens));
      assert.ok(count >= 100, `the generator shrank to ${count} cases`);
      t.diagnostic(`${count} cases`);
      const refused = await sendRaw(server.url, { name: 'alg none', method: 'GET', path: `${tenantPath}/oauth2/userinfo`, headers: { authorization: `Bearer ${forgeries(tokens)['alg none']}` } });
      assert.match(String(refused.headers['www-authenticate']), /^Bearer .*error="invalid_token"/);
    });

    it('refuses end-session with hostile id_token_hint or post_logout_redirect_uri (HTML 4xx, no redirect)', async (t) => {
      const count = await runBadInputCases(server.url, server.ctx.db, dialect, logoutCases(f, tenantPath, tokens));
      assert.ok(count >= 100, `the generator shrank to ${count} cases`);
      t.diagnostic(`${count} cases`);
    });

    it('answers forged and random tokens at introspection as inactive and revokes nothing (property-based)', async () => {
      const before = await snapshotDatabase(server.ctx.db, dialect);
      const token = fc.oneof(fc.constantFrom(...Object.values(forgeries(tokens)).filter((v) => v.length <= 8192)), fc.string({ minLength: 1, maxLength: 300 }), fc.constantFrom(...HOSTILE_VALUES.filter((v) => !v.includes('\0') && v.length < 8000)));
      await fc.assert(
        fc.asyncProperty(token, fc.constantFrom('access_token', 'refresh_token', 'bogus', ''), async (value, hint) => {
          if (value.includes('\0')) return;
          const body = form({ client_id: f.clientId, client_secret: f.clientSecret, token: value, token_type_hint: hint });
          const introspected = await sendRaw(server.url, { name: 'introspect', method: 'POST', path: `${tenantPath}/oauth2/introspect`, headers: FORM, body });
          assert.equal(introspected.status, 200, introspected.body);
          assert.deepEqual(JSON.parse(introspected.body), { active: false });
          const revoked = await sendRaw(server.url, { name: 'revoke', method: 'POST', path: `${tenantPath}/oauth2/revoke`, headers: FORM, body });
          assert.equal(revoked.status, 200, revoked.body);
          assert.ok(!revoked.body.includes('<script>alert(1)'));
        }),
        { numRuns: 80 },
      );
      assert.deepEqual(await snapshotDatabase(server.ctx.db, dialect), before, 'a forged token revoked something');
    });

    it('refuses random Authorization headers at UserInfo (property-based)', async () => {
      const header = fc.oneof(fc.string({ maxLength: 200 }).map((s) => `Bearer ${s}`), fc.stringMatching(/^[A-Za-z0-9._~+/=-]{0,300}$/).map((s) => `Bearer ${s}`), fc.string({ maxLength: 100 }));
      await fc.assert(
        fc.asyncProperty(header, async (value) => {
          const clean = value.replace(/[^\x20-\x7e]/g, '');
          const request: BadRequest = { name: `userinfo ${JSON.stringify(clean).slice(0, 40)}`, method: 'GET', path: `${tenantPath}/oauth2/userinfo`, headers: { authorization: clean } };
          assertRefusedCleanly(request, await sendRaw(server.url, request));
        }),
        { numRuns: 100 },
      );
    });
  });
}
