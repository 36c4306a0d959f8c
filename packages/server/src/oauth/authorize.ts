/**
 * The authorization endpoint (RFC 6749 §3.1, OpenID Connect Core §3.1.2), GET and POST, at
 * `<issuer>/oauth2/authorize`. Steps: find the tenant → limit per IP → read parameters → find the client and its exact redirect
 * URI (else an error page, never a redirect) → check the rest of the request (else an error back to the client)
 * → look at the browser session → sign-in page, consent page, or a code.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import { requireTenantBySlug } from '../directory/tenants.ts';
import { issuerFor } from '../directory/tenant-directory.ts';
import { OAuthError } from '../errors/oauth-error.ts';
import { currentSession } from '../interaction/browser-session.ts';
import { ensureCsrfCookie } from '../interaction/csrf.ts';
import { rememberPageTenant } from '../interaction/page-errors.ts';
import { findClientAndRedirect, responseModeOf, validateAuthorizationRequest } from './authorization-request.ts';
import type { ResponseTarget } from './authorization-request.ts';
import { sendAuthorizationError } from './authorization-response.ts';
import { continueAuthorization } from './authorize-decision.ts';
import { enforceRateLimit } from './token.ts';
import { assertLengths, readBodyParams, readQueryParams } from './request-params.ts';
import type { Params } from './request-params.ts';
import { addressKey } from '../http/rate-limit/address-key.ts';

function readAuthorizeParams(request: FastifyRequest): Params {
  const params = request.method === 'POST' ? readBodyParams(request.headers['content-type'], request.body, { allowJson: false }) : readQueryParams(request.url);
  assertLengths(params);
  return params;
}

export function authorizeHandler(ctx: Latchkey) {
  return async function authorize(request: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply) {
    const tenant = await requireTenantBySlug(ctx, request.params.tenant);
    rememberPageTenant(request, tenant);
    // Each request may store an interaction: the per-IP limit keeps a flood from filling the table.
    await enforceRateLimit(ctx, `authorize:ip:${addressKey(request.ip)}`, ctx.config.rateLimitPerIp);
    const params = readAuthorizeParams(request);
    const { client, redirectUri } = await findClientAndRedirect(ctx, tenant, params);
    const target: ResponseTarget = { redirectUri, responseMode: responseModeOf(params), state: params.get('state'), issuer: issuerFor(ctx.config.baseUrl, tenant.slug) };
    try {
      const authz = await validateAuthorizationRequest(ctx, tenant, client, redirectUri, params);
      ensureCsrfCookie(ctx, request, reply, tenant);
      const session = await currentSession(ctx, request, tenant);
      return await continueAuthorization(ctx, reply, { tenant, client, authz, session });
    } catch (error) {
      if (error instanceof OAuthError && error.status < 500) return sendAuthorizationError(reply, target, error);
      throw error;
    }
  };
}
