/**
 * Scenario 7: cold start to the first served token (spawn `latchkey serve` on a prepared SQLite database, poll
 * the token endpoint until it answers 200), and the RSS of that instance once idle. Targets: < 1 s, < 120 MB.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnServer } from '../harness/processes.ts';
import { latchkeyCommand } from '../../../packages/server/test/support/launcher.ts';
import { prepareLatchkey } from '../servers/latchkey.ts';
import { requestToken } from '../servers/targets.ts';
import type { Scenario } from './scenario.ts';

const IDLE_SETTLE_MS = 2000;

export const coldStartScenario: Scenario = {
  name: 'cold-start',
  summary: 'scenario 7: cold start to first served token, idle RSS',
  async run(options) {
    const prepared = await prepareLatchkey();
    const starts: number[] = [];
    const idle: number[] = [];
    try {
      for (let i = 0; i < (options.tiny ? 1 : 3); i += 1) {
        const server = await spawnServer({
          args: latchkeyCommand('serve'),
          env: prepared.env,
          ready: () => requestToken(prepared.tokenRequest).then(() => true),
          pollMs: 2,
        });
        starts.push(server.startupMs);
        await sleep(options.tiny ? 200 : IDLE_SETTLE_MS);
        idle.push(server.rssBytes() ?? Number.NaN);
        await server.stop();
      }
    } finally {
      await prepared.drop();
    }
    const best = (values: number[]) => Math.min(...values);
    return [
      {
        title: 'Scenario 7: cold start (SQLite) and idle memory',
        rows: [],
        facts: [
          { label: 'spawn to first served token (best of runs)', value: `${best(starts).toFixed(0)} ms`, target: '< 1000 ms', met: best(starts) < 1000 },
          { label: 'spawn to first served token (every run)', value: starts.map((ms) => `${ms.toFixed(0)} ms`).join(', ') },
          { label: `idle RSS after the first token (+${IDLE_SETTLE_MS / 1000} s)`, value: `${(best(idle) / 2 ** 20).toFixed(0)} MB`, target: '< 120 MB', met: best(idle) < 120 * 2 ** 20 },
        ],
      },
    ];
  },
};
