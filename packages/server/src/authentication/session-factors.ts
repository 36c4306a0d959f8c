/**
 * Which factors a browser session was authenticated with, and step-up: adding a factor to a live session records
 * the new `amr` and `factor_time` but keeps `auth_time`, which OpenID Connect Core §2 defines as the time of
 * the (first) authentication, so a step-up never looks like a fresh sign-in to `max_age`.
 */
import type { Latchkey } from '../context.ts';
import { sessionQueries } from '../db/queries/sessions.ts';
import type { BrowserSession } from '../db/queries/sessions.ts';
import { acrOf, parseAmr, withMfa } from './amr.ts';
import type { Acr } from './amr.ts';

export function sessionAmr(session: BrowserSession): string[] {
  return parseAmr(session.amr);
}

export function sessionAcr(session: BrowserSession): Acr {
  return acrOf(sessionAmr(session));
}

/** Adds factors to the session (e.g. `otp` after `pwd`) and returns the session as it now is. */
export async function addSessionFactors(ctx: Latchkey, session: BrowserSession, amr: readonly string[]): Promise<BrowserSession> {
  const combined = withMfa([...sessionAmr(session), ...amr]);
  const now = ctx.now();
  await sessionQueries(ctx.db).recordFactors(session.id, JSON.stringify(combined), now);
  return { ...session, amr: JSON.stringify(combined), factor_time: now };
}
