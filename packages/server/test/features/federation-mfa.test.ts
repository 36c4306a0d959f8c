/**
 * Federation meets the tenant's MFA policy (issues 15 and 18): an upstream sign-in is a first factor (`fed`);
 * where the policy requires a second one, the user gives it after coming back, and the tokens say
 * `amr: ["fed", "otp", "mfa"]` with the MFA level. Regression: `fed` did not count as a first factor, so the
 * second step could never reach the MFA level and sent the user back to it forever.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { exchangeCode, fetchWithJar } from '../support/sign-in.ts';
import { addConnection, createDownstream, walkFederatedSignIn } from '../support/federation.ts';
import { startScriptedProvider } from '../support/scripted-oidc-provider.ts';
import type { ScriptedProvider } from '../support/scripted-oidc-provider.ts';
import { enrolSecondFactor, jwtClaims, land, submit, totpCode } from '../support/mfa.ts';
import { ACR_MFA } from '../../src/authentication/amr.ts';

describe('federation with a tenant that requires a second factor', () => {
  let server: TestServer;
  let acme: SignInFixture;
  let upstream: ScriptedProvider;

  before(async () => {
    server = await startTestServer('sqlite');
    acme = await createDownstream(server, 'acme');
    upstream = await startScriptedProvider('acme-mfa');
    upstream.claims = { sub: 'mfa-user', name: 'Mfa User' };
    await addConnection(server, acme.tenant, { slug: 'scripted', name: 'Scripted', type: 'oidc', settings: { issuer: upstream.issuer, client_id: 'acme-mfa' }, secrets: { client_secret: 's' } });
  });
  after(async () => {
    await upstream.close();
    await server.stop();
  });

  it('asks for the second factor after the upstream sign-in, then issues fed + otp + mfa', async () => {
    const first = await walkFederatedSignIn({ downstream: acme, choice: { button: 'scripted' } });
    assert.ok(first.callback, first.stoppedAt?.body.slice(0, 300));
    const link = await server.ctx.db.selectFrom('federated_identities').selectAll().where('subject', '=', 'mfa-user').executeTakeFirstOrThrow();
    const { secret } = await enrolSecondFactor(server.ctx, acme.tenant, link.user_id);
    const settings = { ...acme.tenant.settings, mfa: { ...acme.tenant.settings.mfa, policy: 'required' } };
    await server.ctx.db.updateTable('tenants').set({ settings: JSON.stringify(settings), updated_at: Date.now() }).where('id', '=', acme.tenant.id).execute();
    server.ctx.tenants.invalidate(acme.tenant);

    const walk = await walkFederatedSignIn({ downstream: acme, choice: { button: 'scripted' }, extra: { prompt: 'login' } });
    assert.ok(walk.stoppedAt?.url.includes('/t/acme/mfa'), `the second step is asked: ${walk.stoppedAt?.url}`);
    const asked = await land(walk.jar, await fetchWithJar(walk.jar, walk.stoppedAt!.url), acme.issuer, acme.redirectUri);
    let done = await submit(walk.jar, asked, '/mfa/totp', { code: totpCode(secret, 1) }, acme.issuer, acme.redirectUri);
    if (done.page === 'consent') done = await submit(walk.jar, done, '/consent', { decision: 'allow' }, acme.issuer, acme.redirectUri);
    assert.ok(done.callback, `the authorization completes: ${done.page} ${done.html?.slice(0, 300)}`);
    const code = done.callback.searchParams.get('code')!;
    const tokens = (await (await exchangeCode({ issuer: acme.issuer, clientId: acme.clientId, clientSecret: acme.clientSecret, redirectUri: acme.redirectUri, code, codeVerifier: walk.pkce.verifier })).json()) as { id_token: string };
    const claims = jwtClaims(tokens.id_token);
    assert.deepEqual([...(claims.amr as string[])].sort(), ['fed', 'mfa', 'otp']);
    assert.equal(claims.acr, ACR_MFA);
  });
});
