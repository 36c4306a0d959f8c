/**
 * Scenario 3: refresh_token rotation, where every request writes (marks the token rotated, records the new
 * access token, inserts the next refresh token) and signs twice (access and ID token), on SQLite and
 * PostgreSQL. Chains start from refresh tokens seeded straight into the database.
 */
import type { DialectName } from '../../../packages/server/src/db/database.ts';
import { measureAll } from '../harness/measure.ts';
import { prepareLatchkey } from '../servers/latchkey.ts';
import { liveTokensNeeded, refreshChains } from '../servers/refresh-chains.ts';
import { benchUser, seedRefreshTokens, seedUsers } from '../servers/seed.ts';
import { latchkeyTarget } from '../servers/targets.ts';
import type { Row } from '../harness/measure.ts';
import type { RunOptions, Scenario } from './scenario.ts';

/** Latchkey on `dialect` with refresh chains, measured; `filler` more refresh tokens stored beside them. */
export async function measureRefresh(name: string, dialect: DialectName, options: RunOptions, filler = 0, users = 0): Promise<Row> {
  const prepared = await prepareLatchkey({
    dialect,
    seed: async ({ ctx, tenant, client }) => {
      if (users > 0) await seedUsers(ctx, tenant, users);
      return seedRefreshTokens(ctx, tenant, client, await benchUser(ctx, tenant), liveTokensNeeded(options.connections, options.rounds), filler);
    },
  });
  try {
    const [row] = await measureAll([latchkeyTarget(name, prepared, { request: refreshChains(prepared, [...prepared.seeded]) })], options);
    return row!;
  } finally {
    await prepared.drop();
  }
}

export const refreshScenario: Scenario = {
  name: 'refresh',
  summary: 'scenario 3: refresh_token rotation on SQLite and PostgreSQL',
  async run(options) {
    const rows: Row[] = [];
    for (const dialect of ['sqlite', 'postgres'] as const) rows.push(await measureRefresh(`latchkey refresh rotation (${dialect})`, dialect, options));
    return [{ title: 'Scenario 3: refresh_token rotation (every request writes; access + ID token signed)', rows }];
  },
};
