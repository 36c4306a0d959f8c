/**
 * Seeds 002/003: refresh with a new refresh token each time; a replayed (rotated-out) refresh token fails and
 * revokes the whole family, audited; exactly one of 20 concurrent refreshes wins; tokens are bound to their
 * client; `offline_access` decides whether refresh outlives the browser session; rotation can be turned off.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { json, postForm } from '../support/http.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { fetchWithJar, signInForTokens } from '../support/sign-in.ts';
import { createClient } from '../../src/directory/clients.ts';

for (const dialect of DIALECTS) {
  describe(`refresh tokens (${dialect})`, () => {
    let server: TestServer;
    let acme: SignInFixture;
    let steady: SignInFixture;

    before(async () => {
      server = await startTestServer(dialect);
      acme = await createSignInFixture(server, 'acme');
      steady = await createSignInFixture(server, 'steady', { settings: { refresh_token_rotation: false } });
    });
    after(() => server.stop());

    function refresh(fixture: SignInFixture, refreshToken: string, extra: Record<string, string> = {}): Promise<Response> {
      return postForm(`${fixture.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: fixture.clientId, client_secret: fixture.clientSecret, ...extra });
    }

    async function active(token: string): Promise<boolean> {
      const body = await json(await postForm(`${acme.issuer}/oauth2/introspect`, { token, client_id: acme.clientId, client_secret: acme.clientSecret }));
      return body.active === true;
    }

    it('rotates on every refresh; replaying a rotated-out token fails, revokes the family and is audited', async () => {
      const { tokens } = await signInForTokens({ ...acme, scope: 'openid offline_access' });
      const first = await refresh(acme, tokens.refresh_token as string);
      assert.equal(first.status, 200);
      const one = await json(first);
      assert.notEqual(one.refresh_token, tokens.refresh_token);
      assert.equal(typeof one.id_token, 'string');
      const second = await refresh(acme, one.refresh_token as string);
      assert.equal(second.status, 200);
      const two = await json(second);
      assert.notEqual(two.refresh_token, one.refresh_token);
      assert.equal(await active(two.refresh_token as string), true);

      const replay = await refresh(acme, tokens.refresh_token as string);
      assert.equal(replay.status, 400);
      assert.equal((await json(replay)).error, 'invalid_grant');
      // The whole family is dead: the newest refresh token and every access token.
      assert.equal((await refresh(acme, two.refresh_token as string)).status, 400);
      for (const token of [two.refresh_token, two.access_token, one.access_token, tokens.access_token]) assert.equal(await active(token as string), false);
      const audit = await server.ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'refresh_token.reuse').execute();
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.tenant_id, acme.tenant.id);
      assert.equal(audit[0]!.actor_id, acme.clientId);
    });

    it('lets exactly one of 20 concurrent refreshes with the same token succeed', async () => {
      const { tokens } = await signInForTokens({ ...acme, scope: 'openid offline_access' });
      const responses = await Promise.all(Array.from({ length: 20 }, () => refresh(acme, tokens.refresh_token as string)));
      const statuses = responses.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 200).length, 1, JSON.stringify(statuses));
      assert.equal(statuses.filter((s) => s === 400).length, 19);
      // The 19 losers are replays: the family, the winner's new tokens included, is revoked.
      const winner = await json(responses.find((r) => r.status === 200)!);
      assert.equal(await active(winner.refresh_token as string), false);
      assert.equal(await active(winner.access_token as string), false);
      for (const response of responses.filter((r) => r.status !== 200)) await response.body?.cancel();
    });

    it('binds a refresh token to its client and refuses scope wider than granted', async () => {
      const { tokens } = await signInForTokens({ ...acme, scope: 'openid offline_access' });
      const other = await createClient(server.ctx, acme.tenant, { name: 'other', redirectUris: [acme.redirectUri], grantTypes: ['authorization_code', 'refresh_token'] });
      const stolen = await postForm(`${acme.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, client_id: other.client.clientId, client_secret: other.clientSecret! });
      assert.equal(stolen.status, 400);
      assert.equal((await json(stolen)).error, 'invalid_grant');
      const wider = await refresh(acme, tokens.refresh_token as string, { scope: 'openid email' });
      assert.equal(wider.status, 400);
      assert.equal((await json(wider)).error, 'invalid_scope');
      const narrower = await refresh(acme, tokens.refresh_token as string, { scope: 'offline_access' });
      assert.equal(narrower.status, 200);
      const body = await json(narrower);
      assert.equal(body.scope, 'offline_access');
      assert.equal(body.id_token, undefined);
    });

    it('keeps the refresh token and issues none when the tenant turns rotation off', async () => {
      const { tokens } = await signInForTokens({ ...steady, scope: 'openid offline_access' });
      for (let i = 0; i < 2; i++) {
        const response = await refresh(steady, tokens.refresh_token as string);
        assert.equal(response.status, 200);
        assert.equal((await json(response)).refresh_token, undefined);
      }
    });

    it('always rotates for a public client, even where the tenant turns rotation off (RFC 9700 §4.14.2; issue 13)', async () => {
      const spa = await createClient(server.ctx, steady.tenant, { name: 'steady spa', type: 'public', grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [steady.redirectUri] });
      const publicApp = { ...steady, clientId: spa.client.clientId, clientSecret: undefined };
      const { tokens } = await signInForTokens({ ...publicApp, scope: 'openid offline_access' });
      const refreshPublic = (token: string) => postForm(`${steady.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: token, client_id: publicApp.clientId });
      const first = await refreshPublic(tokens.refresh_token as string);
      assert.equal(first.status, 200);
      const rotated = (await json(first)).refresh_token;
      assert.equal(typeof rotated, 'string', 'a public client gets a new refresh token');
      assert.notEqual(rotated, tokens.refresh_token);
      const replay = await refreshPublic(tokens.refresh_token as string);
      assert.equal(replay.status, 400, 'the old one is spent');
      assert.equal((await json(replay)).error, 'invalid_grant');
    });

    it('ends refresh with the browser session unless offline_access was granted', async () => {
      const online = await signInForTokens({ ...acme, scope: 'openid' });
      const offline = await signInForTokens({ ...acme, scope: 'openid offline_access', jar: online.result.jar });
      const logout = await fetchWithJar(online.result.jar, `${acme.issuer}/oauth2/logout?id_token_hint=${online.tokens.id_token as string}`);
      assert.equal(logout.status, 200);
      const afterLogout = await refresh(acme, online.tokens.refresh_token as string);
      assert.equal(afterLogout.status, 400);
      assert.equal((await json(afterLogout)).error, 'invalid_grant');
      assert.equal((await refresh(acme, offline.tokens.refresh_token as string)).status, 200);
    });
  });
}
