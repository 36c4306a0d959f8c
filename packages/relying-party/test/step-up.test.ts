/**
 * RFC 9470 step-up with a real Latchkey: a route guarded by `requireAcr('urn:latchkey:acr:mfa')` refuses a
 * password-only token with 401 `insufficient_user_authentication` and `acr_values`; signing in again with those
 * `acr_values` asks only the second factor (a TOTP code computed here) and the stepped-up token is accepted.
 * `requireAmr` and API-key-free principals follow the same rule.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../../server/test/support/server.ts';
import type { TestServer } from '../../server/test/support/server.ts';
import { createSignInFixture } from '../../server/test/support/sign-in-fixture.ts';
import type { SignInFixture } from '../../server/test/support/sign-in-fixture.ts';
import { authorizationUrl, createPkce, exchangeCode, signIn } from '../../server/test/support/sign-in.ts';
import { open, submit, totpCode } from '../../server/test/support/mfa.ts';
import { beginTotpEnrolment, confirmTotpEnrolment } from '../../server/src/authentication/factors.ts';
import { userQueries } from '../../server/src/db/queries/users.ts';
import { createVerifier, principalFromClaims, protect, requireAcr, requireAmr, InsufficientUserAuthentication } from '../src/index.ts';

describe('requireAcr / requireAmr: the RFC 9470 step-up challenge', () => {
  let server: TestServer;
  let lab: SignInFixture;
  let secret: string;
  let payouts: (request: Request) => Promise<Response>;

  before(async () => {
    server = await startTestServer('sqlite');
    lab = await createSignInFixture(server, 'lab', { settings: { mfa: { policy: 'off' } } });
    const user = (await userQueries(server.ctx.db).findById(lab.user.id))!;
    const enrolment = await beginTotpEnrolment(server.ctx, lab.tenant, user);
    secret = enrolment.secret;
    assert.equal((await confirmTotpEnrolment(server.ctx, { tenant: lab.tenant, user, ip: '10.0.0.1', code: totpCode(secret, -1), factorId: enrolment.factorId, name: 'Phone' })).outcome, 'success');
    const verifier = createVerifier({ issuer: lab.issuer, audience: lab.clientId });
    payouts = protect(verifier, [requireAcr('urn:latchkey:acr:mfa')], (_request, principal) => Response.json({ paid_by: principal.sub }), 'payouts');
  });
  after(() => server.stop());

  const call = (token: string) => payouts(new Request('http://api.test/v1/payouts', { method: 'POST', headers: { authorization: `Bearer ${token}` } }));

  it('refuses a password-only token with the challenge, then accepts the token of the stepped-up sign-in', async () => {
    const first = await signIn({ ...lab, scope: 'openid' });
    const tokens = (await (await exchangeCode({ ...lab, code: first.code!, codeVerifier: first.pkce.verifier })).json()) as { access_token: string };
    const refused = await call(tokens.access_token);
    assert.equal(refused.status, 401);
    const challenge = refused.headers.get('www-authenticate')!;
    assert.match(challenge, /^Bearer realm="payouts", error="insufficient_user_authentication", error_description="[^"]+", acr_values="urn:latchkey:acr:mfa"$/);
    assert.equal(((await refused.json()) as { error: string }).error, 'insufficient_user_authentication');

    // The client signs in again with what the challenge asked for, in the same browser: only the code is asked.
    const acrValues = /acr_values="([^"]+)"/.exec(challenge)![1]!;
    const pkce = createPkce();
    const url = authorizationUrl({ issuer: lab.issuer, clientId: lab.clientId, redirectUri: lab.redirectUri, scope: 'openid', extra: { acr_values: acrValues } }, pkce, 'step', 'n2');
    const asked = await open(first.jar, url, lab.issuer, lab.redirectUri);
    assert.equal(asked.page, 'mfa');
    const done = await submit(first.jar, asked, '/mfa/totp', { code: totpCode(secret, 1) }, lab.issuer, lab.redirectUri);
    assert.ok(done.callback, 'the code goes back to the client');
    const stepped = (await (await exchangeCode({ ...lab, code: done.callback.searchParams.get('code')!, codeVerifier: pkce.verifier })).json()) as { access_token: string };
    const accepted = await call(stepped.access_token);
    assert.equal(accepted.status, 200);
    assert.deepEqual(await accepted.json(), { paid_by: lab.user.id });
  });

  it('a stronger level meets a weaker request; requireAmr names what is missing; max_age goes in the challenge', () => {
    const phr = principalFromClaims({ sub: 'usr_1', acr: 'phr', amr: ['hwk', 'user', 'mfa'], auth_time: Math.floor(Date.now() / 1000) });
    requireAcr('urn:latchkey:acr:mfa')(phr);
    requireAmr(['mfa'])(phr);
    const password = principalFromClaims({ sub: 'usr_1', acr: 'urn:latchkey:acr:password', amr: ['pwd'], auth_time: 1 });
    assert.throws(() => requireAmr(['hwk'], { acrValues: ['phr'] })(password), (error: InsufficientUserAuthentication) => error.status === 401 && error.acrValues[0] === 'phr' && /hwk/.test(error.message));
    assert.throws(() => requireAcr('urn:latchkey:acr:password', { maxAge: 300 })(password), (error: InsufficientUserAuthentication) => error.maxAge === 300);
    const apiKey = principalFromClaims({ sub: 'usr_2', scope: 'x' });
    assert.throws(() => requireAcr('urn:latchkey:acr:password')(apiKey), InsufficientUserAuthentication);
  });
});
