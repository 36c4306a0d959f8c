/**
 * Mutation testing of the security-critical modules (issue 22): a small harness instead of StrykerJS, whose
 * command runner would run the whole suite for every mutant (hours on this machine). Each mutant in
 * `mutants.ts` names a source file, an exact snippet and its mutated form, and the test files that should
 * notice. The harness copies the workspace sources to a temporary directory once, plants one mutant at a time
 * in that copy, runs only the related test files there, and puts the original file back in a `finally`: the
 * working tree is never modified. A mutant is killed when its tests fail.
 *
 * Usage: npm run test:mutation [-- --module oauth] [-- --id refresh-expiry,csrf-purpose] [-- --verbose] [-- --list]
 * Prints killed/survived per module and the score; exits 1 when any mutant survives or a snippet is stale.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSnippets } from './check-snippets.ts';
import { MUTANTS } from './mutants.ts';
import type { Mutant } from './mutants.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const ids = option('--id')?.split(',');
const selected = MUTANTS.filter((m) => (option('--module') === undefined || m.module === option('--module')) && (ids === undefined || ids.includes(m.id)));

/**
 * A copy of the sources with a node_modules of links to the real one, except the workspace links
 * (`@latchkey/*`), which point into the copy so that cross-package imports see the mutant too.
 */
function copyWorkspace(): string {
  const copy = mkdtempSync(join(tmpdir(), 'latchkey-mutation-'));
  for (const entry of ['packages', 'examples', 'bench', 'scripts', 'tsconfig.json', 'package.json']) {
    cpSync(join(root, entry), join(copy, entry), { recursive: true, filter: (path) => !path.includes('/node_modules') });
  }
  mkdirSync(join(copy, 'node_modules'));
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry === '@latchkey') continue;
    symlinkSync(join(root, 'node_modules', entry), join(copy, 'node_modules', entry));
  }
  mkdirSync(join(copy, 'node_modules', '@latchkey'));
  for (const entry of readdirSync(join(root, 'node_modules', '@latchkey'))) {
    // The links are relative (`../../packages/server`): the same link inside the copy points into the copy.
    symlinkSync(readlinkSync(join(root, 'node_modules', '@latchkey', entry)), join(copy, 'node_modules', '@latchkey', entry));
  }
  return copy;
}

function runTests(copy: string, files: readonly string[]): { failed: boolean; seconds: number; failures: string } {
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=120000', '--test-reporter=spec', ...files], {
    cwd: copy,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, LATCHKEY_TEST_LOG_LEVEL: 'silent' },
  });
  const output = `${result.stdout ?? ''}`;
  const failures = output.includes('failing tests:') ? output.slice(output.indexOf('failing tests:')).slice(0, 4000) : output.slice(-2000);
  return { failed: result.status !== 0, seconds: Math.round((Date.now() - started) / 1000), failures };
}

if (args.includes('--list')) {
  for (const m of selected) console.log(`${m.module.padEnd(14)} ${m.id.padEnd(36)} ${m.file}`);
  process.exit(0);
}

const problems = checkSnippets(root, selected);
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}

const copy = copyWorkspace();
const cleanup = () => rmSync(copy, { recursive: true, force: true });
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

const results: Array<{ mutant: Mutant; killed: boolean }> = [];
try {
  // The unmutated copy must pass, or every "kill" would be a false one.
  const baselineFiles = [...new Set(selected.flatMap((m) => m.tests))];
  const baseline = runTests(copy, baselineFiles);
  if (baseline.failed) throw new Error(`the related tests fail without any mutant: ${baselineFiles.join(' ')}\n${baseline.failures}`);
  console.log(`baseline: ${baselineFiles.length} test files pass unmutated (${baseline.seconds} s)`);
  for (const mutant of selected) {
    const path = join(copy, mutant.file);
    const original = readFileSync(path, 'utf8');
    try {
      writeFileSync(path, original.replace(mutant.original, mutant.mutated));
      const run = runTests(copy, mutant.tests);
      results.push({ mutant, killed: run.failed });
      console.log(`${run.failed ? 'killed  ' : 'SURVIVED'} ${mutant.module.padEnd(14)} ${mutant.id} (${run.seconds} s)`);
      // --verbose: which tests noticed (the runner's list of failing tests).
      if (run.failed && args.includes('--verbose')) console.log(run.failures.split('\n').filter((line) => line.startsWith('✖')).slice(0, 6).map((line) => `    ${line}`).join('\n'));
    } finally {
      writeFileSync(path, original);
    }
  }
} finally {
  cleanup();
}

const modules = [...new Set(results.map((r) => r.mutant.module))];
console.log(`\nmutation score ${new Date().toISOString().slice(0, 10)}`);
for (const module of modules) {
  const of = results.filter((r) => r.mutant.module === module);
  const killed = of.filter((r) => r.killed).length;
  console.log(`${module.padEnd(14)} ${killed}/${of.length} killed (${Math.round((100 * killed) / of.length)}%)`);
}
const killed = results.filter((r) => r.killed).length;
console.log(`${'total'.padEnd(14)} ${killed}/${results.length} killed (${Math.round((100 * killed) / Math.max(results.length, 1))}%)`);
const survivors = results.filter((r) => !r.killed);
for (const { mutant } of survivors) console.log(`survived: ${mutant.id}: ${mutant.description}`);
process.exit(survivors.length === 0 ? 0 : 1);
