/**
 * Scenario 6: growth. Scenarios 1 and 3 on SQLite with 1k, 100k and 1M stored refresh tokens (and a tenth as
 * many users), seeded with Kysely bulk inserts: lookups go through indexes, so throughput must stay flat
 * (target: < 10% loss from the smallest to the largest store).
 */
import { measureAll } from '../harness/measure.ts';
import type { Row } from '../harness/measure.ts';
import type { Ratio } from '../harness/table.ts';
import { prepareLatchkey } from '../servers/latchkey.ts';
import { liveTokensNeeded, refreshChains } from '../servers/refresh-chains.ts';
import { benchUser, seedRefreshTokens, seedUsers } from '../servers/seed.ts';
import { latchkeyTarget } from '../servers/targets.ts';
import type { Scenario } from './scenario.ts';

const SIZES = [1_000, 100_000, 1_000_000];
const TINY_SIZES = [100, 1_000];

function label(size: number): string {
  return size >= 1_000_000 ? `${size / 1_000_000}M` : size >= 1_000 ? `${size / 1_000}k` : String(size);
}

export const growthScenario: Scenario = {
  name: 'growth',
  summary: 'scenario 6: scenarios 1 and 3 with 1k, 100k and 1M stored rows',
  async run(options) {
    const sizes = options.tiny ? TINY_SIZES : SIZES;
    const rows: Row[] = [];
    const notes: string[] = [];
    for (const size of sizes) {
      const started = performance.now();
      const prepared = await prepareLatchkey({
        seed: async ({ ctx, tenant, client }) => {
          await seedUsers(ctx, tenant, Math.max(1, size / 10));
          return seedRefreshTokens(ctx, tenant, client, await benchUser(ctx, tenant), liveTokensNeeded(options.connections, options.rounds), size);
        },
      });
      notes.push(`${label(size)} refresh tokens + ${label(size / 10)} users seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      try {
        rows.push(
          ...(await measureAll(
            [
              latchkeyTarget(`client_credentials, ${label(size)} rows`, prepared),
              latchkeyTarget(`refresh rotation, ${label(size)} rows`, prepared, { request: refreshChains(prepared, [...prepared.seeded]) }),
            ],
            options,
          )),
        );
      } finally {
        await prepared.drop();
      }
    }
    const [smallest, largest] = [label(sizes[0]!), label(sizes.at(-1)!)];
    const ratios: Ratio[] = ['client_credentials', 'refresh rotation'].map((kind) => ({
      label: `${kind}: ${largest} / ${smallest}`,
      numerator: `${kind}, ${largest} rows`,
      denominator: `${kind}, ${smallest} rows`,
      target: { atLeast: 0.9 },
    }));
    return [{ title: 'Scenario 6: growth (SQLite): throughput with more stored rows', rows, ratios, notes }];
  },
};
