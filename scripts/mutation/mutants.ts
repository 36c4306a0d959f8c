/**
 * The declared security mutants of `npm run test:mutation` (issue 22): each removes or weakens one check that
 * keeps an attacker out, in the modules the issue names. A mutant's `tests` are the files expected to notice;
 * `docs/testing.md` records the score. Snippets must stay unique in their file (the harness refuses stale ones).
 * One file per module under `mutants/`.
 */
import { OAUTH_MUTANTS } from './mutants/oauth.ts';
import { CSRF_MUTANTS } from './mutants/csrf.ts';
import { BROWSER_SESSION_MUTANTS } from './mutants/browser-session.ts';
import { TOKENS_MUTANTS } from './mutants/tokens.ts';
import { API_KEYS_MUTANTS } from './mutants/api-keys.ts';
import { ADMIN_AUTH_MUTANTS } from './mutants/admin-auth.ts';
import { RP_VERIFY_MUTANTS } from './mutants/rp-verify.ts';

export interface Mutant {
  readonly id: string;
  readonly module: 'oauth' | 'csrf' | 'browser-session' | 'tokens' | 'api-keys' | 'admin-auth' | 'rp-verify';
  readonly file: string;
  readonly original: string;
  readonly mutated: string;
  readonly description: string;
  readonly tests: readonly string[];
}

export const MUTANTS: readonly Mutant[] = [...OAUTH_MUTANTS, ...CSRF_MUTANTS, ...BROWSER_SESSION_MUTANTS, ...TOKENS_MUTANTS, ...API_KEYS_MUTANTS, ...ADMIN_AUTH_MUTANTS, ...RP_VERIFY_MUTANTS];
