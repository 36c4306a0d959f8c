/**
 * Runs every test file of the workspace with Node's test runner. Kept as a script so the file list and the
 * runner flags live in one place (and `npm test -- <pattern>` can narrow it).
 */
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const patterns = process.argv.length > 2 ? process.argv.slice(2) : ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'bench/test/**/*.test.ts'];
const files = patterns.flatMap((pattern) => globSync(pattern)).sort();
if (files.length === 0) {
  console.error(`no test files match ${patterns.join(' ')}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=300000', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
