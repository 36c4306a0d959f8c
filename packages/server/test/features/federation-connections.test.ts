/**
 * Connections as directory objects (issue 18, item 1): the admin API and the CLI create, update, disable and
 * delete them with audit events; secrets are sealed at rest and never returned; a domain claimed twice in one
 * tenant is refused; the OpenAPI document describes them. SQLite and PostgreSQL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import type { Tenant } from '../../src/db/queries/tenants.ts';
import { adminCaller } from '../support/admin.ts';
import type { AdminCaller } from '../support/admin.ts';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer, TEST_SECRET } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

for (const dialect of DIALECTS) {
  describe(`federation connections: admin API and CLI (${dialect})`, () => {
    let server: TestServer;
    let tenant: Tenant;
    let admin: AdminCaller;

    before(async () => {
      server = await startTestServer(dialect);
      tenant = await createTenant(server.ctx, { slug: 'acme', name: 'Acme' });
      admin = await adminCaller(server, tenant, 'tenant_admin');
    });
    after(() => server.stop());

    it('creates, reads, updates, disables and deletes a connection, with secrets sealed and never returned', async () => {
      const created = await admin.call('POST', '/tenants/acme/connections', {
        slug: 'corp', name: 'Corp SSO', type: 'oidc', domains: ['corp.example'],
        settings: { issuer: 'https://idp.corp.example', client_id: 'latchkey', group_mapping: { staff: ['employees'] } },
        secrets: { client_secret: 'upstream-secret-value-123' },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.slug, 'corp');
      assert.equal(created.body.enabled, true);
      assert.equal(created.body.has_secrets, true);
      assert.deepEqual(created.body.domains, ['corp.example']);
      assert.equal(created.body.callback_url, `${server.url}/t/acme/federation/corp/callback`);
      assert.ok(!JSON.stringify(created.body).includes('upstream-secret-value-123'), 'the secret is never returned');
      const row = await server.ctx.db.selectFrom('connections').selectAll().where('slug', '=', 'corp').executeTakeFirstOrThrow();
      assert.ok(row.secrets_jwe !== null && !row.secrets_jwe.includes('upstream-secret') && row.secrets_jwe.split('.').length === 5, 'sealed as a compact JWE');

      const read = await admin.call('GET', `/tenants/acme/connections/${created.body.id}`);
      assert.equal(read.status, 200);
      assert.equal((read.body.settings as Record<string, unknown>).issuer, 'https://idp.corp.example');

      const disabled = await admin.call('PATCH', '/tenants/acme/connections/corp', { enabled: false, settings: { trust_email: true } });
      assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
      assert.equal(disabled.body.enabled, false);
      assert.equal((disabled.body.settings as Record<string, unknown>).trust_email, true);
      assert.equal((disabled.body.settings as Record<string, unknown>).client_id, 'latchkey', 'settings merge over the current ones');

      const list = await admin.call('GET', '/tenants/acme/connections');
      assert.equal((list.body.data as unknown[]).length, 1);

      const deleted = await admin.call('DELETE', '/tenants/acme/connections/corp');
      assert.equal(deleted.status, 204);
      assert.equal((await admin.call('GET', '/tenants/acme/connections/corp')).status, 404);

      const actions = (await server.ctx.db.selectFrom('audit_events').select('action').where('target_id', '=', String(created.body.id)).orderBy('id').execute()).map((e) => e.action);
      assert.deepEqual(actions, ['connection.create', 'connection.update', 'connection.delete']);
    });

    it('refuses a domain claimed twice in one tenant, a bad issuer and an unknown setting, changing nothing', async () => {
      const first = await admin.call('POST', '/tenants/acme/connections', { slug: 'one', type: 'oidc', name: 'One', domains: ['shared.example'], settings: { issuer: 'https://one.example', client_id: 'a' } });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      const second = await admin.call('POST', '/tenants/acme/connections', { slug: 'two', type: 'oidc', name: 'Two', domains: ['Shared.Example'], settings: { issuer: 'https://two.example', client_id: 'b' } });
      assert.equal(second.status, 409, JSON.stringify(second.body));
      assert.equal((await admin.call('GET', '/tenants/acme/connections/two')).status, 404, 'nothing was created');
      const patch = await admin.call('POST', '/tenants/acme/connections', { slug: 'three', type: 'oidc', name: 'Three', settings: { issuer: 'https://three.example', client_id: 'c' } });
      assert.equal(patch.status, 201);
      assert.equal((await admin.call('PATCH', '/tenants/acme/connections/three', { domains: ['shared.example'] })).status, 409);

      assert.equal((await admin.call('POST', '/tenants/acme/connections', { slug: 'plain', type: 'oidc', name: 'Plain', settings: { issuer: 'http://idp.example', client_id: 'c' } })).status, 400, 'http only for loopback');
      assert.equal((await admin.call('POST', '/tenants/acme/connections', { slug: 'typo', type: 'oidc', name: 'Typo', settings: { issuer: 'https://idp.example', client_id: 'c', trust_emails: true } })).status, 400);
      assert.equal((await admin.call('POST', '/tenants/acme/connections', { slug: 'gh', preset: 'github', type: 'saml', name: 'GH', settings: { client_id: 'c' } })).status, 400, 'a preset fixes the type');

      const other = await createTenant(server.ctx, { slug: 'other', name: 'Other' });
      const otherAdmin = await adminCaller(server, other, 'tenant_admin');
      assert.equal((await otherAdmin.call('POST', '/tenants/other/connections', { slug: 'one', type: 'oidc', name: 'One', domains: ['shared.example'], settings: { issuer: 'https://one.example', client_id: 'a' } })).status, 201, 'another tenant may claim the same domain');
      assert.equal((await otherAdmin.call('GET', '/tenants/acme/connections/one')).status, 404, 'a tenant admin sees only their tenant');
    });

    it('describes connections in the OpenAPI document', async () => {
      const document = (await (await fetch(`${server.url}/admin/v1/openapi.json`)).json()) as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
      assert.ok(document.paths['/tenants/{tenant}/connections']);
      assert.ok(document.paths['/tenants/{tenant}/connections/{connection}']);
      assert.ok(document.components.schemas.Connection);
    });

    it('manages connections from the CLI, with secrets from a file', async () => {
      const env = { LATCHKEY_DATABASE_URL: server.database.url, LATCHKEY_DATA_DIR: server.database.dir, LATCHKEY_SECRET: TEST_SECRET, LATCHKEY_LOG_LEVEL: 'silent' };
      const cli = async (...argv: string[]) => {
        let stdout = '';
        let stderr = '';
        const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, env);
        return { code, stdout, stderr };
      };
      const dir = mkdtempSync(join(tmpdir(), 'latchkey-connection-'));
      writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ client_secret: 'gh-secret-from-file' }), { mode: 0o600 });
      const created = await cli('connection', 'create', '--tenant', 'acme', '--preset', 'github', '--settings', '{"client_id":"Iv1.abc"}', '--secrets-file', join(dir, 'secrets.json'), '--json');
      assert.equal(created.code, 0, created.stderr);
      const body = JSON.parse(created.stdout) as Record<string, unknown>;
      assert.equal(body.slug, 'github');
      assert.equal(body.type, 'oauth2');
      assert.equal(body.name, 'GitHub');
      assert.ok(!created.stdout.includes('gh-secret-from-file'));
      const disabled = await cli('connection', 'update', '--tenant', 'acme', '--connection', 'github', '--disable', '--domains', 'gh.example', '--json');
      assert.equal(disabled.code, 0, disabled.stderr);
      assert.equal((JSON.parse(disabled.stdout) as Record<string, unknown>).enabled, false);
      const clash = await cli('connection', 'update', '--tenant', 'acme', '--connection', 'three', '--domains', 'gh.example');
      assert.notEqual(clash.code, 0, 'the CLI refuses a domain claimed twice too');
      const listed = await cli('connection', 'list', '--tenant', 'acme', '--json');
      assert.ok((JSON.parse(listed.stdout) as Array<{ slug: string }>).some((c) => c.slug === 'github'));
      assert.equal((await cli('connection', 'delete', '--tenant', 'acme', '--connection', 'github')).code, 0);
      assert.equal((await cli('connection', 'show', '--tenant', 'acme', '--connection', 'github')).code, 1);
      const events = await server.ctx.db.selectFrom('audit_events').select(['action', 'actor_type']).where('action', 'like', 'connection.%').where('actor_type', '=', 'cli').execute();
      assert.equal(events.length, 3);
    });
  });
}
