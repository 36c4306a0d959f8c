/**
 * Security checklist, part 2 of 3: tokens, the token endpoint and the logs. One test per applicable item of
 * RFC 9700 (OAuth 2.0 Security BCP) and OpenID Connect Core 1.0 §16, named after the section it audits.
 * The server logs at `debug` into memory so every test can be checked for leaked secrets at the end.
 * SQLite only: the feature tests cover both dialects; these tests audit protocol behaviour, not storage.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { decodeJwt } from 'jose';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLatchkey } from '../../src/context.ts';
import { createLogger } from '../../src/http/logger.ts';
import { startServer } from '../../src/server.ts';
import type { RunningServer } from '../../src/server.ts';
import { createClient } from '../../src/directory/clients.ts';
import { createUser, setUserStatus } from '../../src/directory/users.ts';
import { createTestDatabase } from '../support/databases.ts';
import type { TestDatabase } from '../support/databases.ts';
import { freePort, TEST_SECRET } from '../support/server.ts';
import { basicAuth, json, postForm } from '../support/http.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { CookieJar, authorizationUrl, createPkce, exchangeCode, fetchWithJar, postFormWithJar, readForm, signIn, signInForTokens } from '../support/sign-in.ts';

const SRC = new URL('../../src/', import.meta.url).pathname;

describe('security checklist: tokens, token endpoint and logs', () => {
  let database: TestDatabase;
  let server: RunningServer;
  let acme: SignInFixture;
  let beta: SignInFixture;
  let pw: SignInFixture;
  const logLines: string[] = [];
  /** Every secret the tests saw: none may appear in the log. */
  const secrets = new Set<string>();

  before(async () => {
    database = await createTestDatabase('sqlite');
    const config = loadConfig({ HOST: '127.0.0.1', PORT: String(await freePort()), LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_SECRET: TEST_SECRET });
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const ctx = await createLatchkey(config, { logger: createLogger('debug', sink) });
    server = await startServer(config, ctx);
    acme = await createSignInFixture(server, 'acme', { client: { audience: 'https://api.acme.example' } });
    beta = await createSignInFixture(server, 'beta');
    pw = await createSignInFixture(server, 'pw', { client: { grantTypes: ['authorization_code', 'refresh_token', 'password'] }, settings: { features: { auth: { password_grant_enabled: true } } } });
    for (const fixture of [acme, beta, pw]) secrets.add(fixture.clientSecret).add(fixture.password);
  });
  after(async () => {
    await server.close();
    await database.drop();
  });

  async function tokensFor(fixture: SignInFixture, scope = 'openid offline_access'): Promise<Record<string, unknown>> {
    const { tokens, result } = await signInForTokens({ ...fixture, scope });
    secrets.add(result.code!).add(result.pkce.verifier);
    for (const name of ['access_token', 'refresh_token', 'id_token']) if (typeof tokens[name] === 'string') secrets.add(tokens[name] as string);
    return tokens;
  }

  function refresh(fixture: { issuer: string; clientId: string; clientSecret: string }, refreshToken: string): Promise<Response> {
    return postForm(`${fixture.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: fixture.clientId, client_secret: fixture.clientSecret });
  }

  function userinfo(fixture: SignInFixture, accessToken: string): Promise<Response> {
    return fetch(`${fixture.issuer}/oauth2/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
  }

  it('RFC 9700 §4.14.2 refresh token rotation and replay detection: a rotated-out token revokes the family once it moved on', async () => {
    const tokens = await tokensFor(acme);
    const first = await json(await refresh(acme, tokens.refresh_token as string));
    assert.equal(typeof first.refresh_token, 'string');
    assert.notEqual(first.refresh_token, tokens.refresh_token, 'rotated');
    secrets.add(first.refresh_token as string).add(first.access_token as string);
    // The legitimate client goes on; the attacker replays the stolen, rotated-out token (inside the reuse grace
    // as well: only a retry before the family moved on is forgiven).
    const second = await json(await refresh(acme, first.refresh_token as string));
    secrets.add(second.refresh_token as string).add(second.access_token as string);
    const replay = await refresh(acme, tokens.refresh_token as string);
    assert.equal(replay.status, 400);
    assert.equal((await json(replay)).error, 'invalid_grant');
    const successor = await refresh(acme, second.refresh_token as string);
    assert.equal(successor.status, 400, 'the replay revoked the legitimate successor too');
  });

  it('RFC 9700 §4.14.2 sender-constrained refresh tokens: bound to the client they were issued to', async () => {
    const tokens = await tokensFor(acme);
    const other = await createClient(server.ctx, acme.tenant, { name: 'other', redirectUris: [acme.redirectUri], grantTypes: ['authorization_code', 'refresh_token'] });
    secrets.add(other.clientSecret!);
    const stolen = await refresh({ issuer: acme.issuer, clientId: other.client.clientId, clientSecret: other.clientSecret! }, tokens.refresh_token as string);
    assert.equal(stolen.status, 400);
    assert.equal((await json(stolen)).error, 'invalid_grant');
    const crossTenant = await refresh(beta, tokens.refresh_token as string);
    assert.equal(crossTenant.status, 400);
    assert.equal((await refresh(acme, tokens.refresh_token as string)).status, 200, 'still good for its own client');
  });

  it('OIDC Core §2 / §3.1.3.7 ID token aud is the client and azp, when present, is the client', async () => {
    const tokens = await tokensFor(acme, 'openid');
    const claims = decodeJwt(tokens.id_token as string);
    assert.equal(claims.iss, acme.issuer);
    const audiences = typeof claims.aud === 'string' ? [claims.aud] : claims.aud!;
    assert.ok(audiences.includes(acme.clientId));
    if (audiences.length > 1 || claims.azp !== undefined) assert.equal(claims.azp, acme.clientId);
    assert.deepEqual(audiences, [acme.clientId], 'the ID token is for this client only, not its API audience');
  });

  it('RFC 9700 §2.3 / §4.10 access token audience restriction: aud is the client\'s resource, and the issuer is checked', async () => {
    const tokens = await tokensFor(acme, 'openid');
    const claims = decodeJwt(tokens.access_token as string);
    assert.equal(claims.aud, 'https://api.acme.example');
    assert.equal(claims.iss, acme.issuer);
    const betaTokens = await tokensFor(beta, 'openid');
    assert.equal(decodeJwt(betaTokens.access_token as string).aud, beta.clientId, 'no audience configured: restricted to the client itself');
    assert.equal((await userinfo(acme, betaTokens.access_token as string)).status, 401, "another tenant's token is refused");
    const crossIntrospect = await postForm(`${beta.issuer}/oauth2/introspect`, { token: tokens.access_token as string }, { authorization: basicAuth(beta.clientId, beta.clientSecret) });
    assert.deepEqual(await json(crossIntrospect), { active: false }, "another tenant's client learns nothing about it");
    assert.equal((await userinfo(acme, tokens.access_token as string)).status, 200);
  });

  it('RFC 8725 §2.1 / §3.1 alg:none, a tampered payload and an ID token are refused at userinfo', async () => {
    const tokens = await tokensFor(acme, 'openid');
    const [header, payload, signature] = (tokens.access_token as string).split('.') as [string, string, string];
    const decodedHeader = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>;
    const none = Buffer.from(JSON.stringify({ ...decodedHeader, alg: 'none' })).toString('base64url');
    const noneLower = Buffer.from(JSON.stringify({ ...decodedHeader, alg: 'None' })).toString('base64url');
    const tampered = Buffer.from(JSON.stringify({ ...decodeJwt(tokens.access_token as string), sub: 'someone-else' })).toString('base64url');
    for (const forged of [`${none}.${payload}.`, `${none}.${payload}`, `${noneLower}.${payload}.`, `${none}.${payload}.${signature}`, `${header}.${tampered}.${signature}`, `${header}.${payload}.`]) {
      const response = await userinfo(acme, forged);
      assert.equal(response.status, 401, forged);
      assert.match(response.headers.get('www-authenticate') ?? '', /invalid_token/);
    }
    // Token confusion (RFC 8725 §3.11): the ID token, signed by the same key, is not an access token.
    assert.equal((await userinfo(acme, tokens.id_token as string)).status, 401);
    assert.equal((await userinfo(acme, tokens.access_token as string)).status, 200);
  });

  it('RFC 6749 §10.10 timing-safe secrets: a secret of another length or a prefix is refused alike', async () => {
    const wrongs = [acme.clientSecret.slice(0, -1), `${acme.clientSecret}x`, acme.clientSecret.slice(0, 8), '', `${acme.clientSecret.slice(0, -1)}${acme.clientSecret.endsWith('A') ? 'B' : 'A'}`];
    const answers = [];
    for (const secret of wrongs) {
      const response = await postForm(`${acme.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: 'x' }, { authorization: basicAuth(acme.clientId, secret) });
      answers.push({ status: response.status, body: await json(response) });
    }
    for (const answer of answers) assert.deepEqual(answer, answers[0]);
    assert.equal(answers[0]!.status, 401);
  });

  it('RFC 6749 §10.10 timing-safe comparisons (behaviour): client secrets, PKCE verifiers, CSRF tokens and passwords are compared by crypto.timingSafeEqual', async () => {
    // The server runs in this process: every call of node:crypto's timingSafeEqual (the ESM bindings follow the
    // builtin after syncBuiltinESMExports) is recorded while each kind of wrong secret is presented over HTTP.
    const calls: Array<readonly [Buffer, Buffer]> = [];
    const original = crypto.timingSafeEqual;
    const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest();
    const compared = (value: Buffer) => calls.some(([a, b]) => a.equals(value) || b.equals(value));
    crypto.timingSafeEqual = (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      calls.push([Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)]);
      return original(a, b);
    };
    syncBuiltinESMExports();
    try {
      const wrongSecret = `${acme.clientSecret.slice(0, -1)}${acme.clientSecret.endsWith('A') ? 'B' : 'A'}`;
      const secret = await postForm(`${acme.issuer}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basicAuth(acme.clientId, wrongSecret) });
      assert.equal(secret.status, 401);
      assert.ok(compared(sha256(wrongSecret)), 'the client secret (its SHA-256) went through timingSafeEqual');

      const jar = new CookieJar();
      const start = await fetchWithJar(jar, authorizationUrl({ ...acme, scope: 'openid' }, createPkce(), 'st', 'n'));
      const { action, fields } = readForm(await (await fetchWithJar(jar, new URL(start.headers.get('location')!, acme.issuer).href)).text());
      const forged = `${fields.csrf_token!.slice(0, -1)}${fields.csrf_token!.endsWith('A') ? 'B' : 'A'}`;
      assert.equal((await postFormWithJar(jar, action, { ...fields, csrf_token: forged, login: acme.login, password: acme.password })).status, 403);
      assert.ok(compared(Buffer.from(forged)), 'the CSRF token went through timingSafeEqual');

      const signedIn = await signIn({ ...acme, scope: 'openid' });
      const wrongVerifier = createPkce().verifier;
      const exchange = await exchangeCode({ ...acme, code: signedIn.code!, codeVerifier: wrongVerifier });
      assert.equal((await json(exchange)).error, 'invalid_grant');
      assert.ok(compared(Buffer.from(sha256(wrongVerifier).toString('base64url'))), 'the PKCE verifier (its S256) went through timingSafeEqual');

      const before = calls.length;
      const password = await postForm(`${pw.issuer}/oauth2/token`, { grant_type: 'password', username: pw.login, password: 'not the password', client_id: pw.clientId, client_secret: pw.clientSecret });
      assert.equal((await json(password)).error, 'invalid_grant');
      // The client secret is one comparison; the password's argon2id hash is another.
      assert.ok(calls.length - before >= 2, 'the password hash went through timingSafeEqual');
    } finally {
      crypto.timingSafeEqual = original;
      syncBuiltinESMExports();
    }
  });

  it('RFC 6749 §10.10 timing-safe comparisons (source lint, src/ only): secrets, hashes, verifiers and CSRF tokens are never compared with ===', () => {
    const offending = findSecretComparisons(SRC);
    assert.deepEqual(offending, []);
    assert.ok(scannedFiles > 100, `all of src/ was read (${scannedFiles} files)`);
    // The check can fail: it finds a comparison written the forbidden way.
    assert.equal(secretComparisonsIn('if (presented.secret === client.secretHash) ok();').length, 1);
    assert.equal(secretComparisonsIn('if (csrfToken !== expected) fail();').length, 1);
  });

  it('RFC 6749 §10.10 / RFC 9700 §2.4 no user enumeration: unknown user and wrong password answer alike (password grant)', async () => {
    const grant = (username: string) => postForm(`${pw.issuer}/oauth2/token`, { grant_type: 'password', username, password: 'not the password', client_id: pw.clientId, client_secret: pw.clientSecret });
    const disabled = await createUser(server.ctx, pw.tenant, { email: 'gone@pw.example', username: 'gone-pw', password: 'not the password', firstName: 'Gone', lastName: 'User' });
    await setUserStatus(server.ctx, disabled, 'disabled');
    const wrong = await grant(pw.login);
    const unknown = await grant('nobody@pw.example');
    const disabledAnswer = await grant('gone@pw.example');
    assert.equal(wrong.status, 400);
    assert.equal(unknown.status, wrong.status);
    assert.equal(disabledAnswer.status, wrong.status, 'a disabled account with the right password answers alike too');
    const body = await json(wrong);
    assert.deepEqual(await json(unknown), body);
    assert.deepEqual(await json(disabledAnswer), body);
  });

  it('RFC 6749 §5.1 / RFC 9700 §4.3 token responses are never cached (Cache-Control: no-store)', async () => {
    const response = await postForm(`${pw.issuer}/oauth2/token`, { grant_type: 'password', username: pw.login, password: pw.password, client_id: pw.clientId, client_secret: pw.clientSecret, scope: 'openid' });
    assert.equal(response.status, 200);
    const body = await json(response);
    for (const name of ['access_token', 'id_token']) secrets.add(body[name] as string);
    assert.match(response.headers.get('cache-control') ?? '', /no-store/);
  });

  it('RFC 9700 §4.3 / RFC 6750 §5.3 token leakage: no code, token, verifier, secret or password in the server log or the audit log', async () => {
    // Exercise every endpoint that sees a secret, then read everything logged during this file.
    const tokens = await tokensFor(pw, 'openid offline_access');
    const password = await json(await postForm(`${pw.issuer}/oauth2/token`, { grant_type: 'password', username: pw.login, password: pw.password, client_id: pw.clientId, client_secret: pw.clientSecret, scope: 'openid offline_access' }));
    for (const name of ['access_token', 'refresh_token', 'id_token']) secrets.add(password[name] as string);
    await userinfo(pw, tokens.access_token as string);
    const inQuery = await fetch(`${pw.issuer}/oauth2/userinfo?access_token=${tokens.access_token as string}`);
    assert.equal(inQuery.status, 401, 'RFC 9700 §4.3.2: an access token in the query string is not accepted');
    await postForm(`${pw.issuer}/oauth2/introspect`, { token: tokens.access_token as string }, { authorization: basicAuth(pw.clientId, pw.clientSecret) });
    await postForm(`${pw.issuer}/oauth2/revoke`, { token: tokens.refresh_token as string, client_id: pw.clientId, client_secret: pw.clientSecret });
    await fetchWithJar(new CookieJar(), `${pw.issuer}/oauth2/logout?id_token_hint=${tokens.id_token as string}&post_logout_redirect_uri=${encodeURIComponent(pw.postLogoutRedirectUri)}`);
    const everything = logLines.join('\n');
    assert.ok(logLines.length > 20, 'the log was captured');
    assert.ok(everything.includes('/oauth2/token'), 'requests are logged');
    const leaked = [...secrets].filter((secret) => secret !== '' && everything.includes(secret));
    assert.deepEqual(leaked.map((secret) => `${secret.slice(0, 12)}…`), []);
    assert.ok(!/eyJ[\w-]+\.eyJ/.test(everything), 'no JWT at all in the log');
    // The audit log is a log too.
    const audit = JSON.stringify(await server.ctx.db.selectFrom('audit_events').selectAll().execute());
    assert.ok(audit.includes('user.sign_in'), 'the audit log was read');
    assert.deepEqual([...secrets].filter((secret) => secret !== '' && audit.includes(secret)).map((secret) => `${secret.slice(0, 12)}…`), []);
    assert.ok(!/eyJ[\w-]+\.eyJ/.test(audit), 'no JWT in the audit log');
  });
});

