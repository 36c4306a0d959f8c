/**
 * `npm run bench:profile -- [refresh | introspection | token-exchange | es256 | eddsa] [--duration s]`: where scenario
 * 1's (or 3's, the JWT introspection of scenario 4's, or scenario 8's API-key exchange) time goes. Runs Latchkey under load twice:
 * once reading each thread's CPU time from /proc (the main thread runs HTTP, storage and JSON; libuv's pool
 * runs the signatures), once under `node --cpu-prof`, whose main-thread samples are sorted into signing, HTTP,
 * storage, JSON and the rest, with the hottest functions.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from './harness/load.ts';
import type { LoadRequest } from './harness/load.ts';
import { requestToken } from './servers/targets.ts';
import { threadCpuMs } from './harness/processes.ts';
import { parseInvocation } from './options.ts';
import { prepareLatchkey, startLatchkey } from './servers/latchkey.ts';
import { liveTokensNeeded, refreshChains } from './servers/refresh-chains.ts';
import { benchUser, seedRefreshTokens } from './servers/seed.ts';
import { categorize, summarizeProfile } from './harness/cpu-profile.ts';
import { exchangeRequest, prepareExchange } from './scenarios/token-exchange.ts';
import type { CpuProfile } from './harness/cpu-profile.ts';

const { scenarios, options } = parseInvocation(process.argv.slice(2), process.env);
const refresh = scenarios.includes('refresh');
const introspection = scenarios.includes('introspection');
const exchange = scenarios.includes('token-exchange');
const dir = mkdtempSync(join(tmpdir(), 'latchkey-profile-'));
const alg = scenarios.includes('es256') ? 'ES256' : scenarios.includes('eddsa') ? 'EdDSA' : 'RS256';
const prepared = exchange ? await prepareExchange({ alg }) : await prepareLatchkey({
  alg,
  seed: async ({ ctx, tenant, client }) => (refresh ? seedRefreshTokens(ctx, tenant, client, await benchUser(ctx, tenant), 4 * liveTokensNeeded(options.connections, 1)) : []),
});
const pool = Array.isArray(prepared.seeded) ? [...prepared.seeded] : [];
let request: LoadRequest = refresh ? refreshChains(prepared, pool) : exchange ? exchangeRequest(prepared as Awaited<ReturnType<typeof prepareExchange>>) : prepared.tokenRequest;
const percent = (share: number) => `${(share * 100).toFixed(1).padStart(5)} %`;
try {
  const plain = await startLatchkey(prepared);
  if (introspection) {
    // A JWT access token of the bench client, introspected by that client (scenario 4's first row).
    const token = await requestToken(prepared.tokenRequest);
    request = { url: `${prepared.issuer}/oauth2/introspect`, headers: prepared.tokenRequest.headers, body: `token=${token}&token_type_hint=access_token` };
  }
  let before = new Map<string, number>();
  const result = await load(request, options, () => (before = threadCpuMs(plain.pid)));
  const after = threadCpuMs(plain.pid);
  await plain.stop();
  console.log(`latchkey: ${result.requestsPerSecond.toFixed(0)} req/s, ${result.errors} errors; server CPU per request by thread:`);
  const perThread = [...after].map(([name, ms]) => [name, (ms - (before.get(name) ?? 0)) / result.ok] as const).filter(([, ms]) => ms > 0);
  const total = perThread.reduce((sum, [, ms]) => sum + ms, 0);
  for (const [name, ms] of perThread.sort((a, b) => b[1] - a[1])) console.log(`  ${name.padEnd(16)} ${ms.toFixed(3)} ms  ${percent(ms / total)}`);

  const profiled = await startLatchkey(prepared, { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  const underProfiler = await load(request, options);
  await profiled.stop();
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error('the server wrote no CPU profile');
  const summary = summarizeProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, categorize);
  console.log(`\nmain thread under --cpu-prof (${underProfiler.requestsPerSecond.toFixed(0)} req/s), share of samples:`);
  for (const [category, share] of summary.categories) console.log(`  ${category.padEnd(22)} ${percent(share)}`);
  console.log('\nhottest functions (self time):');
  for (const entry of summary.hottest) console.log(`  ${percent(entry.share)}  ${entry.label}`);
} finally {
  await prepared.drop();
  // BENCH_PROFILE_KEEP=1 keeps the .cpuprofile (open it in Chrome's DevTools for inclusive times).
  if (process.env.BENCH_PROFILE_KEEP === '1') console.log(`\nprofile kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
