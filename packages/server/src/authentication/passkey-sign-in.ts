/**
 * Passkey as the first factor (`POST <issuer>/login/passkey`): a discoverable credential answers the login
 * page's challenge (button or autofill), names its user, and counts as multi-factor when the authenticator
 * verified the user (RFC 8176: `hwk`/`swk` + `user` → `mfa`). No password is typed.
 */
import type { FastifyReply } from 'fastify';
import type { Latchkey } from '../context.ts';
import { interactionQueries } from '../db/queries/interactions.ts';
import { requireTenantBySlug } from '../directory/tenants.ts';
import { InvalidRequest, assert } from '../errors/oauth-error.ts';
import { currentSession, startSession } from '../interaction/browser-session.ts';
import { CSRF_FIELD, verifyCsrfToken } from '../interaction/csrf.ts';
import { requireInteraction } from '../interaction/interactions.ts';
import type { Interaction } from '../interaction/interactions.ts';
import { rememberPageTenant } from '../interaction/page-errors.ts';
import { requireInteractionClient, resumeAuthorization } from '../interaction/resume.ts';
import { readBodyParams } from '../oauth/request-params.ts';
import { withMfa } from './amr.ts';
import type { TenantRequest } from './mfa-flow.ts';
import { finishPasskeyAuthentication, relyingPartyOf } from './passkeys.ts';

export function passkeySignInHandler(ctx: Latchkey) {
  return async function signInWithPasskey(request: TenantRequest, reply: FastifyReply) {
    const tenant = await requireTenantBySlug(ctx, request.params.tenant);
    rememberPageTenant(request, tenant);
    const form = readBodyParams(request.headers['content-type'], request.body, { allowJson: false });
    const interaction = await requireInteraction(ctx, tenant, form.get('interaction'));
    verifyCsrfToken(ctx, request, form.get(CSRF_FIELD), 'login', interaction.id);
    const client = await requireInteractionClient(ctx, interaction);
    const rp = relyingPartyOf(ctx);
    assert(rp !== undefined && tenant.settings.mfa.allowed_factors.includes('passkey'), new InvalidRequest('passkeys are not available here'));
    const { user, amr } = await finishPasskeyAuthentication(ctx, { tenant, rp, challengeId: form.get('challenge_id'), response: form.get('response'), user: undefined, ip: request.ip });
    const session = await startSession(ctx, reply, tenant, user.id, await currentSession(ctx, request, tenant), withMfa(amr));
    await interactionQueries(ctx.db).recordSignIn(interaction.idHash, { userId: user.id, sessionId: session.id, authTime: session.auth_time });
    const signedIn: Interaction = { ...interaction, row: { ...interaction.row, user_id: user.id, session_id: session.id, auth_time: session.auth_time } };
    return resumeAuthorization(ctx, reply, { tenant, client, authz: interaction.authz, session, interaction: signedIn });
  };
}
