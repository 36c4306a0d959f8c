/**
 * A mutant whose snippet no longer occurs exactly once in its file cannot be planted: the list has gone stale
 * behind the code it guards. `run.ts` refuses to run such a list, and `scripts/test/mutation-list.test.ts` runs
 * this check in every `npm test`, so an edit to a guarded line fails the suite at once rather than the next
 * mutation run (six mutants had gone stale unnoticed between two runs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Mutant } from './mutants.ts';

export function checkSnippets(root: string, mutants: readonly Mutant[]): string[] {
  const problems: string[] = [];
  for (const mutant of mutants) {
    const source = readFileSync(join(root, mutant.file), 'utf8');
    const count = source.split(mutant.original).length - 1;
    if (count !== 1) problems.push(`${mutant.id}: the snippet occurs ${count} times in ${mutant.file}`);
    if (mutant.original === mutant.mutated) problems.push(`${mutant.id}: the mutant changes nothing`);
    for (const test of mutant.tests) if (!existsSync(join(root, test))) problems.push(`${mutant.id}: no test file ${test}`);
  }
  return problems;
}
