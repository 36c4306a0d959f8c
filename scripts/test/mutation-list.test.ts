import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSnippets } from '../mutation/check-snippets.ts';
import { MUTANTS } from '../mutation/mutants.ts';
import type { Mutant } from '../mutation/mutants.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

test('every declared mutant can be planted: its snippet occurs once in its file and its tests exist', () => {
  assert.ok(MUTANTS.length >= 70);
  assert.deepEqual(checkSnippets(root, MUTANTS), []);
});

test('a snippet that is gone or repeated, and a test file that is not there, are reported', () => {
  const base: Mutant = MUTANTS[0]!;
  const problems = checkSnippets(root, [
    { ...base, id: 'gone', original: 'this text is in no source file' },
    { ...base, id: 'repeated', original: 'import' },
    { ...base, id: 'no-tests', tests: ['packages/server/test/none.test.ts'] },
  ]);
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.match(problems[0]!, /^gone: the snippet occurs 0 times/);
  assert.match(problems[1]!, /^repeated: the snippet occurs \d+ times/);
  assert.match(problems[2]!, /^no-tests: no test file/);
});
