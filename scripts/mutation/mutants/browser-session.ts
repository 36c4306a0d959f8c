/** Security mutants of interaction/browser-session.ts (`npm run test:mutation`). */
import type { Mutant } from '../mutants.ts';
import { S, T, MUTANTS_FILE } from './paths.ts';

export const BROWSER_SESSION_MUTANTS: readonly Mutant[] = [
  {
    id: 'session-cookie-rotation',
    module: 'browser-session',
    file: `${S}interaction/browser-session.ts`,
    original: 'const cookie = generateOpaqueToken(32);',
    mutated: "const cookie = readCookie((reply as unknown as { request: FastifyRequest }).request, SESSION_COOKIE) ?? generateOpaqueToken(32);",
    description: 'a sign-in keeps the cookie value the browser already had (session fixation)',
    tests: [`${T}hardening/security-checklist.pages.test.ts`, MUTANTS_FILE],
  },
  {
    id: 'session-other-user-ends-old',
    module: 'browser-session',
    file: `${S}interaction/browser-session.ts`,
    original: 'if (replaces !== undefined) await queries.end(replaces.id, now);',
    mutated: '',
    description: "another user's sign-in leaves the previous session alive",
    tests: [`${T}hardening/security-checklist.pages.test.ts`, `${T}features/sign-in-browser.test.ts`, MUTANTS_FILE],
  },
  {
    id: 'session-end',
    module: 'browser-session',
    file: `${S}interaction/browser-session.ts`,
    original: 'if (session !== undefined) await sessionQueries(ctx.db).end(session.id, ctx.now());',
    mutated: '',
    description: 'sign-out only clears the cookie, the session stays valid server-side',
    tests: [`${T}features/logout.test.ts`, MUTANTS_FILE],
  },
  {
    id: 'session-lifetime',
    module: 'browser-session',
    file: `${S}db/queries/sessions.ts`,
    original: 'session !== undefined && session.ended_at === null && session.expires_at > now',
    mutated: 'session !== undefined && session.ended_at === null',
    description: 'an expired browser session keeps its online refresh tokens alive',
    tests: [`${T}features/refresh-token.test.ts`, `${T}features/logout.test.ts`, MUTANTS_FILE],
  },
];
