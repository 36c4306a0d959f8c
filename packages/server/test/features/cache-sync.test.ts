/**
 * Changes made elsewhere show within the sync interval, however long the caches keep entries (issue 21): two
 * instances on one database with a cache TTL of an hour, so only the shared change signal can explain a change
 * made through one instance (or the CLI) showing on the other within the test's deadline. Without the signal,
 * the other instance keeps serving what it cached; with the counter unreadable, serving goes on.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { DIALECTS } from '../support/databases.ts';
import { startDeployment } from '../support/instances.ts';
import type { Deployment } from '../support/instances.ts';
import { createTenantWithClient, TEST_SECRET } from '../support/server.ts';
import type { TenantWithClient } from '../support/server.ts';
import { clientCredentials, fetchJwks } from '../support/tokens.ts';
import { rotateClientSecret } from '../../src/directory/clients.ts';
import { runCli } from '../../src/cli/main.ts';

const LONG = { LATCHKEY_CACHE_TTL_SECONDS: '3600', LATCHKEY_CACHE_LIFETIME_SECONDS: '3600', LATCHKEY_KEY_ACTIVATION_DELAY_SECONDS: '3600', LATCHKEY_CACHE_SYNC_MS: '200' };
/** Far above the sync interval (a busy machine must not fail the test), far below the TTL. */
const DEADLINE_MS = 20_000;

async function eventually(condition: () => Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + DEADLINE_MS;
  while (!(await condition())) {
    if (Date.now() > until) assert.fail(`not within ${DEADLINE_MS} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

for (const dialect of DIALECTS) {
  describe(`the shared change signal across two ${dialect} instances`, () => {
    let deployment: Deployment;
    let acme: TenantWithClient;
    const status = async (url: string, secret: string) => (await clientCredentials(url, acme.clientId, secret)).status;

    async function cli(...argv: string[]): Promise<string> {
      let stdout = '';
      let stderr = '';
      const env = { LATCHKEY_DATABASE_URL: deployment.database.url, LATCHKEY_DATA_DIR: deployment.database.dir, LATCHKEY_SECRET: TEST_SECRET, LATCHKEY_LOG_LEVEL: 'silent' };
      const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, env);
      assert.equal(code, 0, stderr);
      return stdout;
    }

    before(async () => {
      deployment = await startDeployment(dialect, 2, LONG);
      acme = await createTenantWithClient(deployment.instances[0]!, 'acme');
    });
    after(() => deployment.stop());

    it('a client secret rotated through one instance is refused by the other within the sync interval, not the hour-long TTL', async () => {
      const [a, b] = deployment.instances as [typeof deployment.instances[0], typeof deployment.instances[0]];
      for (const instance of [a, b]) assert.equal(await status(instance.url, acme.clientSecret), 200);
      const rotated = await rotateClientSecret(a.ctx, acme.clientId);
      assert.equal(await status(a.url, acme.clientSecret), 401, 'the instance that made the change drops its cache at once');
      await eventually(async () => (await status(b.url, acme.clientSecret)) === 401, 'the other instance refuses the old secret');
      assert.equal(await status(b.url, rotated.clientSecret!), 200);
      acme = { ...acme, clientSecret: rotated.clientSecret! };
    });

    it('a secret rotated and a signing key staged through the CLI show on both instances', async () => {
      for (const instance of deployment.instances) await fetchJwks(instance.url, 'acme');
      const rotated = JSON.parse(await cli('client', 'rotate-secret', acme.clientId, '--json')) as { client_secret: string };
      const staged = JSON.parse(await cli('keys', 'rotate', '--tenant', 'acme', '--json')) as { kid: string };
      for (const instance of deployment.instances) {
        await eventually(async () => (await status(instance.url, acme.clientSecret)) === 401, 'the old secret is refused');
        assert.equal(await status(instance.url, rotated.client_secret), 200);
        await eventually(async () => (await fetchJwks(instance.url, 'acme')).keys.some((key) => key.kid === staged.kid), 'JWKS publishes the staged key');
      }
      acme = { ...acme, clientSecret: rotated.client_secret };
    });

    it('while the counter cannot be read, tokens are still issued; once it can, changes show again', async () => {
      const [a, b] = deployment.instances as [typeof deployment.instances[0], typeof deployment.instances[0]];
      await sql`alter table directory_changes rename to directory_changes_away`.execute(a.ctx.db);
      try {
        // Both instances' polls now fail; wait until one has (the signal is no longer current).
        await eventually(async () => !(await b.ctx.cacheSync.sync()), 'a poll fails');
        for (const instance of [a, b]) assert.equal(await status(instance.url, acme.clientSecret), 200);
      } finally {
        await sql`alter table directory_changes_away rename to directory_changes`.execute(a.ctx.db);
      }
      const rotated = await rotateClientSecret(a.ctx, acme.clientId);
      await eventually(async () => (await status(b.url, acme.clientSecret)) === 401, 'the other instance refuses the old secret');
      acme = { ...acme, clientSecret: rotated.clientSecret! };
    });
  });

  it(`without the signal (LATCHKEY_CACHE_SYNC_MS=0) another instance serves what it cached for the TTL (${dialect})`, async () => {
    const deployment = await startDeployment(dialect, 2, { ...LONG, LATCHKEY_CACHE_SYNC_MS: '0' });
    try {
      const [a, b] = deployment.instances as [typeof deployment.instances[0], typeof deployment.instances[0]];
      const acme = await createTenantWithClient(a, 'acme');
      assert.equal((await clientCredentials(b.url, acme.clientId, acme.clientSecret)).status, 200);
      await rotateClientSecret(a.ctx, acme.clientId);
      assert.equal((await clientCredentials(a.url, acme.clientId, acme.clientSecret)).status, 401);
      assert.equal((await clientCredentials(b.url, acme.clientId, acme.clientSecret)).status, 200, 'b still holds the client it cached');
    } finally {
      await deployment.stop();
    }
  });
}
