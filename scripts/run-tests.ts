/**
 * Runs every test file of the workspace with Node's test runner. Kept as a script so the file list and the
 * runner flags live in one place (and `npm test -- <pattern>` can narrow it).
 *
 * Suites that measure the server (the soak's memory check) run alone, after the others, so that no other test
 * competes with them for the machine's cores. The soak is left out of `npm test` (issue 22): `npm run test:soak`.
 */
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const DEFAULT_PATTERNS = ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'bench/test/**/*.test.ts', 'scripts/test/**/*.test.ts'];
const RUN_ALONE = /(^|\/)soak\.test\.ts$/;
// The soak measures memory rather than checking behaviour: only a pattern that names it runs it (`npm run test:soak`).
const MEASUREMENTS = /(^|\/)soak\.test\.ts$/;

const patterns = process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_PATTERNS;
const named = (file: string) => patterns.some((pattern) => MEASUREMENTS.test(pattern) && globSync(pattern).includes(file));
const files = [...new Set(patterns.flatMap((pattern) => globSync(pattern)))].filter((file) => !MEASUREMENTS.test(file) || named(file)).sort();
if (files.length === 0) {
  console.error(`no test files match ${patterns.join(' ')}`);
  process.exit(1);
}

function runNodeTest(batch: string[]): number {
  if (batch.length === 0) return 0;
  const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=300000', ...batch], { stdio: 'inherit' });
  return result.status ?? 1;
}

const shared = files.filter((file) => !RUN_ALONE.test(file));
const alone = files.filter((file) => RUN_ALONE.test(file));
const failures = [runNodeTest(shared), ...alone.map((file) => runNodeTest([file]))].filter((status) => status !== 0);
process.exit(failures.length === 0 ? 0 : 1);
