/**
 * Administering second factors through the admin API and the CLI (list without secrets, remove, reset, the
 * enrolment report, the admins-act-downward rule, audit events), and the promise that a TOTP secret or a
 * recovery code never shows outside the user's own enrolment page: not in logs (captured at trace level), the
 * admin API, the CLI, the audit log, error pages, or exports (where the secret is sealed).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS, createTestDatabase } from '../support/databases.ts';
import type { TestDatabase } from '../support/databases.ts';
import { TEST_SECRET, freePort } from '../support/server.ts';
import { adminCaller } from '../support/admin.ts';
import { createSignInFixture, TEST_PASSWORD } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { CookieJar, authorizationUrl, createPkce } from '../support/sign-in.ts';
import { open, submit, totpCode } from '../support/mfa.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLatchkey } from '../../src/context.ts';
import { createLogger } from '../../src/http/logger.ts';
import { startServer } from '../../src/server.ts';
import type { RunningServer } from '../../src/server.ts';
import { runCli } from '../../src/cli/main.ts';
import { exportDeployment } from '../../src/backup/export.ts';
import { beginTotpEnrolment, confirmTotpEnrolment } from '../../src/authentication/factors.ts';
import { regenerateRecoveryCodes } from '../../src/authentication/recovery-codes.ts';
import { createUser } from '../../src/directory/users.ts';
import { userQueries } from '../../src/db/queries/users.ts';

for (const dialect of DIALECTS) {
  describe(`second factors in the admin API and the CLI, secrets nowhere (${dialect})`, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let corp: SignInFixture;
    let secret: string;
    let codes: string[];
    const logs: string[] = [];

    before(async () => {
      database = await createTestDatabase(dialect);
      const port = await freePort();
      const config = loadConfig({ HOST: '127.0.0.1', PORT: String(port), LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_SECRET: TEST_SECRET, LATCHKEY_LOG_LEVEL: 'trace' });
      const ctx = await createLatchkey(config, { logger: createLogger('trace', { write: (line: string) => void logs.push(line) }) });
      server = await startServer(config, ctx);
      corp = await createSignInFixture(server, 'corp');
      const user = (await userQueries(ctx.db).findById(corp.user.id))!;
      const enrolment = await beginTotpEnrolment(ctx, corp.tenant, user);
      secret = enrolment.secret;
      assert.equal((await confirmTotpEnrolment(ctx, { tenant: corp.tenant, user, ip: '10.0.0.1', code: totpCode(secret, -1), factorId: enrolment.factorId, name: 'Phone' })).outcome, 'success');
      codes = await regenerateRecoveryCodes(ctx, corp.tenant.id, user.id);
    });
    after(async () => {
      await server.close();
      await database.drop();
    });

    it('signs in with a wrong code, a right code and a recovery code (what the logs will be searched for)', async () => {
      const jar = new CookieJar();
      const url = authorizationUrl({ issuer: corp.issuer, clientId: corp.clientId, redirectUri: corp.redirectUri, scope: 'openid' }, createPkce(), 's', 'n');
      let page = await submit(jar, await open(jar, url, corp.issuer, corp.redirectUri), '/login', { login: corp.login, password: TEST_PASSWORD, action: 'sign_in' }, corp.issuer, corp.redirectUri);
      page = await submit(jar, page, '/mfa/recovery', { recovery_code: 'zzzzz-zzzzz' }, corp.issuer, corp.redirectUri);
      assert.equal(page.status, 401);
      page = await submit(jar, page, '/mfa/totp', { code: totpCode(secret) }, corp.issuer, corp.redirectUri);
      assert.equal(page.page, 'consent');
      const again = new CookieJar();
      const used = await submit(again, await submit(again, await open(again, url, corp.issuer, corp.redirectUri), '/login', { login: corp.login, password: TEST_PASSWORD, action: 'sign_in' }, corp.issuer, corp.redirectUri), '/mfa/recovery', { recovery_code: codes[1]! }, corp.issuer, corp.redirectUri);
      assert.match(used.html!, /You have 9 recovery codes left/);
    });

    it('lists factors without secrets, reports enrolment, and a tenant_admin cannot touch a super_admin', async () => {
      const admin = await adminCaller(server, corp.tenant, 'tenant_admin');
      const listed = await admin.call('GET', `/tenants/corp/users/${corp.user.id}/factors`);
      assert.equal(listed.status, 200);
      const data = listed.body.data as Array<Record<string, unknown>>;
      assert.equal(data.length, 1);
      assert.deepEqual(Object.keys(data[0]!).sort(), ['created_at', 'id', 'last_used_at', 'name', 'type']);
      assert.equal(data[0]!.type, 'totp');
      assert.equal(listed.body.recovery_codes_left, 9);

      const report = await admin.call('GET', '/tenants/corp/mfa-report');
      assert.equal(report.status, 200);
      assert.equal(report.body.policy, 'optional');
      assert.equal(report.body.enrolled, 1);
      assert.equal(report.body.with_totp, 1);
      assert.deepEqual(report.body.admins_without_factor, [admin.userId]);

      const boss = await createUser(server.ctx, corp.tenant, { email: 'boss@corp.example', password: TEST_PASSWORD });
      await server.ctx.db.updateTable('users').set({ admin_role: 'super_admin' }).where('id', '=', boss.id).execute();
      const refused = await admin.call('POST', `/tenants/corp/users/${boss.id}/factors/reset`);
      assert.equal(refused.status, 403);
    });

    it('the CLI lists, reports and resets with the same rule and audit events; the admin API removes one factor', async () => {
      const env = { LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_SECRET: TEST_SECRET, LATCHKEY_LOG_LEVEL: 'silent' };
      const cli = async (...argv: string[]) => {
        let stdout = '';
        let stderr = '';
        const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, env);
        logs.push(stdout, stderr);
        return { code, stdout, stderr };
      };
      const listed = await cli('mfa', 'factors', '--tenant', 'corp', corp.login, '--json');
      assert.equal(listed.code, 0, listed.stderr);
      assert.equal((JSON.parse(listed.stdout) as { factors: unknown[] }).factors.length, 1);
      const report = await cli('mfa', 'report', '--tenant', 'corp', '--json');
      assert.equal(JSON.parse(report.stdout).with_totp, 1);

      const admin = await adminCaller(server, corp.tenant, 'tenant_admin');
      const factorId = (JSON.parse(listed.stdout) as { factors: Array<{ id: string }> }).factors[0]!.id;
      assert.equal((await admin.call('DELETE', `/tenants/corp/users/${corp.user.id}/factors/${factorId}`)).status, 204);
      assert.equal((await admin.call('DELETE', `/tenants/corp/users/${corp.user.id}/factors/${factorId}`)).status, 404);
      const after = await admin.call('GET', `/tenants/corp/users/${corp.user.id}/factors`);
      assert.deepEqual(after.body, { data: [], recovery_codes_left: 0 }, 'with the last factor gone, the recovery codes go too');

      const user = (await userQueries(server.ctx.db).findById(corp.user.id))!;
      const enrolment = await beginTotpEnrolment(server.ctx, corp.tenant, user);
      await confirmTotpEnrolment(server.ctx, { tenant: corp.tenant, user, ip: '10.0.0.1', code: totpCode(enrolment.secret, 1), factorId: enrolment.factorId, name: '' });
      const reset = await cli('mfa', 'reset', '--tenant', 'corp', corp.login, '--json');
      assert.equal(reset.code, 0, reset.stderr);
      assert.deepEqual(JSON.parse(reset.stdout), { factors_removed: 1 });
      const actions = (await server.ctx.db.selectFrom('audit_events').select(['action', 'actor_type']).where('target_id', '=', corp.user.id).execute()).map((e) => `${e.action}:${e.actor_type}`);
      for (const expected of ['user.mfa.enrol:user', 'user.mfa.verify:user', 'user.mfa.recovery_code_used:user', 'user.mfa.remove:user', 'user.mfa.reset:cli']) assert.ok(actions.includes(expected), `${expected} in ${actions.join(', ')}`);
    });

    it('the policy is a tenant setting: admin API and CLI set it, bad values are refused (the CLI names every problem)', async () => {
      const admin = await adminCaller(server, corp.tenant, 'tenant_admin');
      const set = await admin.call('PATCH', '/tenants/corp', { settings: { mfa: { policy: 'required', allowed_factors: ['passkey'] } } });
      assert.equal(set.status, 200);
      assert.deepEqual((set.body.settings as Record<string, unknown>).mfa, { policy: 'required', required_for_admins: true, allowed_factors: ['passkey'] });
      const bad = await admin.call('PATCH', '/tenants/corp', { settings: { mfa: { policy: 'sometimes', allowed_factors: [] } } });
      assert.equal(bad.status, 400);
      assert.match(String(bad.body.error_description), /mfa\/policy/);

      const env = { LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_SECRET: TEST_SECRET, LATCHKEY_LOG_LEVEL: 'silent' };
      let stderr = '';
      const code = await runCli(['tenant', 'update', 'corp', '--set', 'mfa.policy=optional', '--set', 'mfa.allowed_factors=totp,passkey', '--set', 'mfa.required_for_admins=false'], { stdout: () => undefined, stderr: (t) => (stderr += t) }, env);
      assert.equal(code, 0, stderr);
      const refused = await runCli(['tenant', 'update', 'corp', '--set', 'mfa.policy=sometimes', '--set', 'mfa.allowed_factors=sms'], { stdout: () => undefined, stderr: (t) => (stderr += t) }, env);
      assert.equal(refused, 2, stderr);
      assert.match(stderr, /mfa\.policy must be one of off, optional, required.*mfa\.allowed_factors must be a non-empty list of totp, passkey/);
      const stored = await server.ctx.db.selectFrom('tenants').select('settings').where('slug', '=', 'corp').executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(stored.settings).mfa, { policy: 'optional', required_for_admins: false, allowed_factors: ['totp', 'passkey'] });
    });

    it('no TOTP secret or recovery code in the logs, the audit log, or an export (which holds the secret only sealed)', async () => {
      const user = (await userQueries(server.ctx.db).findById(corp.user.id))!;
      const current = await beginTotpEnrolment(server.ctx, corp.tenant, user);
      let exported = '';
      await exportDeployment(server.ctx, (chunk) => void (exported += chunk));
      assert.match(exported, /secret_sealed/);
      const audit = JSON.stringify(await server.ctx.db.selectFrom('audit_events').selectAll().execute());
      const everywhere = [logs.join('\n'), audit, exported];
      assert.ok(logs.length > 20, 'the server logged at trace level');
      for (const text of everywhere) {
        assert.ok(!text.includes(secret) && !text.includes(current.secret), 'a TOTP secret leaked');
        for (const code of codes) assert.ok(!text.includes(code) && !text.includes(code.replace('-', '')), 'a recovery code leaked');
      }
    });
  });
}
