/** Security mutants of interaction/csrf.ts (`npm run test:mutation`). */
import type { Mutant } from '../mutants.ts';
import { S, T, MUTANTS_FILE } from './paths.ts';

export const CSRF_MUTANTS: readonly Mutant[] = [
  {
    id: 'csrf-purpose',
    module: 'csrf',
    file: `${S}interaction/csrf.ts`,
    original: '.update(`${browserSecret}|${purpose}|${binding}`)',
    mutated: '.update(`${browserSecret}|${binding}`)',
    description: "a CSRF token is not bound to its form's purpose (audit mutant 2)",
    tests: [MUTANTS_FILE],
  },
  {
    id: 'csrf-interaction',
    module: 'csrf',
    file: `${S}interaction/csrf.ts`,
    original: '.update(`${browserSecret}|${purpose}|${binding}`)',
    mutated: '.update(`${browserSecret}|${purpose}`)',
    description: 'a CSRF token is not bound to its interaction (audit mutant 3)',
    tests: [MUTANTS_FILE],
  },
  {
    id: 'csrf-browser-secret',
    module: 'csrf',
    file: `${S}interaction/csrf.ts`,
    original: '.update(`${browserSecret}|${purpose}|${binding}`)',
    mutated: '.update(`${purpose}|${binding}`)',
    description: 'a CSRF token is not bound to the browser cookie',
    tests: [`${T}hardening/security-checklist.pages.test.ts`, `${T}features/sign-in-browser.test.ts`, MUTANTS_FILE],
  },
  {
    id: 'csrf-compare',
    module: 'csrf',
    file: `${S}interaction/csrf.ts`,
    original: 'assert(actual.length === expected.length && timingSafeEqual(actual, expected), problem);',
    mutated: '',
    description: 'any non-empty CSRF token is accepted',
    tests: [`${T}features/logout.test.ts`, `${T}hardening/security-checklist.pages.test.ts`],
  },
  {
    id: 'csrf-missing-cookie',
    module: 'csrf',
    file: `${S}interaction/csrf.ts`,
    original: "assert(browserSecret !== undefined && presented !== undefined && presented !== '', problem);",
    mutated: "assert(presented !== undefined && presented !== '', problem);",
    description: 'a form posted without the CSRF cookie is accepted (the token of an undefined secret)',
    tests: [`${T}hardening/security-checklist.pages.test.ts`, `${T}features/sign-in-browser.test.ts`],
  },
  {
    id: 'csrf-compare-not-constant-time',
    module: 'csrf',
    file: `${S}interaction/csrf.ts`,
    original: 'timingSafeEqual(actual, expected)',
    mutated: 'actual.equals(expected)',
    description: 'CSRF tokens compared with an early-exit comparison',
    tests: [`${T}hardening/security-checklist.tokens.test.ts`],
  },
];
