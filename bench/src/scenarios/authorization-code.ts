/**
 * Scenario 5: the whole authorization-code flow without a browser (authorize → sign-in form post → consent →
 * redirect → code exchange with PKCE), as flows per second from concurrent cookie-jar "browsers" in the harness
 * process. Once with a fresh sign-in (argon2id at the configured cost on every flow) and once for a browser that
 * already has a session (single sign-on: no password), and the argon2id check alone, measured separately.
 */
import { OWASP_ARGON2ID, hashPassword, verifyPassword } from '../../../packages/server/src/directory/passwords.ts';
import { createUser } from '../../../packages/server/src/directory/users.ts';
import { signInForTokens } from '../../../packages/server/test/support/sign-in.ts';
import type { CookieJar } from '../../../packages/server/test/support/sign-in.ts';
import type { Row } from '../harness/measure.ts';
import { prepareLatchkey, REDIRECT_URI, startLatchkey } from '../servers/latchkey.ts';
import type { PreparedLatchkey } from '../servers/latchkey.ts';
import type { ServerProcess } from '../harness/processes.ts';
import type { RunOptions, Scenario } from './scenario.ts';

const LOGIN = 'grace@bench.example';
const PASSWORD = 'correct horse battery staple';

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs `flow` from `concurrency` loops for `seconds`, as one row (flows per second, flow latency). */
async function flowsPerSecond(name: string, server: ServerProcess, concurrency: number, seconds: number, flow: () => Promise<void>): Promise<Row> {
  const latencies: number[] = [];
  let errors = 0;
  const cpuBefore = server.cpuMs();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        try {
          await flow();
          latencies.push(performance.now() - t);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpuAfter = server.cpuMs();
  latencies.sort((a, b) => a - b);
  const ok = latencies.length;
  return {
    name,
    requestsPerSecond: ok / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors,
    total: ok + errors,
    ok,
    peakRssBytes: server.peakRssBytes(),
    cpuMsPerRequest: cpuBefore === undefined || cpuAfter === undefined || ok === 0 ? undefined : (cpuAfter - cpuBefore) / ok,
  };
}

function flow(prepared: PreparedLatchkey<unknown>, jar?: CookieJar) {
  return signInForTokens({
    issuer: prepared.issuer,
    clientId: prepared.clientId,
    clientSecret: prepared.clientSecret,
    redirectUri: REDIRECT_URI,
    login: LOGIN,
    password: PASSWORD,
    ...(jar ? { jar } : {}),
  });
}

async function argon2Milliseconds(count: number): Promise<number> {
  const stored = await hashPassword(PASSWORD);
  const started = performance.now();
  for (let i = 0; i < count; i += 1) await verifyPassword(PASSWORD, stored);
  return (performance.now() - started) / count;
}

export const authorizationCodeScenario: Scenario = {
  name: 'authorization-code',
  summary: 'scenario 5: full authorization-code flow without a browser, flows per second',
  async run(options: RunOptions) {
    const prepared = await prepareLatchkey({ seed: async ({ ctx, tenant }) => void (await createUser(ctx, tenant, { email: LOGIN, password: PASSWORD })) });
    const server = await startLatchkey(prepared);
    const concurrency = Math.max(1, Math.min(options.connections, 8));
    try {
      // Warm-up, and the session the single sign-on flows reuse (each loop its own browser with its own session).
      const sessions = await Promise.all(Array.from({ length: concurrency }, async () => (await flow(prepared)).result.jar));
      let next = 0;
      const withSignIn = await flowsPerSecond('code flow with sign-in (argon2id)', server, concurrency, options.durationSeconds, async () => void (await flow(prepared)));
      const withSession = await flowsPerSecond('code flow with a session (SSO)', server, concurrency, options.durationSeconds, async () => void (await flow(prepared, sessions[next++ % sessions.length])));
      const argon2 = await argon2Milliseconds(options.tiny ? 2 : 10);
      return [
        {
          title: 'Scenario 5: authorization-code flow without a browser (flows/s; latency per whole flow)',
          rows: [withSignIn, withSession],
          facts: [
            { label: `argon2id check at the configured cost (m=${OWASP_ARGON2ID.memory} KiB, t=${OWASP_ARGON2ID.passes}, p=${OWASP_ARGON2ID.parallelism}), one core`, value: `${argon2.toFixed(1)} ms` },
            { label: 'flow steps', value: 'authorize → login page → form post → consent page → form post → redirect → token (code + PKCE)' },
          ],
          notes: [`${concurrency} concurrent browsers from the harness process`],
        },
      ];
    } finally {
      await server.stop();
      await prepared.drop();
    }
  },
};
