/**
 * Seeds 002/003: refresh with a new refresh token each time; a replayed (rotated-out) refresh token fails and
 * revokes the whole family, audited; tokens are bound to their client; `offline_access` decides whether refresh
 * outlives the browser session; rotation can be turned off. Issue 14: a retry within the tenant's `reuse_grace`
 * (its answer was lost) gets the same new refresh token instead of logging the user out, unless the family has
 * moved on; with `reuse_grace: 0` exactly one of 20 concurrent refreshes wins. Issue 13: a refresh keeps no
 * scope the client has lost since.
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
import { hashSecret } from '../../src/tokens/opaque.ts';

for (const dialect of DIALECTS) {
  describe(`refresh tokens (${dialect})`, () => {
    let server: TestServer;
    let acme: SignInFixture;
    let steady: SignInFixture;
    let strict: SignInFixture;

    before(async () => {
      server = await startTestServer(dialect);
      acme = await createSignInFixture(server, 'acme');
      steady = await createSignInFixture(server, 'steady', { settings: { refresh_token_rotation: false } });
      strict = await createSignInFixture(server, 'strict', { settings: { reuse_grace: 0 } });
    });
    after(() => server.stop());

    function refresh(fixture: SignInFixture, refreshToken: string, extra: Record<string, string> = {}): Promise<Response> {
      return postForm(`${fixture.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: fixture.clientId, client_secret: fixture.clientSecret, ...extra });
    }

    async function active(token: string, fixture: SignInFixture = acme): Promise<boolean> {
      const body = await json(await postForm(`${fixture.issuer}/oauth2/introspect`, { token, client_id: fixture.clientId, client_secret: fixture.clientSecret }));
      return body.active === true;
    }

    async function reuseAudits(refreshToken: string): Promise<number> {
      const row = await server.ctx.db.selectFrom('refresh_tokens').select('grant_id').where('token_hash', '=', hashSecret(refreshToken)).executeTakeFirstOrThrow();
      const audits = await server.ctx.db.selectFrom('audit_events').select('id').where('action', '=', 'refresh_token.reuse').where('target_id', '=', row.grant_id).execute();
      return audits.length;
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

    it('with reuse_grace 0, lets exactly one of 20 concurrent refreshes with the same token succeed', async () => {
      const { tokens } = await signInForTokens({ ...strict, scope: 'openid offline_access' });
      const responses = await Promise.all(Array.from({ length: 20 }, () => refresh(strict, tokens.refresh_token as string)));
      const statuses = responses.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 200).length, 1, JSON.stringify(statuses));
      assert.equal(statuses.filter((s) => s === 400).length, 19);
      // The 19 losers are replays: the family, the winner's new tokens included, is revoked.
      const winner = await json(responses.find((r) => r.status === 200)!);
      assert.equal(await active(winner.refresh_token as string, strict), false);
      assert.equal(await active(winner.access_token as string, strict), false);
      for (const response of responses.filter((r) => r.status !== 200)) await response.body?.cancel();
    });

    it('a retry within the reuse grace whose first answer was lost gets the same new refresh token and logs nobody out (issue 14)', async () => {
      const { tokens } = await signInForTokens({ ...acme, scope: 'openid offline_access' });
      // The rotation commits, but its answer never reaches the client (a crash, a proxy reset): the client
      // still holds the old token and sends it again.
      const lost = await json(await refresh(acme, tokens.refresh_token as string));
      const retry = await refresh(acme, tokens.refresh_token as string);
      assert.equal(retry.status, 200);
      const again = await json(retry);
      assert.equal(again.refresh_token, lost.refresh_token, 'the current child, not a second branch of the family');
      assert.notEqual(again.access_token, lost.access_token);
      assert.equal(typeof again.id_token, 'string');
      assert.equal(await active(again.access_token as string), true);
      assert.equal(await active(again.refresh_token as string), true);
      assert.equal(await reuseAudits(tokens.refresh_token as string), 0);
      // The family goes on from the child, once.
      const next = await refresh(acme, again.refresh_token as string);
      assert.equal(next.status, 200);
      assert.equal(await active((await json(next)).refresh_token as string), true);
    });

    it('revokes the family for a replay inside the grace once the child was used (the family moved on), and after the grace (issue 14)', async () => {
      const moved = await signInForTokens({ ...acme, scope: 'openid offline_access' });
      const child = await json(await refresh(acme, moved.tokens.refresh_token as string));
      const grandchild = await json(await refresh(acme, child.refresh_token as string));
      const replay = await refresh(acme, moved.tokens.refresh_token as string);
      assert.equal(replay.status, 400);
      assert.equal((await json(replay)).error, 'invalid_grant');
      for (const token of [grandchild.refresh_token, grandchild.access_token, child.access_token]) assert.equal(await active(token as string), false);
      assert.equal(await reuseAudits(moved.tokens.refresh_token as string), 1);

      const late = await signInForTokens({ ...acme, scope: 'openid offline_access' });
      const lost = await json(await refresh(acme, late.tokens.refresh_token as string));
      // The rotation happened longer ago than any grace may be (at most 60 s).
      await server.ctx.db.updateTable('refresh_tokens').set({ rotated_at: Date.now() - 61_000 }).where('token_hash', '=', hashSecret(late.tokens.refresh_token as string)).execute();
      const tooLate = await refresh(acme, late.tokens.refresh_token as string);
      assert.equal(tooLate.status, 400);
      assert.equal((await json(tooLate)).error, 'invalid_grant');
      assert.equal(await active(lost.refresh_token as string), false);
      assert.equal(await reuseAudits(late.tokens.refresh_token as string), 1);
    });

    it('with reuse_grace 0, a retry after a lost answer is a replay as before (today\'s strictness)', async () => {
      const { tokens } = await signInForTokens({ ...strict, scope: 'openid offline_access' });
      const lost = await json(await refresh(strict, tokens.refresh_token as string));
      const retry = await refresh(strict, tokens.refresh_token as string);
      assert.equal(retry.status, 400);
      assert.equal(await active(lost.refresh_token as string, strict), false);
    });

    it('answers 20 concurrent refreshes within the grace with one new refresh token: one rotation, family alive (issue 14)', async () => {
      const { tokens } = await signInForTokens({ ...acme, scope: 'openid offline_access' });
      const responses = await Promise.all(Array.from({ length: 20 }, async () => {
        const response = await refresh(acme, tokens.refresh_token as string);
        return { status: response.status, body: await json(response) };
      }));
      assert.deepEqual(responses.map((r) => r.status), responses.map(() => 200));
      const children = new Set(responses.map((r) => r.body.refresh_token));
      assert.equal(children.size, 1, 'every answer carries the same child');
      const grantId = (await server.ctx.db.selectFrom('refresh_tokens').select('grant_id').where('token_hash', '=', hashSecret(tokens.refresh_token as string)).executeTakeFirstOrThrow()).grant_id;
      const family = await server.ctx.db.selectFrom('refresh_tokens').select(['rotated_at', 'revoked_at']).where('grant_id', '=', grantId).execute();
      assert.equal(family.length, 2, 'the presented token and exactly one child');
      assert.equal(family.filter((t) => t.rotated_at === null && t.revoked_at === null).length, 1);
      assert.equal((await refresh(acme, [...children][0] as string)).status, 200);
    });

    it('drops from a refresh the scopes removed from the client since the sign-in (issue 13)', async () => {
      const shrink = await createSignInFixture(server, `shrink-${dialect}`);
      const { tokens } = await signInForTokens({ ...shrink, scope: 'openid email offline_access' });
      // The client loses `email` (an administrator's change; this instance's caches see its own writes).
      await server.ctx.db.updateTable('clients').set({ scopes: JSON.stringify(['openid', 'profile', 'offline_access']) }).where('client_id', '=', shrink.clientId).execute();
      const wider = await refresh(shrink, tokens.refresh_token as string, { scope: 'openid email' });
      assert.equal(wider.status, 400);
      assert.equal((await json(wider)).error, 'invalid_scope');
      const response = await refresh(shrink, tokens.refresh_token as string);
      assert.equal(response.status, 200);
      const body = await json(response);
      assert.equal(body.scope, 'openid offline_access');
      const accessToken = JSON.parse(Buffer.from((body.access_token as string).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      assert.equal(accessToken.scope, 'openid offline_access');
      const next = await refresh(shrink, body.refresh_token as string);
      assert.equal((await json(next)).scope, 'openid offline_access');
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
      // Once the new one is used the family has moved on, so the old one is a replay even inside the reuse grace.
      const second = await refreshPublic(rotated as string);
      assert.equal(second.status, 200);
      assert.notEqual((await json(second)).refresh_token, rotated, 'and it rotates again');
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
