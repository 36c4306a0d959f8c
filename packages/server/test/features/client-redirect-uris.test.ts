/**
 * Redirect URIs by kind of client (issue 13, Also): a web (confidential) client's codes never travel over plain
 * http to another machine, so http is refused there except on loopback hosts; native and browser (public)
 * apps keep loopback http and private-use schemes (RFC 8252 §7). Checked at creation and update, through the
 * admin API and the CLI, and a refusal changes nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer, TEST_SECRET } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { adminCaller } from '../support/admin.ts';
import type { AdminCaller } from '../support/admin.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { runCli } from '../../src/cli/main.ts';

for (const dialect of DIALECTS) {
  describe(`client redirect URIs (${dialect})`, () => {
    let server: TestServer;
    let admin: AdminCaller;

    before(async () => {
      server = await startTestServer(dialect);
      admin = await adminCaller(server, await createTenant(server.ctx, { slug: 'acme' }), 'tenant_admin');
    });
    after(() => server.stop());

    const count = async () => Number((await server.ctx.db.selectFrom('clients').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    it('refuses plain http on a non-loopback host for a web client, and creates nothing', async () => {
      const before = await count();
      for (const uri of ['http://app.example/callback', 'http://10.0.0.8/cb', 'http://127.0.0.1.evil.example/cb']) {
        const refused = await admin.call('POST', '/tenants/acme/clients', { name: 'web', redirect_uris: ['https://app.example/ok', uri] });
        assert.equal(refused.status, 400, uri);
        assert.equal(refused.body.error, 'invalid_request');
        assert.match(String(refused.body.error_description), /https/);
      }
      assert.equal(await count(), before);
    });

    it('accepts https anywhere and http on loopback for a web client', async () => {
      const created = await admin.call('POST', '/tenants/acme/clients', {
        name: 'web',
        redirect_uris: ['https://app.example/callback', 'http://127.0.0.1:8080/cb', 'http://localhost:3000/cb', 'http://[::1]:9000/cb', 'http://127.0.0.2/cb'],
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    });

    it('lets native and browser apps keep loopback http and private-use schemes', async () => {
      const created = await admin.call('POST', '/tenants/acme/clients', { name: 'native', type: 'public', redirect_uris: ['http://127.0.0.1/cb', 'com.example.app:/oauth2redirect', 'https://app.example/spa'] });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    });

    it('refuses the same on update and leaves the client as it was', async () => {
      const created = await admin.call('POST', '/tenants/acme/clients', { name: 'web', redirect_uris: ['https://app.example/callback'] });
      const path = `/tenants/acme/clients/${created.body.client_id}`;
      const refused = await admin.call('PATCH', path, { redirect_uris: ['http://app.example/callback'] });
      assert.equal(refused.status, 400);
      assert.deepEqual((await admin.call('GET', path)).body.redirect_uris, ['https://app.example/callback']);
      assert.equal((await admin.call('PATCH', path, { redirect_uris: ['http://localhost:4000/cb'] })).status, 200);
    });

    it('refuses it through the CLI too', async () => {
      const env = { LATCHKEY_DATABASE_URL: server.ctx.config.databaseUrl, LATCHKEY_DATA_DIR: server.ctx.config.dataDir, LATCHKEY_SECRET: TEST_SECRET, LATCHKEY_LOG_LEVEL: 'silent' };
      let stderr = '';
      const before = await count();
      const code = await runCli(['client', 'create', '--tenant', 'acme', '--name', 'web', '--redirect-uri', 'http://app.example/callback'], { stdout: () => {}, stderr: (t) => (stderr += t) }, env);
      assert.equal(code, 1);
      assert.match(stderr, /https/);
      assert.equal(await count(), before);
      const loopback = await runCli(['client', 'create', '--tenant', 'acme', '--name', 'dev', '--redirect-uri', 'http://127.0.0.1:5173/cb'], { stdout: () => {}, stderr: (t) => (stderr += t) }, env);
      assert.equal(loopback, 0, stderr);
    });
  });
}
