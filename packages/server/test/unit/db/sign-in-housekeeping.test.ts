import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../../support/databases.ts';
import { startTestServer } from '../../support/server.ts';
import type { TestServer } from '../../support/server.ts';
import { createSignInFixture } from '../../support/sign-in-fixture.ts';
import { signInForTokens } from '../../support/sign-in.ts';
import { deleteExpiredSignInState } from '../../../src/db/queries/sign-in-housekeeping.ts';

for (const dialect of DIALECTS) {
  describe(`sign-in housekeeping (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(() => server.stop());

    it('keeps live state and drops what has expired', async () => {
      const acme = await createSignInFixture(server, 'acme');
      await signInForTokens({ ...acme, scope: 'openid offline_access' });
      const count = async () => {
        const db = server.ctx.db;
        const n = async (table: 'interactions' | 'authorization_codes' | 'refresh_tokens' | 'grant_access_tokens' | 'browser_sessions') =>
          Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
        return [await n('interactions'), await n('authorization_codes'), await n('refresh_tokens'), await n('grant_access_tokens'), await n('browser_sessions')];
      };
      const now = Date.now();
      await deleteExpiredSignInState(server.ctx.db, now);
      assert.deepEqual(await count(), [1, 1, 1, 1, 1]);
      await deleteExpiredSignInState(server.ctx.db, now + 2 * 60_000); // past the code's 60 s
      assert.deepEqual(await count(), [1, 0, 1, 1, 1]);
      await deleteExpiredSignInState(server.ctx.db, now + 2 * 3600_000); // past the access token and the interaction
      assert.deepEqual(await count(), [0, 0, 1, 0, 1]);
      await deleteExpiredSignInState(server.ctx.db, now + 31 * 86400_000); // past the session and the refresh token
      assert.deepEqual(await count(), [0, 0, 0, 0, 0]);
    });
  });
}
