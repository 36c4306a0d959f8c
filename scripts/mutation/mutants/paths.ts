/** Paths the mutant declarations share. */
export const S = 'packages/server/src/';
export const T = 'packages/server/test/';
export const RP = 'packages/relying-party/';
export const MUTANTS_FILE = `${T}features/security-mutants.test.ts`;
