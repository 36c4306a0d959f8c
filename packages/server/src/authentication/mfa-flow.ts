/**
 * Where a second-factor page belongs: to a sign-in (an interaction: the authorization request resumes after it)
 * or to the account's security page. Both need a live browser session; the page's forms carry the interaction
 * id (if any) and a CSRF token bound to it (or to the session for the account page).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import type { Client } from '../db/queries/clients.ts';
import type { BrowserSession } from '../db/queries/sessions.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { userQueries } from '../db/queries/users.ts';
import type { UserRow } from '../db/queries/users.ts';
import { requireTenantBySlug } from '../directory/tenants.ts';
import { issuerFor } from '../directory/tenant-directory.ts';
import { AccessDenied, InvalidRequest, assert } from '../errors/oauth-error.ts';
import { currentSession } from '../interaction/browser-session.ts';
import { CSRF_FIELD, issueCsrfToken, verifyCsrfToken } from '../interaction/csrf.ts';
import { requireInteraction } from '../interaction/interactions.ts';
import type { Interaction } from '../interaction/interactions.ts';
import { formTargetFor } from '../interaction/layout.ts';
import { rememberPageTenant } from '../interaction/page-errors.ts';
import { requireInteractionClient } from '../interaction/resume.ts';
import type { Params } from '../oauth/request-params.ts';

export type TenantRequest = FastifyRequest<{ Params: { tenant: string } }>;

interface FlowBase {
  readonly tenant: Tenant;
  readonly session: BrowserSession;
  readonly user: UserRow;
  readonly issuer: string;
}

export type MfaFlow =
  | (FlowBase & { readonly kind: 'sign_in'; readonly interaction: Interaction; readonly client: Client })
  | (FlowBase & { readonly kind: 'account' });

export type FlowResult = { readonly flow: MfaFlow } | { readonly redirect: string };

/** Resolves the flow of a request; without a session a sign-in goes back to the sign-in page. */
export async function resolveFlow(ctx: Latchkey, request: TenantRequest, interactionId: string | undefined): Promise<FlowResult> {
  const tenant = await requireTenantBySlug(ctx, request.params.tenant);
  rememberPageTenant(request, tenant);
  const issuer = issuerFor(ctx.config.baseUrl, tenant.slug);
  const session = await currentSession(ctx, request, tenant);
  if (interactionId !== undefined) {
    const interaction = await requireInteraction(ctx, tenant, interactionId);
    const client = await requireInteractionClient(ctx, interaction);
    if (session === undefined) return { redirect: `${issuer}/login?interaction=${interaction.id}` };
    const user = await userQueries(ctx.db).findById(session.user_id);
    if (user === undefined || user.status !== 'active') return { redirect: `${issuer}/login?interaction=${interaction.id}` };
    return { flow: { kind: 'sign_in', tenant, session, user, issuer, interaction, client } };
  }
  assert(session !== undefined, new AccessDenied('you are not signed in: sign in to an application of this organisation first, then come back to this page'));
  const user = await userQueries(ctx.db).findById(session.user_id);
  assert(user !== undefined && user.status === 'active', new AccessDenied('this account cannot sign in'));
  return { flow: { kind: 'account', tenant, session, user, issuer } };
}

function csrfBinding(flow: MfaFlow): string {
  return flow.kind === 'sign_in' ? flow.interaction.id : `account:${flow.session.id}`;
}

export function flowCsrfToken(ctx: Latchkey, request: FastifyRequest, reply: FastifyReply, flow: MfaFlow): string {
  return issueCsrfToken(ctx, request, reply, flow.tenant, 'mfa', csrfBinding(flow));
}

export function verifyFlowCsrf(ctx: Latchkey, request: FastifyRequest, form: Params, flow: MfaFlow): void {
  verifyCsrfToken(ctx, request, form.get(CSRF_FIELD), 'mfa', csrfBinding(flow));
}

/** Hidden fields every form of the flow carries. */
export function flowFields(flow: MfaFlow): Record<string, string> {
  return flow.kind === 'sign_in' ? { interaction: flow.interaction.id } : {};
}

/** Where the flow goes on after a factor was added: the decision point of the sign-in, or the account page. */
export function continueUrl(flow: MfaFlow): string {
  return flow.kind === 'sign_in' ? `${flow.issuer}/mfa?interaction=${flow.interaction.id}` : `${flow.issuer}/account/security`;
}

export function flowQuery(flow: MfaFlow): string {
  return flow.kind === 'sign_in' ? `?interaction=${flow.interaction.id}` : '';
}

export function flowFormTargets(flow: MfaFlow): string[] {
  if (flow.kind !== 'sign_in') return [];
  const target = formTargetFor(flow.interaction.authz.redirectUri);
  return target === undefined ? [] : [target];
}

export function redirectTo(reply: FastifyReply, url: string): FastifyReply {
  return reply.code(303).header('Cache-Control', 'no-store').header('Location', url).send();
}

/** A form field capped to a sane length (names, codes); longer values are refused. */
export function shortField(form: Params, name: string, max = 200): string {
  const value = form.get(name) ?? '';
  assert(value.length <= max, new InvalidRequest(`${name} is too long`));
  return value.trim();
}
