/**
 * The SDK on an RFC 9470 step-up challenge, in Node with the browser globals it needs stood in: an API guarded
 * by the kit's `requireAcr` answers `insufficient_user_authentication`; `apiFetch` throws `StepUpRequired`
 * with the challenge's `acr_values`, whose `login()` re-runs the sign-in with them; the hosted pages ask only
 * the second factor (a TOTP code computed here), and the retried call succeeds with the stepped-up token.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { startTestServer } from '../../server/test/support/server.ts';
import type { TestServer } from '../../server/test/support/server.ts';
import { createSignInFixture } from '../../server/test/support/sign-in-fixture.ts';
import type { SignInFixture } from '../../server/test/support/sign-in-fixture.ts';
import { CookieJar } from '../../server/test/support/sign-in.ts';
import { open, submit, totpCode } from '../../server/test/support/mfa.ts';
import { beginTotpEnrolment, confirmTotpEnrolment } from '../../server/src/authentication/factors.ts';
import { userQueries } from '../../server/src/db/queries/users.ts';
import { createVerifier, nodeListener, protect, requireAcr } from '../../relying-party/src/index.ts';
import { apiFetch, handleRedirectCallback, initOIDC, login, StepUpRequired } from '../src/index.ts';

class MemoryStorage {
  readonly #items = new Map<string, string>();
  getItem(key: string) {
    return this.#items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.#items.set(key, value);
  }
  removeItem(key: string) {
    this.#items.delete(key);
  }
}

describe('browser SDK: step-up on an RFC 9470 challenge', () => {
  let server: TestServer;
  let lab: SignInFixture;
  let secret: string;
  let api: Server;
  let apiUrl: string;
  let assigned: string | undefined;

  before(async () => {
    server = await startTestServer('sqlite');
    lab = await createSignInFixture(server, 'lab', { settings: { mfa: { policy: 'off' } }, client: { type: 'public' } });
    const user = (await userQueries(server.ctx.db).findById(lab.user.id))!;
    const enrolment = await beginTotpEnrolment(server.ctx, lab.tenant, user);
    secret = enrolment.secret;
    await confirmTotpEnrolment(server.ctx, { tenant: lab.tenant, user, ip: '10.0.0.1', code: totpCode(secret, -1), factorId: enrolment.factorId, name: 'Phone' });
    const verifier = createVerifier({ issuer: lab.issuer, audience: lab.clientId });
    api = createServer(nodeListener(protect(verifier, [requireAcr('urn:latchkey:acr:mfa')], (_request, principal) => Response.json({ acr: principal.claims.acr }))));
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const address = api.address();
    apiUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1/payouts`;
    Object.assign(globalThis, { sessionStorage: new MemoryStorage(), location: { href: 'http://127.0.0.1:5999/app', assign: (url: string) => void (assigned = url) } });
  });
  after(async () => {
    await new Promise<void>((resolve) => api.close(() => resolve()));
    await server.stop();
  });

  it('throws StepUpRequired with the acr_values, re-runs login with them, and the second call succeeds', async () => {
    initOIDC({ issuer: lab.issuer, clientId: lab.clientId, redirectUri: lab.redirectUri, scope: 'openid' });
    const jar = new CookieJar();
    await login();
    let landing = await submit(jar, await open(jar, assigned!, lab.issuer, lab.redirectUri), '/login', { login: lab.login, password: lab.password, action: 'sign_in' }, lab.issuer, lab.redirectUri);
    if (landing.page === 'consent') landing = await submit(jar, landing, '/consent', { decision: 'allow' }, lab.issuer, lab.redirectUri);
    await handleRedirectCallback(landing.callback!.href);

    const error = await apiFetch(apiUrl, { method: 'POST' }).then(
      () => assert.fail('the API accepted a password-only sign-in'),
      (thrown: unknown) => thrown as StepUpRequired,
    );
    assert.ok(error instanceof StepUpRequired);
    assert.equal(error.code, 'insufficient_user_authentication');
    assert.deepEqual(error.acrValues, ['urn:latchkey:acr:mfa']);

    assigned = undefined;
    await error.login();
    assert.equal(new URL(assigned!).searchParams.get('acr_values'), 'urn:latchkey:acr:mfa');
    const asked = await open(jar, assigned!, lab.issuer, lab.redirectUri);
    assert.equal(asked.page, 'mfa', 'the session is kept: only the second factor is asked');
    const done = await submit(jar, asked, '/mfa/totp', { code: totpCode(secret, 1) }, lab.issuer, lab.redirectUri);
    await handleRedirectCallback(done.callback!.href);
    const response = await apiFetch(apiUrl, { method: 'POST' });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { acr: 'urn:latchkey:acr:mfa' });
  });
});
