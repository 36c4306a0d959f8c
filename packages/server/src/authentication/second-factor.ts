/**
 * The second step of a sign-in and step-up on an existing session (`GET <issuer>/mfa?interaction=…`): when the
 * session does not reach the level the request needs, the user answers with a factor they have (a TOTP code, a
 * passkey, a recovery code) or, with none yet, enrols one; then the authorization resumes where it was. Only
 * the missing factor is asked: the password is not typed again, and `auth_time` stays the first sign-in's.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import type { UserFactorRow } from '../db/queries/user-factors.ts';
import { AccessDenied, InvalidRequest, OAuthError, assert } from '../errors/oauth-error.ts';
import { sendPage } from '../interaction/layout.ts';
import type { PageMessage } from '../interaction/pages/login-page.ts';
import { abandonAuthorization, resumeAuthorization } from '../interaction/resume.ts';
import { readBodyParams, readQueryParams } from '../oauth/request-params.ts';
import { ACR_PHISHING_RESISTANT } from './amr.ts';
import { checkFactorBlock, failRecoveryCode, usableFactors, verifyTotpCode } from './factors.ts';
import { continueUrl, flowCsrfToken, flowFields, flowFormTargets, redirectTo, resolveFlow, shortField, verifyFlowCsrf } from './mfa-flow.ts';
import type { MfaFlow, TenantRequest } from './mfa-flow.ts';
import { beginPasskeyAuthentication, beginPasskeyRegistration, finishPasskeyAuthentication, relyingPartyOf } from './passkeys.ts';
import { useRecoveryCode } from './recovery-codes.ts';
import { addSessionFactors } from './session-factors.ts';
import { mayEnrol, missingAuthentication } from './step-up.ts';
import { enrolChoicePage, recoveryUsedPage } from './pages/enrolment-pages.ts';
import { secondFactorPage } from './pages/second-factor-page.ts';

export function waitMessage(retryAfterSeconds: number): PageMessage {
  return { key: 'page.mfa.locked', values: { minutes: Math.ceil(retryAfterSeconds / 60) } };
}

/** The `ui_locales` of the sign-in a page belongs to (the account page follows the browser's languages). */
export function uiLocalesOf(flow: MfaFlow): string | undefined {
  return flow.kind === 'sign_in' ? flow.interaction.authz.uiLocales : undefined;
}

/** The "confirm it's you" page, with the forms for the factors the user can answer with. */
export async function showSecondFactorPage(ctx: Latchkey, request: FastifyRequest, reply: FastifyReply, flow: MfaFlow, answerable: readonly UserFactorRow[], options: { recovery: boolean; error?: PageMessage; status?: number }): Promise<FastifyReply> {
  const csrfToken = flowCsrfToken(ctx, request, reply, flow);
  const rp = relyingPartyOf(ctx);
  const passkeys = rp !== undefined && answerable.some((f) => f.type === 'passkey');
  const ceremony = passkeys ? await beginPasskeyAuthentication(ctx, flow.tenant, flow.user, rp) : undefined;
  return sendPage(
    reply,
    secondFactorPage({
      tenantName: flow.tenant.name,
      issuer: flow.issuer,
      csrfToken,
      hidden: flowFields(flow),
      totp: answerable.some((f) => f.type === 'totp'),
      recovery: options.recovery,
      ...(ceremony ? { passkey: { challengeId: ceremony.challengeId, options: ceremony.options } } : {}),
      ...(flow.kind === 'sign_in' ? { clientName: flow.client.name } : {}),
      ...(options.error === undefined ? {} : { error: options.error }),
      formTargets: flowFormTargets(flow),
      uiLocales: uiLocalesOf(flow),
    }),
    options.status ?? 200,
  );
}

/** What a sign-in needs next: resume (strong enough), answer a factor, enrol one, or stop with an error. */
export async function nextSignInStep(ctx: Latchkey, request: FastifyRequest, reply: FastifyReply, flow: MfaFlow & { kind: 'sign_in' }, error?: { message: PageMessage; status: number }): Promise<FastifyReply> {
  const { tenant, session, interaction, client } = flow;
  const step = await missingAuthentication(ctx, tenant, session, interaction.authz);
  if (step === undefined) return resumeAuthorization(ctx, reply, { tenant, client, authz: interaction.authz, session, interaction });
  // With factors but a password-only session, any factor comes first (then a passkey may be added for `phr`).
  const answerable = step.answerable.length > 0 ? step.answerable : mayEnrol(session, step.factors) ? [] : step.factors;
  if (answerable.length > 0) {
    const recovery = step.required !== ACR_PHISHING_RESISTANT || step.answerable.length === 0;
    return showSecondFactorPage(ctx, request, reply, flow, answerable, { recovery, ...(error ? { error: error.message, status: error.status } : {}) });
  }
  const rp = relyingPartyOf(ctx);
  const passkey = step.enrolable.includes('passkey') && rp !== undefined;
  const totp = step.enrolable.includes('totp');
  if (!passkey && !totp) {
    return abandonAuthorization(ctx, reply, tenant, interaction, new OAuthError('unmet_authentication_requirements', 400, 'the requested authentication level cannot be reached with the factors this account may use'));
  }
  const ceremony = passkey ? await beginPasskeyRegistration(ctx, tenant, flow.user, rp) : undefined;
  return sendPage(
    reply,
    enrolChoicePage({
      tenantName: tenant.name,
      issuer: flow.issuer,
      query: `?interaction=${interaction.id}`,
      totp,
      ...(ceremony ? { passkey: { challengeId: ceremony.challengeId, options: ceremony.options, csrfToken: flowCsrfToken(ctx, request, reply, flow), hidden: flowFields(flow) } } : {}),
      formTargets: flowFormTargets(flow),
      uiLocales: interaction.authz.uiLocales,
    }),
  );
}

