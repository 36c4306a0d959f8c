/**
 * Bad input at the relying-party endpoints of the demo products (examples/demo): the mail API, the mail UI's
 * session routes, the chat product's `/v1/auth/*`, the sending API and the flow editor's back end. Forged and
 * malformed bearer tokens, hostile callback parameters without the sign-in cookie, hostile cookies and broken
 * bodies: every answer is a 4xx JSON error, never a 5xx, with nothing reflected as markup or injected as a header.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo } from '../../../../examples/demo/src/start-demo.ts';
import type { Demo } from '../../../../examples/demo/src/start-demo.ts';
import { HOSTILE_VALUES, JSON_TYPE, MARKUP_PROBE, assertRefusedCleanly, sendRaw } from '../support/bad-input.ts';
import type { BadRequest } from '../support/bad-input.ts';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const FORGED_TOKENS = [
  `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'x', scope: 'mail:read mail.send', exp: 9_999_999_999 })}.`,
  `${b64({ alg: 'HS256', kid: 'x' })}.${b64({ sub: 'x', exp: 9_999_999_999 })}.c2lnbmF0dXJl`,
  `${b64({ alg: 'RS256', kid: '../../etc/passwd' })}.${b64({ sub: 'x' })}.AAAA`,
  'a.b.c',
  'not-a-jwt',
  MARKUP_PROBE,
  '%%%',
  'A'.repeat(7000),
];

function cases(demo: Demo): BadRequest[] {
  const out: BadRequest[] = [];
  const apis: Array<[string, string, string]> = [
    ['mail', 'GET', '/v1/me'],
    ['mail', 'GET', '/v1/mailboxes'],
    ['sending', 'POST', '/v3/messages'],
    ['mailUi', 'GET', '/v1/mailboxes'],
    ['mailUi', 'POST', '/v1/drafts'],
    ['mailUi', 'GET', '/auth/session'],
  ];
  const urls = demo.urls as unknown as Record<string, string>;
  for (const [product, method, path] of apis) {
    const base = urls[product]!;
    const label = `${product} ${method} ${path}`;
    const body = method === 'POST' ? { headers: JSON_TYPE, body: '{"subject":"hi"}' } : {};
    out.push({ name: `${label}: no credentials`, method, path: `${base}${path}`, ...body });
    for (const token of FORGED_TOKENS) {
      out.push({ name: `${label}: Bearer ${token.slice(0, 20)}`, method, path: `${base}${path}`, ...body, headers: { ...JSON_TYPE, authorization: `Bearer ${token}` } });
    }
    for (const authorization of ['Bearer', 'Basic YTpi', `Bearer ${FORGED_TOKENS[0]} extra`, 'bearer  ']) {
      out.push({ name: `${label}: Authorization ${authorization.slice(0, 20)}`, method, path: `${base}${path}`, ...body, headers: { ...JSON_TYPE, authorization } });
    }
    for (const cookie of [`lk_session=${encodeURIComponent(MARKUP_PROBE)}`, 'lk_session=%E0%A4%A', `lk_session=${'x'.repeat(6000)}`, 'lk_session=a.b.c; lk_session=d', 'lk_session']) {
      out.push({ name: `${label}: cookie ${cookie.slice(0, 20)}`, method, path: `${base}${path}`, ...body, headers: { ...JSON_TYPE, cookie, 'x-csrf-token': MARKUP_PROBE } });
    }
  }
  // The mail UI callback without the sign-in cookie: every hostile parameter is a state mismatch.
  for (const value of HOSTILE_VALUES) {
    for (const name of ['code', 'state', 'iss', 'error', 'error_description']) {
      const query = new URLSearchParams({ code: 'c', state: 's', [name]: value }).toString();
      out.push({ name: `mailUi callback hostile ${name} ${JSON.stringify(value).slice(0, 20)}`, method: 'GET', path: `${demo.urls.mailUi}/auth/callback?${query}` });
    }
  }
  out.push({ name: 'mailUi callback with a forged login cookie', method: 'GET', path: `${demo.urls.mailUi}/auth/callback?code=c&state=s`, headers: { cookie: `lk_login=${encodeURIComponent(MARKUP_PROBE)}` } });
  // The chat product's auth endpoints with broken bodies.
  for (const path of ['/v1/auth/token', '/v1/auth/refresh', '/v1/auth/login']) {
    for (const body of ['', '{', '[]', 'null', JSON.stringify({ code: MARKUP_PROBE, refresh_token: MARKUP_PROBE, state: MARKUP_PROBE }), `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`]) {
      out.push({ name: `chat POST ${path} body ${body.slice(0, 20)}`, method: 'POST', path: `${demo.urls.chat}${path}`, headers: JSON_TYPE, body });
    }
  }
  return out;
}

/** The product libraries answer in their own formats; the rules that matter are the same for all of them. */
function assertSafe(request: BadRequest, response: { status: number; headers: Record<string, string | string[] | undefined>; body: string }): void {
  const label = `${request.name} answered ${response.status}: ${response.body.slice(0, 200)}`;
  assert.ok(response.status >= 400 && response.status < 500, label);
  assert.ok(!response.body.includes('<script>alert(1)'), `input reflected unescaped: ${label}`);
  for (const [name, value] of Object.entries(response.headers)) assert.ok(!String(value).includes('\n') && !name.startsWith('x-injected'), `header injection: ${label}`);
  // `/auth/session` is a probe whose designed "no" is `{"authenticated": false}`, and the chat product answers in
  // seed 001's own error shape (`{"error": {"code", "message"}}`); every other JSON answer is an RFC 6749 error.
  // Every answer is JSON, whatever the product: the shape is then checked for each format.
  assert.match(String(response.headers['content-type'] ?? ''), /^application\/json\b/, label);
  const body = JSON.parse(response.body) as { error?: unknown; authenticated?: unknown };
  if (request.name.includes('/auth/session')) assert.ok(body.authenticated === false || typeof body.error === 'string', label);
  else if (request.name.startsWith('chat ')) assert.equal(typeof (body.error as { code?: unknown } | undefined)?.code, 'string', label);
  else assertRefusedCleanly(request, response);
}

describe('demo products bad input', () => {
  let demo: Demo;
  before(async () => {
    demo = await startDemo();
  });
  after(() => demo.stop());

  it('refuses forged tokens, hostile cookies, callback parameters and bodies with a 4xx and no reflection', async (t) => {
    const all = cases(demo);
    for (const request of all) {
      const url = new URL(request.path);
      // sendRaw takes a base URL and a path: split the product's absolute URL.
      assertSafe(request, await sendRaw(url.origin, { ...request, path: `${url.pathname}${url.search}` }));
    }
    assert.ok(all.length >= 150, `the generator shrank to ${all.length} cases`);
    t.diagnostic(`${all.length} cases`);
  });
});
