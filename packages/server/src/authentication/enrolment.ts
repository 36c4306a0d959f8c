/**
 * Enrolling a factor, during sign-in (policy `required`) or from the account page: an authenticator app (QR
 * page, confirmed by one valid code before it is active) or a passkey. The first factor a user enrols comes
 * with ten recovery codes, shown once. Enrolling counts as using the factor, so the session steps up with it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import { AccessDenied, InvalidRequest, assert } from '../errors/oauth-error.ts';
import { sendPage } from '../interaction/layout.ts';
import { readBodyParams, readQueryParams } from '../oauth/request-params.ts';
import { beginTotpEnrolment, confirmTotpEnrolment, pendingTotpEnrolment, usableFactors } from './factors.ts';
import type { TotpEnrolment } from './factors.ts';
import { continueUrl, flowCsrfToken, flowFields, flowFormTargets, redirectTo, resolveFlow, shortField, verifyFlowCsrf } from './mfa-flow.ts';
import type { MfaFlow, TenantRequest } from './mfa-flow.ts';
import { finishPasskeyRegistration, relyingPartyOf } from './passkeys.ts';
import { regenerateRecoveryCodes } from './recovery-codes.ts';
import { addSessionFactors } from './session-factors.ts';
import { mayEnrol } from './step-up.ts';
import { uiLocalesOf, waitMessage } from './second-factor.ts';
import type { PageMessage } from '../interaction/pages/login-page.ts';
import { recoveryCodesPage, totpEnrolPage } from './pages/enrolment-pages.ts';
import { totpQrSvg } from './totp.ts';

/** Enrolment needs a session as strong as the user's factors allow, and a factor the tenant allows. */
async function requireMayEnrol(ctx: Latchkey, flow: MfaFlow, factor: 'totp' | 'passkey'): Promise<number> {
  assert(flow.tenant.settings.mfa.allowed_factors.includes(factor), new AccessDenied(`this organisation does not allow ${factor === 'totp' ? 'authenticator apps' : 'passkeys'}`));
  const factors = await usableFactors(ctx, flow.user.id);
  assert(mayEnrol(flow.session, factors), new AccessDenied('confirm it’s you with a second factor before adding another one'));
  return factors.length;
}

async function showTotpPage(ctx: Latchkey, request: FastifyRequest, reply: FastifyReply, flow: MfaFlow, enrolment: TotpEnrolment, error?: PageMessage, status = 200): Promise<FastifyReply> {
  return sendPage(
    reply,
    totpEnrolPage({
      tenantName: flow.tenant.name,
      issuer: flow.issuer,
      csrfToken: flowCsrfToken(ctx, request, reply, flow),
      hidden: flowFields(flow),
      factorId: enrolment.factorId,
      qrSvg: await totpQrSvg(enrolment.uri),
      secret: enrolment.secret,
      ...(error === undefined ? {} : { error }),
      formTargets: flowFormTargets(flow),
      uiLocales: uiLocalesOf(flow),
    }),
    status,
  );
}

/** After the first factor: the recovery codes page; later factors go straight on. */
async function afterEnrolment(ctx: Latchkey, reply: FastifyReply, flow: MfaFlow, factorsBefore: number): Promise<FastifyReply> {
  if (factorsBefore > 0) return redirectTo(reply, continueUrl(flow));
  const codes = await regenerateRecoveryCodes(ctx, flow.tenant.id, flow.user.id);
  return sendPage(reply, recoveryCodesPage({ tenantName: flow.tenant.name, codes, continueUrl: continueUrl(flow), uiLocales: uiLocalesOf(flow) }));
}

export function totpEnrolPageHandler(ctx: Latchkey) {
  return async function showTotpEnrolment(request: TenantRequest, reply: FastifyReply) {
    const resolved = await resolveFlow(ctx, request, readQueryParams(request.url).get('interaction'));
    if ('redirect' in resolved) return redirectTo(reply, resolved.redirect);
    const { flow } = resolved;
    await requireMayEnrol(ctx, flow, 'totp');
    return showTotpPage(ctx, request, reply, flow, await beginTotpEnrolment(ctx, flow.tenant, flow.user));
  };
}

export function totpEnrolSubmitHandler(ctx: Latchkey) {
  return async function confirmTotp(request: TenantRequest, reply: FastifyReply) {
    const form = readBodyParams(request.headers['content-type'], request.body, { allowJson: false });
    const resolved = await resolveFlow(ctx, request, form.get('interaction'));
    if ('redirect' in resolved) return redirectTo(reply, resolved.redirect);
    const { flow } = resolved;
    verifyFlowCsrf(ctx, request, form, flow);
    const factorsBefore = await requireMayEnrol(ctx, flow, 'totp');
    const factorId = shortField(form, 'factor_id', 64);
    const result = await confirmTotpEnrolment(ctx, { tenant: flow.tenant, user: flow.user, ip: request.ip, factorId, code: shortField(form, 'code', 40), name: shortField(form, 'name', 100) });
    if (result.outcome !== 'success') {
      const pending = await pendingTotpEnrolment(ctx, flow.tenant, flow.user, factorId);
      assert(pending !== undefined, new InvalidRequest('this set-up has expired; start again'));
      if (result.outcome === 'locked') {
        reply.header('Retry-After', String(result.retryAfterSeconds));
        return showTotpPage(ctx, request, reply, flow, pending, waitMessage(result.retryAfterSeconds), 429);
      }
      return showTotpPage(ctx, request, reply, flow, pending, { key: 'page.totp.wrong_code' }, 400);
    }
    await addSessionFactors(ctx, flow.session, ['otp']);
    return afterEnrolment(ctx, reply, flow, factorsBefore);
  };
}

export function passkeyEnrolSubmitHandler(ctx: Latchkey) {
  return async function registerPasskey(request: TenantRequest, reply: FastifyReply) {
    const form = readBodyParams(request.headers['content-type'], request.body, { allowJson: false });
    const resolved = await resolveFlow(ctx, request, form.get('interaction'));
    if ('redirect' in resolved) return redirectTo(reply, resolved.redirect);
    const { flow } = resolved;
    verifyFlowCsrf(ctx, request, form, flow);
    const factorsBefore = await requireMayEnrol(ctx, flow, 'passkey');
    const rp = relyingPartyOf(ctx);
    assert(rp !== undefined, new InvalidRequest('passkeys are not available on this deployment (LATCHKEY_BASE_URL must use a host name)'));
    const { amr } = await finishPasskeyRegistration(ctx, { tenant: flow.tenant, user: flow.user, rp, challengeId: form.get('challenge_id'), response: form.get('response'), name: shortField(form, 'name', 100), ip: request.ip });
    await addSessionFactors(ctx, flow.session, amr);
    return afterEnrolment(ctx, reply, flow, factorsBefore);
  };
}
