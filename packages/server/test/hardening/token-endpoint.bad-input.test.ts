/**
 * Bad input at the token endpoint: wrong methods, content types, encodings, repeated, missing, oversized and
 * non-UTF-8 parameters, JSON of the wrong shape, broken Basic credentials, hostile values in every parameter,
 * and property-based random bodies. Every answer is a 4xx JSON error and the database does not change.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DIALECTS } from '../support/databases.ts';
import { createTenantWithClient, startTestServer } from '../support/server.ts';
import type { TenantWithClient, TestServer } from '../support/server.ts';
import { FORM, HOSTILE_VALUES, JSON_TYPE, runBadInputCases, sendRaw, assertRefusedCleanly } from '../support/bad-input.ts';
import type { BadRequest } from '../support/bad-input.ts';
import { snapshotDatabase } from '../support/snapshot.ts';

const PATHS = ['/oauth2/token', '/application/o/token/', '/t/acme/oauth2/token'];
const PARAMETERS = ['grant_type', 'client_id', 'client_secret', 'scope', 'code', 'redirect_uri', 'code_verifier', 'refresh_token', 'username', 'password'];

function form(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

function basic(raw: string): Record<string, string> {
  return { ...FORM, authorization: `Basic ${raw}` };
}

function tokenCases(acme: TenantWithClient): BadRequest[] {
  const valid = { grant_type: 'client_credentials', client_id: acme.clientId, client_secret: acme.clientSecret };
  const cases: BadRequest[] = [];
  for (const path of PATHS) {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) cases.push({ name: `method ${method}`, method, path, headers: FORM, body: form(valid) });
    for (const type of ['text/plain', 'multipart/form-data; boundary=x', 'application/xml', 'application/x-www-form-urlencoded-evil', 'application/json; charset=utf-16']) {
      cases.push({ name: `content type ${type}`, method: 'POST', path, headers: { 'content-type': type }, body: form({ ...valid, client_secret: 'wrong' }) });
    }
    cases.push({ name: 'no content type', method: 'POST', path, body: form(valid) });
    cases.push({ name: 'empty form', method: 'POST', path, headers: FORM, body: '' });
    cases.push({ name: 'bad percent-encoding', method: 'POST', path, headers: FORM, body: 'grant_type=client_credentials&client_id=%E0%A4%A' });
    cases.push({ name: 'non-UTF-8 bytes', method: 'POST', path, headers: FORM, body: Buffer.from([0x67, 0x3d, 0xff, 0xfe, 0x26, 0x61, 0x3d, 0xc3, 0x28]) });
    cases.push({ name: 'percent-encoded non-UTF-8', method: 'POST', path, headers: FORM, body: 'grant_type=%ff%fe&client_id=%c3%28' });
    cases.push({ name: 'repeated grant_type', method: 'POST', path, headers: FORM, body: `${form(valid)}&grant_type=client_credentials` });
    cases.push({ name: 'repeated client_secret', method: 'POST', path, headers: FORM, body: `${form(valid)}&client_secret=x` });
    cases.push({ name: 'oversized body', method: 'POST', path, headers: FORM, body: `${form(valid)}&pad=${'x'.repeat(80_000)}` });
    cases.push({ name: 'oversized parameter', method: 'POST', path, headers: FORM, body: form({ ...valid, scope: 'x'.repeat(5000) }) });
    cases.push({ name: 'many parameters', method: 'POST', path, headers: FORM, body: Array.from({ length: 3000 }, (_, i) => `p${i}=v`).join('&') });
    cases.push({ name: 'JSON array', method: 'POST', path, headers: JSON_TYPE, body: '[]' });
    cases.push({ name: 'JSON null', method: 'POST', path, headers: JSON_TYPE, body: 'null' });
    cases.push({ name: 'JSON number values', method: 'POST', path, headers: JSON_TYPE, body: JSON.stringify({ ...valid, client_secret: 12345 }) });
    cases.push({ name: 'JSON nested object', method: 'POST', path, headers: JSON_TYPE, body: JSON.stringify({ ...valid, scope: { $ne: null } }) });
    cases.push({ name: 'JSON deeply nested', method: 'POST', path, headers: JSON_TYPE, body: `{"grant_type":${'['.repeat(20_000)}${']'.repeat(20_000)}}` });
    cases.push({ name: 'JSON truncated', method: 'POST', path, headers: JSON_TYPE, body: '{"grant_type": "client_credentials", "client_id": "' });
    cases.push({ name: 'JSON with __proto__', method: 'POST', path, headers: JSON_TYPE, body: `{"__proto__": {"admin": true}, "grant_type": "client_credentials", "client_id": "${acme.clientId}"}` });
    cases.push({ name: 'Basic: not base64', method: 'POST', path, headers: basic('%%%'), body: form({ grant_type: 'client_credentials' }) });
    cases.push({ name: 'Basic: no colon', method: 'POST', path, headers: basic(Buffer.from(acme.clientId).toString('base64')), body: form({ grant_type: 'client_credentials' }) });
    cases.push({ name: 'Basic: empty id', method: 'POST', path, headers: basic(Buffer.from(':secret').toString('base64')), body: form({ grant_type: 'client_credentials' }) });
    cases.push({ name: 'Basic: bad percent-encoding', method: 'POST', path, headers: basic(Buffer.from('%zz:%zz').toString('base64')), body: form({ grant_type: 'client_credentials' }) });
    cases.push({ name: 'Basic: huge', method: 'POST', path, headers: basic('A'.repeat(6000)), body: form({ grant_type: 'client_credentials' }) });
    cases.push({ name: 'Bearer instead of Basic', method: 'POST', path, headers: { ...FORM, authorization: 'Bearer abc' }, body: form({ grant_type: 'client_credentials' }) });
    for (const missing of ['grant_type', 'client_id']) {
      const params: Record<string, string> = { ...valid };
      delete params[missing];
      cases.push({ name: `missing ${missing}`, method: 'POST', path, headers: FORM, body: form(params) });
    }
  }
  for (const value of HOSTILE_VALUES) {
    for (const parameter of PARAMETERS) {
      // A hostile value in each parameter of an otherwise wrong request (the secret is wrong, so nothing may succeed).
      cases.push({ name: `hostile ${parameter}=${JSON.stringify(value).slice(0, 30)}`, method: 'POST', path: '/oauth2/token', headers: FORM, body: form({ ...valid, client_secret: 'wrong', [parameter]: value }) });
    }
    cases.push({ name: `hostile tenant slug ${JSON.stringify(value).slice(0, 30)}`, method: 'POST', path: `/t/${encodeURIComponent(value)}/oauth2/token`, headers: FORM, body: form(valid) });
  }
  return cases;
}

for (const dialect of DIALECTS) {
  describe(`token endpoint bad input (${dialect})`, () => {
    let server: TestServer;
    let acme: TenantWithClient;
    before(async () => {
      // Limits off: this suite sends hundreds of requests from one address on purpose.
      server = await startTestServer(dialect, { LATCHKEY_RATE_LIMIT_PER_CLIENT: '0', LATCHKEY_RATE_LIMIT_PER_IP: '0' });
      acme = await createTenantWithClient(server, 'acme');
    });
    after(() => server.stop());

    it('refuses every generated malformed request with a 4xx JSON error and changes nothing', async () => {
      const count = await runBadInputCases(server.url, server.ctx.db, dialect, tokenCases(acme));
      assert.ok(count >= 280, `the generator shrank to ${count} cases`);
    });

    it('refuses random form and JSON bodies (property-based) and changes nothing', async () => {
      const before = await snapshotDatabase(server.ctx.db, dialect);
      const value = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom(...HOSTILE_VALUES), fc.constant(acme.clientId));
      const body = fc.dictionary(fc.oneof(fc.constantFrom(...PARAMETERS), fc.string({ minLength: 1, maxLength: 20 })), value, { maxKeys: 8 });
      await fc.assert(
        fc.asyncProperty(body, fc.boolean(), async (params, asJson) => {
          // Never the right secret, so no request may succeed.
          if (params.client_secret === acme.clientSecret) delete params.client_secret;
          const request: BadRequest = asJson
            ? { name: 'random JSON', method: 'POST', path: '/oauth2/token', headers: JSON_TYPE, body: JSON.stringify(params) }
            : { name: 'random form', method: 'POST', path: '/oauth2/token', headers: FORM, body: new URLSearchParams(params).toString() };
          assertRefusedCleanly(request, await sendRaw(server.url, request));
        }),
        { numRuns: 150 },
      );
      assert.deepEqual(await snapshotDatabase(server.ctx.db, dialect), before);
    });
  });
}
