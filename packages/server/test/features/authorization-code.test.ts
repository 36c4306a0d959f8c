/**
 * Seed 002: authorization URL → sign-in → consent listing the scopes → redirect with code, state and iss →
 * code exchange. Every way an authorization request or a code exchange must fail, and what a failure revokes.
 * Issue 14: the code is consumed in the transaction that stores its tokens (a failure between the two leaves it
 * unused). A code stays strictly single-use whatever the tenant's `reuse_grace` (refresh tokens only).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { json, postForm, postJson } from '../support/http.ts';
import { snapshotDatabase } from '../support/snapshot.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { CookieJar, authorizationUrl, createPkce, exchangeCode, fetchWithJar, postFormWithJar, readForm, signIn, signInForTokens } from '../support/sign-in.ts';
import { sql } from 'kysely';
import { createClient } from '../../src/directory/clients.ts';
import { hashSecret } from '../../src/tokens/opaque.ts';

for (const dialect of DIALECTS) {
  describe(`authorization code flow (${dialect})`, () => {
    let server: TestServer;
    let acme: SignInFixture;
    let lenient: SignInFixture;
    let publicClientId: string;
    let otherClient: { clientId: string; clientSecret: string };

    before(async () => {
      server = await startTestServer(dialect);
      acme = await createSignInFixture(server, 'acme');
      lenient = await createSignInFixture(server, 'lenient', { settings: { reuse_grace: 60 } });
      publicClientId = (await createClient(server.ctx, acme.tenant, { name: 'acme spa', type: 'public', redirectUris: [acme.redirectUri] })).client.clientId;
      const other = await createClient(server.ctx, acme.tenant, { name: 'acme other', redirectUris: [acme.redirectUri], grantTypes: ['authorization_code'] });
      otherClient = { clientId: other.client.clientId, clientSecret: other.clientSecret! };
    });
    after(() => server.stop());

    async function introspect(token: string, fixture: SignInFixture = acme): Promise<Record<string, unknown>> {
      return json(await postForm(`${fixture.issuer}/oauth2/introspect`, { token, client_id: fixture.clientId, client_secret: fixture.clientSecret }));
    }

    async function consumedAt(code: string): Promise<number | null> {
      return (await server.ctx.db.selectFrom('authorization_codes').select('consumed_at').where('code_hash', '=', hashSecret(code)).executeTakeFirstOrThrow()).consumed_at;
    }

    /** A real fault in the database: every insert of an access token record fails until `restore()`. */
    async function failTokenStorage(): Promise<{ restore(): Promise<void> }> {
      if (dialect === 'sqlite') {
        await sql`create trigger test_fault before insert on grant_access_tokens begin select raise(abort, 'injected fault'); end`.execute(server.ctx.db);
        return { restore: async () => void (await sql`drop trigger test_fault`.execute(server.ctx.db)) };
      }
      await sql`create function test_fault() returns trigger language plpgsql as $$ begin raise exception 'injected fault'; end $$`.execute(server.ctx.db);
      await sql`create trigger test_fault before insert on grant_access_tokens for each row execute function test_fault()`.execute(server.ctx.db);
      return {
        restore: async () => {
          await sql`drop trigger test_fault on grant_access_tokens`.execute(server.ctx.db);
          await sql`drop function test_fault()`.execute(server.ctx.db);
        },
      };
    }

    /** Starts an authorization in a fresh browser and returns where the first response points. */
    async function authorize(params: Record<string, string>, jar = new CookieJar()): Promise<Response> {
      const url = new URL(`${acme.issuer}/oauth2/authorize`);
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
      return fetchWithJar(jar, url.href);
    }

    it('signs in, consents and exchanges the code (seed 002), with a JSON token request', async () => {
      const result = await signIn({ ...acme, scope: 'openid profile email' });
      assert.deepEqual(result.pages, ['login', 'consent']);
      assert.ok(result.code);
      assert.equal(result.callback.searchParams.get('state'), result.state);
      assert.equal(result.callback.searchParams.get('iss'), acme.issuer);
      const response = await postJson(`${server.url}/oauth2/token`, {
        grant_type: 'authorization_code',
        code: result.code,
        redirect_uri: acme.redirectUri,
        client_id: acme.clientId,
        client_secret: acme.clientSecret,
        code_verifier: result.pkce.verifier,
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const tokens = await json(response);
      assert.equal(tokens.token_type, 'Bearer');
      assert.equal(typeof tokens.refresh_token, 'string');
      const jwks = createLocalJWKSet(await (await fetch(`${acme.issuer}/jwks`)).json());
      const { payload, protectedHeader } = await jwtVerify(tokens.id_token as string, jwks, { issuer: acme.issuer, audience: acme.clientId });
      assert.equal(protectedHeader.alg, 'RS256');
      assert.ok(protectedHeader.kid);
      assert.equal(payload.sub, acme.user.id);
      assert.equal(payload.nonce, result.nonce);
      assert.equal(payload.email, acme.login);
      assert.equal(payload.name, 'Ada Lovelace');
      assert.equal(payload.given_name, 'Ada');
      assert.ok(typeof payload.sid === 'string' && typeof payload.at_hash === 'string' && typeof payload.auth_time === 'number');
      // Only hashes are stored.
      const stored = await server.ctx.db.selectFrom('refresh_tokens').select('token_hash').execute();
      assert.ok(stored.some((row) => row.token_hash === hashSecret(tokens.refresh_token as string)));
      assert.ok(!JSON.stringify(await snapshotDatabase(server.ctx.db, dialect)).includes(tokens.refresh_token as string));

      // A second authorization in the same browser: single sign-on, consent remembered for these scopes.
      const again = await signIn({ ...acme, scope: 'openid profile', jar: result.jar });
      assert.deepEqual(again.pages, []);
      assert.ok(again.code);
    });

    it('shows an error page, never a redirect, for an unregistered redirect URI or an unknown client', async () => {
      const badRequests: Array<Record<string, string>> = [
        { client_id: acme.clientId, redirect_uri: 'http://127.0.0.1:5999/callback/evil', response_type: 'code', state: 's' },
        { client_id: acme.clientId, redirect_uri: 'http://127.0.0.1:5999/callback?x=1', response_type: 'code', state: 's' },
        { client_id: 'no-such-client', redirect_uri: acme.redirectUri, response_type: 'code', state: 's' },
        { redirect_uri: acme.redirectUri, response_type: 'code' },
      ];
      for (const params of badRequests) {
        const before = await snapshotDatabase(server.ctx.db, dialect);
        const response = await authorize(params);
        assert.equal(response.status, 400, JSON.stringify(params));
        assert.equal(response.headers.get('location'), null);
        assert.match(response.headers.get('content-type') ?? '', /text\/html/);
        assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
        const page = await response.text();
        assert.match(page, /invalid_request/);
        assert.deepEqual(await snapshotDatabase(server.ctx.db, dialect), before);
      }
    });

    it('sends other errors back to the client with state and iss: missing or plain PKCE, bad response_type, scope', async () => {
      const base = { client_id: publicClientId, redirect_uri: acme.redirectUri, response_type: 'code', scope: 'openid', state: 'st-1' };
      const challenge = createPkce().challenge;
      const cases: Array<[Record<string, string>, string, RegExp]> = [
        [base, 'invalid_request', /PKCE is required/],
        [{ ...base, code_challenge: challenge, code_challenge_method: 'plain' }, 'invalid_request', /S256/],
        [{ ...base, code_challenge: challenge }, 'invalid_request', /S256/],
        [{ ...base, code_challenge: challenge, code_challenge_method: 'S256', response_type: 'token' }, 'unsupported_response_type', /code/],
        [{ ...base, code_challenge: challenge, code_challenge_method: 'S256', scope: 'openid admin' }, 'invalid_scope', /admin/],
        [{ ...base, code_challenge: challenge, code_challenge_method: 'S256', prompt: 'none login' }, 'invalid_request', /prompt/],
      ];
      for (const [params, error, description] of cases) {
        const response = await authorize(params);
        assert.equal(response.status, 303);
        const location = new URL(response.headers.get('location')!);
        assert.equal(`${location.origin}${location.pathname}`, acme.redirectUri);
        assert.equal(location.searchParams.get('error'), error, JSON.stringify(params));
        assert.match(location.searchParams.get('error_description') ?? '', description);
        assert.equal(location.searchParams.get('state'), 'st-1');
        assert.equal(location.searchParams.get('iss'), acme.issuer);
        assert.equal(location.searchParams.get('code'), null);
      }
    });

    it('ignores unknown parameters and accepts ui_locales, display and login_hint (which prefills the form)', async () => {
      const jar = new CookieJar();
      const response = await authorize(
        { client_id: acme.clientId, redirect_uri: acme.redirectUri, response_type: 'code', scope: 'openid', ui_locales: 'fr en', display: 'page', login_hint: 'ada@acme.example', frobnicate: 'yes' },
        jar,
      );
      assert.equal(response.status, 303);
      const page = await fetchWithJar(jar, new URL(response.headers.get('location')!).href);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.equal(readForm(html).fields.login, 'ada@acme.example');
      assert.match(html, /<label for="login">/);
      assert.match(html, /Tenant acme/);
      assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'.*frame-ancestors 'none'/);
      assert.equal(page.headers.get('x-frame-options'), 'DENY');
      // The authorization request gave the browser its CSRF cookie (32 random bytes, HttpOnly, SameSite, this tenant's path).
      const csrfCookie = response.headers.getSetCookie().find((cookie) => cookie.startsWith('lk_csrf='));
      assert.match(csrfCookie ?? '', /^lk_csrf=[A-Za-z0-9_-]{43}; Path=\/t\/acme; HttpOnly; SameSite=Lax$/);
      assert.equal(`lk_csrf=${jar.get('lk_csrf')}`, csrfCookie!.split(';')[0]);
    });

    it('refuses a sign-in form posted without its CSRF token, and signs nobody in', async () => {
      const jar = new CookieJar();
      const response = await authorize({ client_id: acme.clientId, redirect_uri: acme.redirectUri, response_type: 'code', scope: 'openid' }, jar);
      const page = await fetchWithJar(jar, new URL(response.headers.get('location')!).href);
      const { action, fields } = readForm(await page.text());
      const sessionsBefore = await server.ctx.db.selectFrom('browser_sessions').select('id').execute();
      for (const tamper of [{ csrf_token: '' }, { csrf_token: 'forged' }]) {
        const refused = await postFormWithJar(jar, action, { ...fields, ...tamper, login: acme.login, password: acme.password });
        assert.equal(refused.status, 403);
        assert.match(await refused.text(), /form has expired or was not sent by this browser/);
        assert.equal(refused.headers.get('location'), null);
      }
      // The right token from another browser (no CSRF cookie) fails too.
      const elsewhere = await postFormWithJar(new CookieJar(), action, { ...fields, login: acme.login, password: acme.password });
      assert.equal(elsewhere.status, 403);
      assert.deepEqual(await server.ctx.db.selectFrom('browser_sessions').select('id').execute(), sessionsBefore);
    });

    it('says the same for an unknown user and a wrong password', async () => {
      const wrong = await signIn({ ...acme, password: 'not the password' }).catch((e: unknown) => e as { status: number; body: string });
      const unknown = await signIn({ ...acme, login: 'nobody@acme.example' }).catch((e: unknown) => e as { status: number; body: string });
      assert.equal((wrong as { status: number }).status, 401);
      assert.equal((unknown as { status: number }).status, 401);
      const message = (page: { body: string }) => /<p class="alert"[^>]*>([^<]*)</.exec(page.body)?.[1];
      assert.equal(message(wrong as { body: string }), 'The email, username or password is incorrect.');
      assert.equal(message(unknown as { body: string }), message(wrong as { body: string }));
    });

    it('answers in form_post mode with an auto-submitted form carrying code, state and iss', async () => {
      const first = await signIn({ ...acme, scope: 'openid' });
      const pkce = createPkce();
      const response = await fetchWithJar(first.jar, authorizationUrl({ ...acme, scope: 'openid', extra: { response_mode: 'form_post' } }, pkce, 'fp-state', 'n'));
      assert.equal(response.status, 200);
      const html = await response.text();
      const form = readForm(html);
      assert.equal(form.action, acme.redirectUri);
      assert.equal(form.fields.state, 'fp-state');
      assert.equal(form.fields.iss, acme.issuer);
      assert.ok(form.fields.code);
      assert.match(response.headers.get('content-security-policy') ?? '', /form-action 'self' http:\/\/127\.0\.0\.1:5999/);
      assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'sha256-/);
    });

    it('sends access_denied when the user denies consent', async () => {
      const result = await signIn({ ...acme, scope: 'openid email', consent: 'deny', extra: { prompt: 'consent' } });
      assert.equal(result.error, 'access_denied');
      assert.equal(result.callback.searchParams.get('state'), result.state);
      assert.equal(result.callback.searchParams.get('iss'), acme.issuer);
    });

    it('sends access_denied when the user cancels on the sign-in page, and the interaction cannot be resumed', async () => {
      const jar = new CookieJar();
      const started = await fetchWithJar(jar, authorizationUrl({ ...acme, scope: 'openid' }, createPkce(), 'cancel-me', 'n'));
      const page = await fetchWithJar(jar, started.headers.get('location')!);
      const { action, fields } = readForm(await page.text());
      const cancelled = await postFormWithJar(jar, action, { ...fields, action: 'cancel' });
      assert.equal(cancelled.status, 303);
      const location = new URL(cancelled.headers.get('location')!);
      assert.equal(location.searchParams.get('error'), 'access_denied');
      assert.equal(location.searchParams.get('state'), 'cancel-me');
      const resumed = await postFormWithJar(jar, action, { ...fields, login: acme.login, password: acme.password });
      assert.equal(resumed.status, 400);
      assert.match(await resumed.text(), /expired or was already completed/);
      const head = await fetch(authorizationUrl({ ...acme }, createPkce(), 's', 'n'), { method: 'HEAD', redirect: 'manual' });
      assert.equal(head.status, 404, 'a HEAD (prefetch) starts nothing');
    });

    it('prompt=none: login_required without a session, consent_required for scopes not yet agreed to', async () => {
      const none = await signIn({ ...acme, extra: { prompt: 'none' } });
      assert.equal(none.error, 'login_required');
      assert.equal(none.callback.searchParams.get('state'), none.state);
      assert.equal(none.callback.searchParams.get('iss'), acme.issuer);
      const first = await signIn({ ...acme, scope: 'openid' });
      const silent = await signIn({ ...acme, scope: 'openid', jar: first.jar, extra: { prompt: 'none' } });
      assert.ok(silent.code);
      const wider = await signIn({ ...acme, scope: 'openid offline_access', jar: first.jar, extra: { prompt: 'none' } });
      assert.equal(wider.error, 'consent_required');
    });

    it('prompt=login and max_age=0 force a new sign-in with a later auth_time; max_age in range does not', async () => {
      const first = await signInForTokens({ ...acme, scope: 'openid' });
      const firstAuthTime = decodeJwt(first.tokens.id_token as string).auth_time as number;
      await new Promise((resolve) => setTimeout(resolve, 1100)); // auth_time has whole-second resolution
      const forced = await signInForTokens({ ...acme, scope: 'openid', jar: first.result.jar, extra: { prompt: 'login' } });
      assert.deepEqual(forced.result.pages, ['login']);
      const forcedClaims = decodeJwt(forced.tokens.id_token as string);
      assert.ok((forcedClaims.auth_time as number) > firstAuthTime);
      assert.equal(forcedClaims.sid, decodeJwt(first.tokens.id_token as string).sid, 'the same user keeps the session id');
      const inRange = await signIn({ ...acme, scope: 'openid', jar: first.result.jar, extra: { max_age: '3600' } });
      assert.deepEqual(inRange.pages, []);
      const zero = await signIn({ ...acme, scope: 'openid', jar: first.result.jar, extra: { max_age: '0' } });
      assert.deepEqual(zero.pages, ['login']);
      const hinted = await signIn({ ...acme, scope: 'openid', jar: first.result.jar, extra: { prompt: 'none', id_token_hint: first.tokens.id_token as string } });
      assert.ok(hinted.code);
    });

    it('refuses a wrong verifier, a missing verifier and a wrong redirect_uri without burning the code', async () => {
      const result = await signIn({ ...acme, scope: 'openid' });
      const exchange = { ...acme, code: result.code! };
      for (const [overrides, description] of [
        [{ codeVerifier: createPkce().verifier }, /does not match/],
        [{ codeVerifier: '' }, /code_verifier is required/],
        [{ codeVerifier: result.pkce.verifier, redirectUri: 'http://127.0.0.1:5999/other' }, /redirect_uri/],
      ] as const) {
        const response = await exchangeCode({ ...exchange, ...overrides });
        assert.equal(response.status, 400);
        const body = await json(response);
        assert.equal(body.error, 'invalid_grant');
        assert.match(String(body.error_description), description);
      }
      assert.equal((await exchangeCode({ ...exchange, codeVerifier: result.pkce.verifier })).status, 200);
    });

    it('refuses a code presented by another client (it stays usable by its own)', async () => {
      const result = await signIn({ ...acme, scope: 'openid' });
      const stolen = await exchangeCode({ ...acme, ...otherClient, code: result.code!, codeVerifier: result.pkce.verifier });
      assert.equal(stolen.status, 400);
      assert.equal((await json(stolen)).error, 'invalid_grant');
      assert.equal((await exchangeCode({ ...acme, code: result.code!, codeVerifier: result.pkce.verifier })).status, 200);
    });

    it('refuses an expired code', async () => {
      const result = await signIn({ ...acme, scope: 'openid' });
      await server.ctx.db.updateTable('authorization_codes').set({ expires_at: Date.now() - 1 }).where('code_hash', '=', hashSecret(result.code!)).execute();
      const response = await exchangeCode({ ...acme, code: result.code!, codeVerifier: result.pkce.verifier });
      assert.equal(response.status, 400);
      assert.deepEqual(await json(response), { error: 'invalid_grant', error_description: 'the authorization code has expired' });
    });

    // RFC 6749 §4.1.2: "If an authorization code is used more than once, the authorization server MUST deny the
    // request and SHOULD revoke all tokens previously issued based on that authorization code". The tenant's
    // reuse_grace is for refresh tokens only: a second use from the same client, with the same verifier and
    // redirect URI, seconds after the first (well within the grace) is still refused and revokes.
    for (const { name, fixture, pkce } of [
      { name: 'the default reuse_grace (5 s), a PKCE exchange', fixture: () => acme, pkce: true },
      { name: 'reuse_grace 60, a PKCE exchange', fixture: () => lenient, pkce: true },
      { name: 'reuse_grace 60, an authenticating client without PKCE (OpenID conformance oidcc-codereuse)', fixture: () => lenient, pkce: false },
    ]) {
      it(`lets a code be used once with ${name}: the second use within the grace fails and revokes every token issued from it`, async () => {
        const tenant = fixture();
        const result = await signIn({ ...tenant, scope: 'openid offline_access', ...(pkce ? {} : { pkce: false as const }) });
        const exchange = () => exchangeCode({ ...tenant, code: result.code!, codeVerifier: pkce ? result.pkce.verifier : undefined });
        const first = await exchange();
        assert.equal(first.status, 200);
        const tokens = await json(first);
        assert.equal((await introspect(tokens.access_token as string, tenant)).active, true);
        assert.equal((await introspect(tokens.refresh_token as string, tenant)).active, true);

        const second = await exchange();
        assert.equal(second.status, 400);
        assert.equal((await json(second)).error, 'invalid_grant');
        assert.deepEqual(await introspect(tokens.access_token as string, tenant), { active: false });
        assert.deepEqual(await introspect(tokens.refresh_token as string, tenant), { active: false });
        const refresh = await postForm(`${tenant.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, client_id: tenant.clientId, client_secret: tenant.clientSecret });
        assert.equal(refresh.status, 400);
        const userinfo = await fetch(`${tenant.issuer}/oauth2/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
        assert.equal(userinfo.status, 401);
        const grantId = (await server.ctx.db.selectFrom('authorization_codes').select('grant_id').where('code_hash', '=', hashSecret(result.code!)).executeTakeFirstOrThrow()).grant_id;
        const audit = await server.ctx.db.selectFrom('audit_events').select('action').where('target_id', '=', grantId).where('action', 'like', 'authorization_code.%').execute();
        assert.deepEqual(audit.map((event) => event.action), ['authorization_code.reuse'], 'a reuse, never a forgiven retry');
        // A third use is refused as well.
        assert.equal((await exchange()).status, 400);
      });
    }

    for (const { name, fixture } of [
      { name: 'the default reuse_grace', fixture: () => acme },
      { name: 'reuse_grace 60', fixture: () => lenient },
    ]) {
      it(`lets exactly one of 10 concurrent exchanges of a code succeed with ${name}, and the losers revoke what it got`, async () => {
        const tenant = fixture();
        const result = await signIn({ ...tenant, scope: 'openid offline_access' });
        const responses = await Promise.all(Array.from({ length: 10 }, () => exchangeCode({ ...tenant, code: result.code!, codeVerifier: result.pkce.verifier })));
        const winners = responses.filter((r) => r.status === 200);
        assert.equal(winners.length, 1, JSON.stringify(responses.map((r) => r.status)));
        const tokens = await json(winners[0]!);
        for (const response of responses.filter((r) => r.status !== 200)) assert.equal((await json(response)).error, 'invalid_grant');
        assert.deepEqual(await introspect(tokens.refresh_token as string, tenant), { active: false });
        assert.deepEqual(await introspect(tokens.access_token as string, tenant), { active: false });
      });
    }

    it('leaves the code unused when storing its tokens fails after the code was claimed (issue 14)', async () => {
      const result = await signIn({ ...acme, scope: 'openid offline_access' });
      const fault = await failTokenStorage();
      try {
        const failed = await exchangeCode({ ...acme, code: result.code!, codeVerifier: result.pkce.verifier });
        assert.equal(failed.status, 500);
        assert.equal((await json(failed)).error, 'server_error');
      } finally {
        await fault.restore();
      }
      assert.equal(await consumedAt(result.code!), null, 'the code was not burned');
      const retry = await exchangeCode({ ...acme, code: result.code!, codeVerifier: result.pkce.verifier });
      assert.equal(retry.status, 200);
      const tokens = await json(retry);
      assert.equal((await introspect(tokens.refresh_token as string)).active, true);
      assert.notEqual(await consumedAt(result.code!), null);
    });

    it('codes live at most authorization_code_lifetime (≤ 60 s)', async () => {
      const result = await signIn({ ...acme, scope: 'openid' });
      const row = await server.ctx.db.selectFrom('authorization_codes').selectAll().where('code_hash', '=', hashSecret(result.code!)).executeTakeFirstOrThrow();
      assert.ok(row.expires_at - row.created_at <= 60_000);
      assert.equal(row.redirect_uri, acme.redirectUri);
    });
  });
}
