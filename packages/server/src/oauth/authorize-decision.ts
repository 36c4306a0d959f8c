/**
 * Decides what an authorization request needs next, for a new request and for one resumed after the sign-in or
 * consent page: sign-in (no session, `prompt=login`, `max_age` exceeded, another user hinted), a second factor
 * (tenant policy or `acr_values` not met by the session: step-up, issue 15), consent (asked
 * for, or scopes not yet agreed to), or the code. With `prompt=none` a needed page is an error instead
 * (OpenID Connect Core §3.1.2.6).
 */
import type { FastifyReply } from 'fastify';
import type { Latchkey } from '../context.ts';
import type { Client } from '../db/queries/clients.ts';
import { consentQueries } from '../db/queries/consents.ts';
import { interactionQueries } from '../db/queries/interactions.ts';
import type { BrowserSession } from '../db/queries/sessions.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { userQueries } from '../db/queries/users.ts';
import { issuerFor } from '../directory/tenant-directory.ts';
import { ConsentRequired, InteractionRequired, InvalidRequest, LoginRequired, assert } from '../errors/oauth-error.ts';
import { missingAuthentication } from '../authentication/step-up.ts';
import { startInteraction } from '../interaction/interactions.ts';
import type { Interaction } from '../interaction/interactions.ts';
import type { AuthorizationRequest, ResponseTarget } from './authorization-request.ts';
import { sendAuthorizationResponse } from './authorization-response.ts';
import { issueAuthorizationCode } from './issue-code.ts';

export interface AuthorizationProgress {
  readonly tenant: Tenant;
  readonly client: Client;
  readonly authz: AuthorizationRequest;
  readonly session: BrowserSession | undefined;
  /** Set when resuming from a hosted page. */
  readonly interaction?: Interaction;
  /** The user agreed on the consent page just now. */
  readonly consentedNow?: boolean;
}

export function responseTargetOf(ctx: Latchkey, tenant: Tenant, authz: AuthorizationRequest): ResponseTarget {
  return { redirectUri: authz.redirectUri, responseMode: authz.responseMode, state: authz.state, issuer: issuerFor(ctx.config.baseUrl, tenant.slug) };
}

/** The user signed in during this interaction, in the browser session presented now. */
function signedInDuringInteraction(progress: AuthorizationProgress): boolean {
  const row = progress.interaction?.row;
  return row !== undefined && row.session_id !== null && row.session_id === progress.session?.id;
}

async function needsSignIn(ctx: Latchkey, progress: AuthorizationProgress): Promise<boolean> {
  const { session, authz } = progress;
  if (session === undefined) return true;
  const user = await userQueries(ctx.db).findById(session.user_id);
  if (user === undefined || user.status !== 'active') return true;
  if (signedInDuringInteraction(progress)) return false;
  if (authz.prompt.includes('login')) return true;
  // Core §3.1.2.1: max_age=0 is a fresh sign-in every time, like prompt=login.
  if (authz.maxAge !== undefined && (authz.maxAge === 0 || ctx.now() - session.auth_time > authz.maxAge * 1000)) return true;
  return authz.idTokenHintSubject !== undefined && authz.idTokenHintSubject !== session.user_id;
}

async function needsConsent(ctx: Latchkey, progress: AuthorizationProgress, session: BrowserSession): Promise<boolean> {
  if (progress.consentedNow) return false;
  if (progress.authz.prompt.includes('consent')) return true;
  const granted = await consentQueries(ctx.db).grantedScopes(session.user_id, progress.client.clientId);
  return granted === undefined || !progress.authz.scope.every((scope) => granted.includes(scope));
}

async function interactionId(ctx: Latchkey, progress: AuthorizationProgress): Promise<string> {
  return progress.interaction?.id ?? startInteraction(ctx, progress.tenant, progress.authz);
}

function redirectToPage(reply: FastifyReply, url: string): FastifyReply {
  return reply.code(303).header('Cache-Control', 'no-store').header('Location', url).send();
}

/** Throws the OAuth errors (`login_required`, …) the caller sends back to the client. */
export async function continueAuthorization(ctx: Latchkey, reply: FastifyReply, progress: AuthorizationProgress): Promise<FastifyReply> {
  const { tenant, client, authz, session } = progress;
  const issuer = issuerFor(ctx.config.baseUrl, tenant.slug);
  if (await needsSignIn(ctx, progress)) {
    assert(!authz.prompt.includes('none'), new LoginRequired('the user is not signed in (or must sign in again) and prompt=none forbids asking'));
    return redirectToPage(reply, `${issuer}/login?interaction=${await interactionId(ctx, progress)}`);
  }
  const live = session!;
  if ((await missingAuthentication(ctx, tenant, live, authz)) !== undefined) {
    assert(!authz.prompt.includes('none'), new InteractionRequired('the sign-in must be completed with another factor and prompt=none forbids asking'));
    return redirectToPage(reply, `${issuer}/mfa?interaction=${await interactionId(ctx, progress)}`);
  }
  if (await needsConsent(ctx, progress, live)) {
    assert(!authz.prompt.includes('none'), new ConsentRequired('the user has not authorized this application for these scopes and prompt=none forbids asking'));
    return redirectToPage(reply, `${issuer}/consent?interaction=${await interactionId(ctx, progress)}`);
  }
  if (progress.interaction !== undefined) {
    const completed = await interactionQueries(ctx.db).complete(progress.interaction.idHash, ctx.now());
    assert(completed, new InvalidRequest('this sign-in was already completed'));
  }
  const code = await issueAuthorizationCode(ctx, { tenant, client, authz, session: live });
  return sendAuthorizationResponse(reply, responseTargetOf(ctx, tenant, authz), { code });
}
