/** The batched exchange audit: every recorded event lands, in chunks, on flush and on stop (SQLite and PostgreSQL). */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../../../support/databases.ts';
import { startTestServer } from '../../../support/server.ts';
import type { TestServer } from '../../../support/server.ts';
import { ExchangeAudit } from '../../../../src/resources/token-exchange/exchange-audit.ts';

for (const dialect of DIALECTS) {
  describe(`exchange audit batches (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(() => server.stop());

    const count = async () => (await server.ctx.db.selectFrom('audit_events').select('id').where('action', '=', 'token.exchange.test').execute()).length;

    it('writes every event of a batch larger than one statement takes, and the rest on stop', async () => {
      const errors: unknown[] = [];
      const audit = new ExchangeAudit(server.ctx.db, (error) => errors.push(error));
      for (let i = 0; i < 1234; i++) audit.record({ action: 'token.exchange.test', details: { i } }, Date.now());
      await audit.flush();
      assert.equal(await count(), 1234);
      audit.record({ action: 'token.exchange.test' }, Date.now());
      await audit.stop();
      assert.equal(await count(), 1235);
      assert.deepEqual(errors, []);
    });
  });
}