/** Shows the page again after a wrong answer (sign-in or account page). */
async function answerAgain(ctx: Latchkey, request: FastifyRequest, reply: FastifyReply, flow: MfaFlow, message: PageMessage, status: number): Promise<FastifyReply> {
  if (flow.kind === 'sign_in') return nextSignInStep(ctx, request, reply, flow, { message, status });
  return showSecondFactorPage(ctx, request, reply, flow, await usableFactors(ctx, flow.user.id), { recovery: true, error: message, status });
}

async function postedFlow(ctx: Latchkey, request: TenantRequest, reply: FastifyReply) {
  const form = readBodyParams(request.headers['content-type'], request.body, { allowJson: false });
  const resolved = await resolveFlow(ctx, request, form.get('interaction'));
  if ('redirect' in resolved) return { form, redirect: redirectTo(reply, resolved.redirect) };
  verifyFlowCsrf(ctx, request, form, resolved.flow);
  return { form, flow: resolved.flow };
}

export function secondFactorPageHandler(ctx: Latchkey) {
  return async function showSecondFactor(request: TenantRequest, reply: FastifyReply) {
    const interactionId = readQueryParams(request.url).get('interaction');
    assert(interactionId !== undefined, new InvalidRequest('this page belongs to a sign-in; go back to the application and start again'));
    const resolved = await resolveFlow(ctx, request, interactionId);
    if ('redirect' in resolved) return redirectTo(reply, resolved.redirect);
    const { flow } = resolved;
    if (flow.kind !== 'sign_in') throw new InvalidRequest('this page belongs to a sign-in');
    return nextSignInStep(ctx, request, reply, flow);
  };
}

export function totpAnswerHandler(ctx: Latchkey) {
  return async function answerTotp(request: TenantRequest, reply: FastifyReply) {
    const posted = await postedFlow(ctx, request, reply);
    if (posted.flow === undefined) return posted.redirect;
    const { flow, form } = posted;
    const result = await verifyTotpCode(ctx, { tenant: flow.tenant, user: flow.user, code: shortField(posted.form, 'code', 40), ip: request.ip });
    if (result.outcome === 'locked') {
      reply.header('Retry-After', String(result.retryAfterSeconds));
      return answerAgain(ctx, request, reply, flow, waitMessage(result.retryAfterSeconds), 429);
    }
    if (result.outcome === 'invalid') return answerAgain(ctx, request, reply, flow, { key: form.get('code') ? 'page.mfa.wrong_code' : 'page.mfa.missing_code' }, 401);
    await addSessionFactors(ctx, flow.session, ['otp']);
    return redirectTo(reply, continueUrl(flow));
  };
}

export function recoveryAnswerHandler(ctx: Latchkey) {
  return async function answerRecovery(request: TenantRequest, reply: FastifyReply) {
    const posted = await postedFlow(ctx, request, reply);
    if (posted.flow === undefined) return posted.redirect;
    const { flow, form } = posted;
    const attempt = { tenant: flow.tenant, user: flow.user, code: shortField(form, 'recovery_code', 40), ip: request.ip };
    const block = await checkFactorBlock(ctx, flow.tenant, flow.user, request.ip);
    if (block.blocked) {
      reply.header('Retry-After', String(block.retryAfterSeconds));
      return answerAgain(ctx, request, reply, flow, waitMessage(block.retryAfterSeconds), 429);
    }
    const left = await useRecoveryCode(ctx, flow.user.id, attempt.code);
    if (left === undefined) {
      await failRecoveryCode(ctx, attempt);
      return answerAgain(ctx, request, reply, flow, { key: 'page.mfa.wrong_recovery' }, 401);
    }
    await recordAuditEvent(ctx, { action: 'user.mfa.recovery_code_used', tenantId: flow.tenant.id, ip: request.ip, actor: { type: 'user', id: flow.user.id }, target: { type: 'user', id: flow.user.id }, details: { remaining: left } });
    await addSessionFactors(ctx, flow.session, ['otp']);
    return sendPage(reply, recoveryUsedPage({ tenantName: flow.tenant.name, left, continueUrl: continueUrl(flow), accountUrl: `${flow.issuer}/account/security`, uiLocales: uiLocalesOf(flow) }));
  };
}

export function passkeyAnswerHandler(ctx: Latchkey) {
  return async function answerPasskey(request: TenantRequest, reply: FastifyReply) {
    const posted = await postedFlow(ctx, request, reply);
    if (posted.flow === undefined) return posted.redirect;
    const { flow, form } = posted;
    const rp = relyingPartyOf(ctx);
    assert(rp !== undefined, new InvalidRequest('passkeys are not available on this deployment (LATCHKEY_BASE_URL must use a host name)'));
    const { amr } = await finishPasskeyAuthentication(ctx, { tenant: flow.tenant, rp, challengeId: form.get('challenge_id'), response: form.get('response'), user: flow.user, ip: request.ip });
    await addSessionFactors(ctx, flow.session, amr);
    return redirectTo(reply, continueUrl(flow));
  };
}

export function cancelHandler(ctx: Latchkey) {
  return async function cancel(request: TenantRequest, reply: FastifyReply) {
    const posted = await postedFlow(ctx, request, reply);
    if (posted.flow === undefined) return posted.redirect;
    const { flow } = posted;
    if (flow.kind !== 'sign_in') return redirectTo(reply, continueUrl(flow));
    return abandonAuthorization(ctx, reply, flow.tenant, flow.interaction, new AccessDenied('the user cancelled the sign-in'));
  };
}
