/**
 * RFC 6749 §4.3: the resource owner password grant, only where the tenant turned on
 * `features.auth.password_grant_enabled` (seed 001: off by default). Same brute-force limits, same answers for
 * unknown users and wrong passwords, as the hosted sign-in page; a locked account or IP gets 429 with Retry-After.
 */
import { grantQueries } from '../../db/queries/grants.ts';
import type { GrantRow } from '../../db/queries/grants.ts';
import { signInWithPassword } from '../../directory/password-sign-in.ts';
import { mustVerifyBeforeSignIn } from '../../accounts/email-verification.ts';
import { InvalidGrant, TooManyRequests, UnauthorizedClient, assert } from '../../errors/oauth-error.ts';
import { newId } from '../../util/ids.ts';
import { ACR_PASSWORD } from '../../authentication/amr.ts';
import { usableFactors } from '../../authentication/factors.ts';
import { policyRequiresSecondFactor } from '../../authentication/mfa-policy.ts';
import { assertPresent } from '../request-params.ts';
import { grantedScope } from './client-credentials.ts';
import type { Grant, GrantContext, TokenResponse } from './grant.ts';
import { issueUserTokens } from './shared/issue-tokens.ts';

export const passwordGrant: Grant = {
  type: 'password',
  async handle({ ctx, request, params, tenant, client }: GrantContext): Promise<TokenResponse> {
    assert(
      tenant.settings.features.auth.password_grant_enabled,
      new UnauthorizedClient('the password grant is disabled for this tenant; an administrator can enable it with the tenant setting features.auth.password_grant_enabled'),
    );
    assertPresent(params, 'username', 'password');
    const scope = grantedScope(params.get('scope'), client.scopes);
    const result = await signInWithPassword(ctx, tenant, { login: params.get('username')!, password: params.get('password')!, ip: request.ip, channel: 'password_grant', clientId: client.clientId });
    if (result.outcome === 'locked') {
      throw new TooManyRequests('too many failed sign-in attempts; retry after the time in Retry-After', { headers: { 'Retry-After': String(result.retryAfterSeconds) } });
    }
    assert(result.outcome === 'success', new InvalidGrant('the username or password is incorrect'));
    if (mustVerifyBeforeSignIn(tenant, result.user)) throw new InvalidGrant('the email address of this account is not verified yet');
    // A password alone must not get around the tenant's second-factor policy (issue 15).
    const factors = await usableFactors(ctx, result.user.id);
    assert(!policyRequiresSecondFactor(tenant, result.user, factors), new InvalidGrant('this account must sign in with a second factor; use the browser sign-in (authorization code flow)'));
    const now = ctx.now();
    const grant: GrantRow = {
      id: newId('grt', now),
      tenant_id: tenant.id,
      client_id: client.clientId,
      user_id: result.user.id,
      session_id: null,
      scope: scope.join(' '),
      auth_time: now,
      amr: JSON.stringify(['pwd']),
      acr: ACR_PASSWORD,
      offline: scope.includes('offline_access') ? 1 : 0,
      created_at: now,
      revoked_at: null,
    };
    await grantQueries(ctx.db).insert(grant);
    return issueUserTokens(ctx, { tenant, client, grant, user: result.user, scope, refreshToken: { kind: 'new' } });
  },
};
