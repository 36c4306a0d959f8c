/**
 * Seed 000's internal product UI: the mail UI back end signs the user in through the hosted pages and keeps the
 * tokens in an encrypted HttpOnly cookie; same-origin `/v1/*` calls use the cookie, unsafe ones the CSRF
 * token, and an access token about to expire is refreshed on the way (a new cookie comes back).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo } from '../src/start-demo.ts';
import type { Demo } from '../src/start-demo.ts';
import { body } from './support/idp.ts';
import { followSignIn } from './support/hosted-login.ts';

const cookieOf = (response: Response, name: string) =>
  response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0] as string)
    .find((pair) => pair.startsWith(`${name}=`));

describe('mail UI session (same-origin, cookies)', () => {
  let demo: Demo;
  before(async () => {
    // Shorter than the 30 s refresh margin: every call finds the access token about to expire.
    demo = await startDemo({ accessTokenLifetime: 20 });
  });
  after(() => demo.stop());

  it('refuses /v1/* without a session', async () => {
    const response = await fetch(`${demo.urls.mailUi}/v1/mailboxes`);
    assert.equal(response.status, 401);
    assert.equal((await fetch(`${demo.urls.mailUi}/auth/session`)).status, 401);
  });

  it('signs in, calls /v1/* with the cookie and CSRF token, refreshes on expiry, logs out', async () => {
    const start = await fetch(`${demo.urls.mailUi}/auth/login`, { redirect: 'manual' });
    assert.equal(start.status, 302);
    const loginCookie = cookieOf(start, 'lk_login');
    assert.ok(loginCookie);
    const callbackUrl = await followSignIn(start.headers.get('location') ?? '', `${demo.urls.mailUi}/auth/callback`, demo.seed.user.email, demo.seed.user.password);
    const callback = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: loginCookie } });
    assert.equal(callback.status, 302);
    let session = cookieOf(callback, 'lk_session');
    assert.ok(session);
    assert.match(callback.headers.getSetCookie().join('\n'), /lk_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);

    const state = await fetch(`${demo.urls.mailUi}/auth/session`, { headers: { cookie: session } });
    assert.equal(state.status, 200);
    const { user, csrf_token } = await body(state);
    assert.equal(user.sub, demo.seed.user.id);
    session = cookieOf(state, 'lk_session') ?? session;

    const mailboxes = await fetch(`${demo.urls.mailUi}/v1/mailboxes`, { headers: { cookie: session } });
    assert.equal(mailboxes.status, 200);
    const refreshed = cookieOf(mailboxes, 'lk_session');
    assert.ok(refreshed, 'the expiring access token was refreshed and a new cookie set');
    assert.notEqual(refreshed, session);
    session = refreshed;

    const noCsrf = await fetch(`${demo.urls.mailUi}/v1/drafts`, { method: 'POST', headers: { cookie: session, 'content-type': 'application/json' }, body: '{"subject":"hi"}' });
    assert.equal(noCsrf.status, 401);
    const draft = await fetch(`${demo.urls.mailUi}/v1/drafts`, { method: 'POST', headers: { cookie: session, 'x-csrf-token': String(csrf_token), 'content-type': 'application/json' }, body: '{"subject":"hi"}' });
    assert.equal(draft.status, 201);
    session = cookieOf(draft, 'lk_session') ?? session;

    const logout = await fetch(`${demo.urls.mailUi}/auth/logout`, { method: 'POST', headers: { cookie: session, 'x-csrf-token': String(csrf_token) } });
    assert.equal(logout.status, 200);
    assert.equal(cookieOf(logout, 'lk_session'), 'lk_session=');
  });
});
