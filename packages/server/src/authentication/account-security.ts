/**
 * The account's security page (`<issuer>/account/security`): the signed-in user lists, adds and removes second
 * factors and makes new recovery codes. With a factor enrolled, a password-only session is first asked for it.
 * Every change is an audit event; secrets are never shown again after enrolment.
 */
import type { FastifyReply } from 'fastify';
import type { Latchkey } from '../context.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import { userFactorQueries } from '../db/queries/user-factors.ts';
import { AccessDenied, InvalidRequest, NotFound, assert } from '../errors/oauth-error.ts';
import { sendPage } from '../interaction/layout.ts';
import type { PageMessage } from '../interaction/pages/login-page.ts';
import { readBodyParams } from '../oauth/request-params.ts';
import { summarizeFactor, usableFactors } from './factors.ts';
import { flowCsrfToken, redirectTo, resolveFlow, shortField, verifyFlowCsrf } from './mfa-flow.ts';
import type { MfaFlow, TenantRequest } from './mfa-flow.ts';
import { beginPasskeyRegistration, relyingPartyOf } from './passkeys.ts';
import { regenerateRecoveryCodes } from './recovery-codes.ts';
import { showSecondFactorPage } from './second-factor.ts';
import { mayEnrol } from './step-up.ts';
import { accountSecurityPage } from './pages/account-security-page.ts';
import { recoveryCodesPage } from './pages/enrolment-pages.ts';

async function showAccountPage(ctx: Latchkey, request: TenantRequest, reply: FastifyReply, flow: MfaFlow, notice?: PageMessage): Promise<FastifyReply> {
  const factors = await usableFactors(ctx, flow.user.id);
  if (!mayEnrol(flow.session, factors)) return showSecondFactorPage(ctx, request, reply, flow, factors, { recovery: true });
  const rp = relyingPartyOf(ctx);
  const allowed = flow.tenant.settings.mfa.allowed_factors;
  const ceremony = rp !== undefined && allowed.includes('passkey') ? await beginPasskeyRegistration(ctx, flow.tenant, flow.user, rp) : undefined;
  return sendPage(
    reply,
    accountSecurityPage({
      tenantName: flow.tenant.name,
      issuer: flow.issuer,
      userName: flow.user.display_name ?? flow.user.email ?? flow.user.username ?? flow.user.id,
      csrfToken: flowCsrfToken(ctx, request, reply, flow),
      factors: factors.map(summarizeFactor),
      recoveryCodesLeft: await userFactorQueries(ctx.db).recoveryCodesLeft(flow.user.id),
      totpAllowed: allowed.includes('totp'),
      ...(ceremony ? { passkey: { challengeId: ceremony.challengeId, options: ceremony.options } } : {}),
      ...(notice === undefined ? {} : { notice }),
    }),
  );
}

export function accountSecurityPageHandler(ctx: Latchkey) {
  return async function showAccountSecurity(request: TenantRequest, reply: FastifyReply) {
    const resolved = await resolveFlow(ctx, request, undefined);
    if ('redirect' in resolved) return redirectTo(reply, resolved.redirect);
    return showAccountPage(ctx, request, reply, resolved.flow);
  };
}

export function accountSecuritySubmitHandler(ctx: Latchkey) {
  return async function changeAccountSecurity(request: TenantRequest, reply: FastifyReply) {
    const form = readBodyParams(request.headers['content-type'], request.body, { allowJson: false });
    const resolved = await resolveFlow(ctx, request, undefined);
    if ('redirect' in resolved) return redirectTo(reply, resolved.redirect);
    const { flow } = resolved;
    verifyFlowCsrf(ctx, request, form, flow);
    const factors = await usableFactors(ctx, flow.user.id);
    assert(mayEnrol(flow.session, factors), new AccessDenied('confirm it’s you with a second factor before changing your sign-in methods'));
    const queries = userFactorQueries(ctx.db);
    const event = { tenantId: flow.tenant.id, ip: request.ip, actor: { type: 'user', id: flow.user.id }, target: { type: 'user', id: flow.user.id } };
    const action = form.get('action');
    if (action === 'remove') {
      const factorId = shortField(form, 'factor_id', 64);
      const factor = factors.find((f) => f.id === factorId);
      assert(factor !== undefined && (await queries.remove(flow.user.id, factorId)), new NotFound('no such factor'));
      // Recovery codes stand in for a factor; with none left they would be a factor of their own.
      if (factors.length === 1) await queries.replaceRecoveryCodes([], flow.user.id);
      await recordAuditEvent(ctx, { ...event, action: 'user.mfa.remove', details: { factor: factor.type, factor_id: factor.id, by: 'user' } });
      return showAccountPage(ctx, request, reply, flow, { key: 'page.account.removed', values: { name: factor.name } });
    }
    if (action === 'recovery_codes') {
      assert(factors.length > 0, new InvalidRequest('add a second factor first'));
      const codes = await regenerateRecoveryCodes(ctx, flow.tenant.id, flow.user.id);
      await recordAuditEvent(ctx, { ...event, action: 'user.mfa.recovery_codes_regenerated', details: {} });
      return sendPage(reply, recoveryCodesPage({ tenantName: flow.tenant.name, codes, continueUrl: `${flow.issuer}/account/security` }));
    }
    throw new InvalidRequest('unknown action');
  };
}