/** Lines of src/ that compare a secret-looking identifier with === or !== to anything but a literal or undefined/null. */
let scannedFiles = 0;

function findSecretComparisons(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...findSecretComparisons(path));
    else if (path.endsWith('.ts') && ++scannedFiles > 0) for (const line of secretComparisonsIn(readFileSync(path, 'utf8'))) found.push(`${path.slice(SRC.length)}: ${line}`);
  }
  return found;
}

const SECRETISH = String.raw`[\w.]*(?:secret|csrf|verifier|hash|signature|password)[\w.]*(?:\(\))?`;
const LITERAL = String.raw`(?:undefined|null|'[^']*'|"[^"]*"|\d+|true|false)`;
const COMPARISON = new RegExp(String.raw`(${SECRETISH})\s*[!=]==\s*(?!${LITERAL}\b|${LITERAL}\s|'|")([\w.]+)|([\w.]+)\s*[!=]==\s*(${SECRETISH})`, 'gi');

function secretComparisonsIn(source: string): string[] {
  const lines: string[] = [];
  for (const line of source.split('\n')) {
    for (const match of line.matchAll(COMPARISON)) {
      const [left, right] = match[1] !== undefined ? [match[1], match[2]!] : [match[3]!, match[4]!];
      if ([left, right].some((side) => /^(undefined|null|true|false|\d+)$/.test(side))) continue;
      if (/\.length$/.test(left) || /\.length$/.test(right)) continue; // comparing lengths before timingSafeEqual
      lines.push(line.trim());
    }
  }
  return lines;
}
