/**
 * Browser sessions end when idle (issue 13, Also): a tenant's `session_idle_timeout` (default 24 h) after the
 * last use and `session_max_lifetime` (default 30 days) after sign-in at the latest. Use moves the idle deadline
 * forward, but at most one write a minute per session, not one per request. Time passing is simulated by moving
 * the session row's times back, since the server reads the clock of the machine.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { adminCaller } from '../support/admin.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { signIn } from '../support/sign-in.ts';
import type { CookieJar } from '../support/sign-in.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { DEFAULT_TENANT_SETTINGS } from '../../src/directory/tenant-settings.ts';

for (const dialect of DIALECTS) {
  describe(`browser session idle timeout (${dialect})`, () => {
    let server: TestServer;
    let acme: SignInFixture;
    let brief: SignInFixture;

    before(async () => {
      server = await startTestServer(dialect);
      acme = await createSignInFixture(server, 'acme');
      brief = await createSignInFixture(server, 'brief', { settings: { session_idle_timeout: 600, session_max_lifetime: 3600 } });
    });
    after(() => server.stop());

    async function sessionOf(fixture: SignInFixture) {
      return server.ctx.db.selectFrom('browser_sessions').selectAll().where('user_id', '=', fixture.user.id).where('ended_at', 'is', null).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    }

    /** One session by id: a test that moves `created_at` back must not then read another test's newer session. */
    async function sessionById(id: string) {
      return server.ctx.db.selectFrom('browser_sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    }

    /** Single sign-on without a page: true when the session still answers `prompt=none` with a code. */
    async function sso(fixture: SignInFixture, jar: CookieJar): Promise<boolean> {
      return (await signIn({ ...fixture, scope: 'openid', jar, extra: { prompt: 'none' } })).code !== undefined;
    }

    it('defaults to 24 h idle and 30 days in all', () => {
      assert.equal(DEFAULT_TENANT_SETTINGS.session_idle_timeout, 86400);
      assert.equal(DEFAULT_TENANT_SETTINGS.session_max_lifetime, 30 * 86400);
    });

    it('a new session lasts the idle timeout, not the absolute lifetime', async () => {
      const started = Date.now();
      const { jar } = await signIn({ ...brief, scope: 'openid' });
      const row = await sessionOf(brief);
      assert.ok(row.expires_at >= started + 600_000 && row.expires_at <= Date.now() + 600_000, `expires ${row.expires_at - started} ms after sign-in`);
      assert.equal(await sso(brief, jar), true);
    });

    it('use moves the idle deadline forward, but writes at most once a minute', async () => {
      const { jar } = await signIn({ ...brief, scope: 'openid' });
      const first = await sessionOf(brief);
      assert.equal(await sso(brief, jar), true);
      assert.equal((await sessionOf(brief)).expires_at, first.expires_at, 'used again within the minute: no write');
      // Last seen five minutes ago (five of its ten idle minutes left): the next use gives it ten minutes again.
      await server.ctx.db.updateTable('browser_sessions').set({ expires_at: Date.now() + 300_000 }).where('id', '=', first.id).execute();
      const before = Date.now();
      assert.equal(await sso(brief, jar), true);
      const moved = (await sessionOf(brief)).expires_at;
      assert.ok(moved >= before + 600_000, `moved to ${moved - before} ms from now`);
    });

    it('ends a session left idle past the timeout', async () => {
      const { jar } = await signIn({ ...brief, scope: 'openid' });
      const row = await sessionOf(brief);
      await server.ctx.db.updateTable('browser_sessions').set({ expires_at: Date.now() - 1 }).where('id', '=', row.id).execute();
      assert.equal(await sso(brief, jar), false);
    });

    it('ends a busy session at the absolute lifetime, never moving it past', async () => {
      const { jar } = await signIn({ ...brief, scope: 'openid' });
      const row = await sessionOf(brief);
      // Signed in 55 minutes ago and last seen eight minutes ago (two of its ten idle minutes left): a use would
      // give it ten minutes again, but the absolute end (sign-in + 1 h) is only five minutes away, so it stops there.
      const signedInAt = Date.now() - 55 * 60_000;
      const lastDeadline = Date.now() + 120_000;
      await server.ctx.db.updateTable('browser_sessions').set({ auth_time: signedInAt, created_at: signedInAt, expires_at: lastDeadline }).where('id', '=', row.id).execute();
      assert.equal(await sso(brief, jar), true);
      const capped = await sessionById(row.id);
      assert.ok(capped.expires_at > lastDeadline, 'the use moved the deadline');
      assert.equal(capped.expires_at, signedInAt + 3_600_000, 'to the absolute end, not a full idle timeout from now');
      // An hour and a minute after sign-in it is over, even with a deadline that a longer setting left behind.
      const longAgo = Date.now() - 61 * 60_000;
      await server.ctx.db.updateTable('browser_sessions').set({ auth_time: longAgo, created_at: longAgo, expires_at: Date.now() + 300_000 }).where('id', '=', row.id).execute();
      assert.equal(await sso(brief, jar), false);
    });

    it('the settings are part of the tenant, validated through the admin API', async () => {
      const admin = await adminCaller(server, await createTenant(server.ctx, { slug: 'ops' }), 'super_admin');
      const changed = await admin.call('PATCH', '/tenants/acme', { settings: { session_idle_timeout: 1800 } });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.equal((changed.body.settings as Record<string, unknown>).session_idle_timeout, 1800);
      assert.equal((changed.body.settings as Record<string, unknown>).session_max_lifetime, 30 * 86400);
      const refused = await admin.call('PATCH', '/tenants/acme', { settings: { session_idle_timeout: 0 } });
      assert.equal(refused.status, 400);
      const started = Date.now();
      await signIn({ ...acme, scope: 'openid' });
      const row = await sessionOf(acme);
      assert.ok(row.expires_at >= started + 1_800_000 && row.expires_at <= Date.now() + 1_800_000);
    });
  });
}
