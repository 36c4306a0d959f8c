/**
 * Invitations over the admin API and the CLI, with a real SMTP server: invite → mailed link → choose a
 * password → sign in; resend (the old link stops working), revoke, expiry; bad links get a clear page and
 * change nothing; the admin's "send a verification mail". Both dialects.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { DIALECTS } from '../support/databases.ts';
import { adminCaller } from '../support/admin.ts';
import type { AdminCaller } from '../support/admin.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { signInForTokens } from '../support/sign-in.ts';
import { linkIn } from '../support/smtp.ts';
import { TEST_SECRET } from '../support/server.ts';
import { CookieJar, getPage, messageOf, startMailedServer, submitForm } from '../support/accounts.ts';
import type { MailedServer } from '../support/accounts.ts';
import { runCli } from '../../src/cli/main.ts';

const PASSWORD = 'harbor violin cactus meteor';

for (const dialect of DIALECTS) {
  describe(`invitations (${dialect})`, () => {
    let env: MailedServer;
    let acme: SignInFixture;
    let other: SignInFixture;
    let admin: AdminCaller;

    before(async () => {
      env = await startMailedServer(dialect);
      acme = await createSignInFixture(env.server, 'acme');
      other = await createSignInFixture(env.server, 'other');
      admin = await adminCaller(env.server, acme.tenant, 'tenant_admin');
    });
    after(() => env?.stop());

    const invitationMail = (to: string, after = 0) => env.smtp.waitFor((m) => m.to === to && /invited/.test(m.subject) && env.smtp.received.indexOf(m) >= after);
    const path = `/tenants/${'acme'}/invitations`;

    it('invites by email; the person sets a password through the link and signs in with a verified address', async () => {
      const created = await admin.call('POST', path, { email: 'linus@acme.example', first_name: 'Linus', role: 'engineer' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.status, 'pending');
      assert.equal(created.body.invited_by, admin.userId);
      const mail = await invitationMail('linus@acme.example');
      assert.equal(mail.subject, 'You are invited to Tenant acme');
      const link = linkIn(mail, `${acme.issuer}/invitation?token=`);

      const browser = new CookieJar();
      const page = await getPage(browser, link);
      assert.equal(page.status, 200);
      assert.match(page.body, /value="Linus"/);
      const weak = await submitForm(browser, link, { password: 'linus1234' });
      assert.equal(weak.status, 400);
      assert.match(messageOf(weak.body), /too easy to guess/);
      const accepted = await submitForm(browser, link, { first_name: 'Linus', last_name: 'Torvalds', password: PASSWORD });
      assert.equal(accepted.status, 200, accepted.body);
      assert.match(accepted.body, /Welcome/);

      const { tokens } = await signInForTokens({ ...acme, login: 'linus@acme.example', password: PASSWORD });
      const idToken = decodeJwt(tokens.id_token as string);
      assert.equal(idToken.email_verified, true);
      assert.equal(idToken.family_name, 'Torvalds');
      const read = await admin.call('GET', `${path}/${created.body.id as string}`);
      assert.equal(read.body.status, 'accepted');
      assert.equal(read.body.user_id, idToken.sub);
      const user = await env.server.ctx.db.selectFrom('users').select('role').where('id', '=', idToken.sub!).executeTakeFirstOrThrow();
      assert.equal(user.role, 'engineer');

      const reused = await getPage(new CookieJar(), link);
      assert.equal(reused.status, 400);
      assert.match(messageOf(reused.body), /already been used/);
    });

    it('refuses an invitation for an existing user or an address already invited (409)', async () => {
      assert.equal((await admin.call('POST', path, { email: acme.login })).status, 409);
      assert.equal((await admin.call('POST', path, { email: 'twice@acme.example' })).status, 201);
      assert.equal((await admin.call('POST', path, { email: 'TWICE@acme.example' })).status, 409);
      assert.equal((await admin.call('POST', path, { email: 'not an address' })).status, 400);
    });

    it('resends with a new link (the old one stops working), revokes, and expires', async () => {
      const before = env.smtp.received.length;
      const created = await admin.call('POST', path, { email: 'ada2@acme.example' });
      const first = linkIn(await invitationMail('ada2@acme.example', before), `${acme.issuer}/invitation?token=`);
      const mark = env.smtp.received.length;
      const resent = await admin.call('POST', `${path}/${created.body.id as string}/resend`);
      assert.equal(resent.status, 200);
      const second = linkIn(await invitationMail('ada2@acme.example', mark), `${acme.issuer}/invitation?token=`);
      assert.notEqual(second, first);
      assert.equal((await getPage(new CookieJar(), first)).status, 400, 'the old link stops working');
      assert.equal((await getPage(new CookieJar(), second)).status, 200);

      const revoked = await admin.call('POST', `${path}/${created.body.id as string}/revoke`);
      assert.equal(revoked.status, 200);
      assert.equal(revoked.body.status, 'revoked');
      const page = await getPage(new CookieJar(), second);
      assert.equal(page.status, 400);
      assert.match(messageOf(page.body), /withdrawn/);
      assert.equal((await admin.call('POST', `${path}/${created.body.id as string}/resend`)).status, 409);
      assert.equal((await admin.call('POST', `${path}/${created.body.id as string}/revoke`)).status, 409);

      const late = await admin.call('POST', path, { email: 'late@acme.example' });
      const lateLink = linkIn(await invitationMail('late@acme.example'), `${acme.issuer}/invitation?token=`);
      await env.server.ctx.db.updateTable('invitations').set({ expires_at: Date.now() - 1 }).where('id', '=', late.body.id as string).execute();
      const expired = await getPage(new CookieJar(), lateLink);
      assert.equal(expired.status, 400);
      assert.match(messageOf(expired.body), /expired/);
      const list = await admin.call('GET', path);
      const statuses = Object.fromEntries((list.body.data as Array<Record<string, unknown>>).map((i) => [i.email, i.status]));
      assert.equal(statuses['late@acme.example'], 'expired');
      assert.equal(statuses['ada2@acme.example'], 'revoked');
      assert.equal((await admin.call('POST', `${path}/${late.body.id as string}/resend`)).status, 200, 'an expired invitation can be sent again');
    });

    it("refuses another tenant's and tampered links with a clear page, creates nothing, audits each", async () => {
      const created = await admin.call('POST', path, { email: 'mallory@acme.example' });
      assert.equal(created.status, 201);
      const link = linkIn(await invitationMail('mallory@acme.example'), `${acme.issuer}/invitation?token=`);
      const token = new URL(link).searchParams.get('token')!;
      const elsewhere = await getPage(new CookieJar(), `${other.issuer}/invitation?token=${token}`);
      assert.equal(elsewhere.status, 400);
      assert.match(messageOf(elsewhere.body), /not valid here/);
      const tampered = await fetch(`${acme.issuer}/invitation`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')), password: PASSWORD }).toString() });
      assert.equal(tampered.status, 400);
      const noCsrf = await fetch(`${acme.issuer}/invitation`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, password: PASSWORD }).toString() });
      assert.equal(noCsrf.status, 403);
      assert.equal(await env.server.ctx.db.selectFrom('users').select('id').where('email', '=', 'mallory@acme.example').executeTakeFirst(), undefined);
      const events = await env.server.ctx.db.selectFrom('audit_events').select(['tenant_id', 'details']).where('action', '=', 'account.invitation.link_refused').execute();
      assert.ok(events.some((e) => e.tenant_id === other.tenant.id && JSON.parse(e.details).reason === 'unknown'));
      assert.ok(events.some((e) => e.tenant_id === acme.tenant.id && JSON.parse(e.details).reason === 'unknown'));
    });

    it('lets an admin mail a user a verification link (202), which sets email_verified', async () => {
      const sent = await admin.call('POST', `/tenants/acme/users/${acme.user.id}/verification-email`);
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      assert.deepEqual(sent.body, { email: acme.login });
      const mail = await env.smtp.waitFor((m) => m.to === acme.login && /Confirm your email/.test(m.subject));
      const confirmed = await submitForm(new CookieJar(), linkIn(mail, `${acme.issuer}/verify-email?token=`), {});
      assert.equal(confirmed.status, 200);
      const row = await env.server.ctx.db.selectFrom('users').select('email_verified_at').where('id', '=', acme.user.id).executeTakeFirstOrThrow();
      assert.ok(row.email_verified_at);
    });

    it('works from the CLI: create (the running server mails it), list, revoke', async () => {
      const cliEnv = { LATCHKEY_DATABASE_URL: env.server.database.url, LATCHKEY_DATA_DIR: env.server.database.dir, LATCHKEY_SECRET: TEST_SECRET, LATCHKEY_LOG_LEVEL: 'silent', LATCHKEY_BASE_URL: env.server.ctx.config.baseUrl };
      const cli = async (...argv: string[]) => {
        let stdout = '';
        let stderr = '';
        const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, cliEnv);
        return { code, stdout, stderr };
      };
      const created = await cli('invitation', 'create', '--tenant', 'acme', '--email', 'cli@acme.example', '--first-name', 'Cli', '--json');
      assert.equal(created.code, 0, created.stderr);
      const invitation = JSON.parse(created.stdout) as Record<string, unknown>;
      assert.equal(invitation.status, 'pending');
      const mail = await invitationMail('cli@acme.example');
      assert.ok(linkIn(mail, `${acme.issuer}/invitation?token=`));
      const listed = JSON.parse((await cli('invitation', 'list', '--tenant', 'acme', '--json')).stdout) as Array<Record<string, unknown>>;
      assert.ok(listed.some((i) => i.id === invitation.id));
      const revoked = await cli('invitation', 'revoke', '--tenant', 'acme', invitation.id as string, '--json');
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.equal((JSON.parse(revoked.stdout) as Record<string, unknown>).status, 'revoked');
      assert.equal((await cli('invitation', 'revoke', '--tenant', 'acme')).code, 2);
      const audit = await env.server.ctx.db.selectFrom('audit_events').select('actor_type').where('action', '=', 'invitation.create').where('target_id', '=', invitation.id as string).executeTakeFirstOrThrow();
      assert.equal(audit.actor_type, 'cli');
    });
  });
}
