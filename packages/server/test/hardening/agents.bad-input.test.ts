/**
 * Bad input at the agent endpoints of issue 20: the registration endpoint (RFC 7591/7592), the token exchange
 * grant (RFC 8693), `resource` (RFC 8707) and client_id metadata document URLs. Hostile values in every field
 * and parameter, wrong shapes, methods and content types: every answer a 4xx JSON error within the harness's
 * 10 s, and the database exactly as before (nothing registered, nothing issued).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { FORM, HOSTILE_VALUES, JSON_TYPE, runBadInputCases } from '../support/bad-input.ts';
import type { BadRequest } from '../support/bad-input.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { createClient } from '../../src/directory/clients.ts';
import { createApiResource } from '../../src/resources/api-resources.ts';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const API_KEY_TYPE = 'urn:latchkey:params:oauth:token-type:api-key';
const RESOURCE = 'https://mail.example.com/api';
const REGISTRATION_FIELDS = ['client_name', 'redirect_uris', 'grant_types', 'response_types', 'token_endpoint_auth_method', 'scope', 'client_uri', 'logo_uri', 'contacts'];

function form(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

for (const dialect of DIALECTS) {
  describe(`agent endpoints refuse bad input cleanly (${dialect})`, () => {
    let server: TestServer;
    let exchanger: { id: string; secret: string };

    before(async () => {
      server = await startTestServer(dialect);
      const tenant = await createTenant(server.ctx, { slug: 'acme', name: 'Acme', settings: { client_registration: { enabled: true, open: true }, client_id_metadata_documents: true } });
      await createTenant(server.ctx, { slug: 'closed', name: 'Closed', settings: { client_registration: { enabled: true } } });
      await createApiResource(server.ctx.db, tenant, { identifier: RESOURCE, scopes: ['mail.read'], allClients: true }, server.ctx.now());
      const created = await createClient(server.ctx, tenant, { name: 'gateway', grantTypes: [TOKEN_EXCHANGE] });
      exchanger = { id: created.client.clientId, secret: created.clientSecret! };
    });
    after(() => server.stop());

    it('registration endpoint', async () => {
      const valid = { client_name: 'x', redirect_uris: ['https://agent.example.com/cb'], token_endpoint_auth_method: 'none' };
      const path = '/t/acme/oauth2/register';
      const cases: BadRequest[] = [
        { name: 'form body', method: 'POST', path, headers: FORM, body: form({ client_name: 'x' }) },
        { name: 'no content type', method: 'POST', path, body: JSON.stringify(valid) },
        { name: 'JSON null', method: 'POST', path, headers: JSON_TYPE, body: 'null' },
        { name: 'JSON string', method: 'POST', path, headers: JSON_TYPE, body: '"x"' },
        { name: 'JSON truncated', method: 'POST', path, headers: JSON_TYPE, body: '{"client_name":' },
        { name: 'JSON deeply nested', method: 'POST', path, headers: JSON_TYPE, body: `{"contacts":${'['.repeat(10_000)}${']'.repeat(10_000)}}` },
        { name: '__proto__', method: 'POST', path, headers: JSON_TYPE, body: '{"__proto__":{"open":true},"redirect_uris":"x"}' },
        { name: 'oversized', method: 'POST', path, headers: JSON_TYPE, body: JSON.stringify({ ...valid, client_name: 'x'.repeat(100_000) }) },
        { name: 'closed tenant without token', method: 'POST', path: '/t/closed/oauth2/register', headers: JSON_TYPE, body: JSON.stringify(valid), status: 401 },
        { name: 'closed tenant, hostile token', method: 'POST', path: '/t/closed/oauth2/register', headers: { ...JSON_TYPE, authorization: `Bearer ${"' OR '1'='1"}` }, body: JSON.stringify(valid), status: 401 },
        { name: 'unknown tenant', method: 'POST', path: '/t/nope/oauth2/register', headers: JSON_TYPE, body: JSON.stringify(valid) },
        { name: 'management without token', method: 'GET', path: '/t/acme/oauth2/register/abc' },
        { name: 'management, hostile id', method: 'DELETE', path: `/t/acme/oauth2/register/${encodeURIComponent("'; drop table clients; --")}`, headers: { authorization: 'Bearer lkrat_x' } },
        { name: 'management PUT, no token', method: 'PUT', path: '/t/acme/oauth2/register/abc', headers: JSON_TYPE, body: JSON.stringify(valid) },
      ];
      for (const field of REGISTRATION_FIELDS) {
        for (const value of HOSTILE_VALUES) {
          // Free-text fields (a name, contacts) may hold anything: a bad redirect URI makes those requests bad.
          const freeText = field === 'client_name' || field === 'contacts';
          const hostile = { ...valid, ...(freeText ? { redirect_uris: [value] } : {}), [field]: field === 'redirect_uris' || field === 'contacts' || field.endsWith('_types') ? [value] : value };
          cases.push({ name: `${field} = ${value.slice(0, 20)}`, method: 'POST', path, headers: JSON_TYPE, body: JSON.stringify(hostile) });
        }
        cases.push({ name: `${field} as a number`, method: 'POST', path, headers: JSON_TYPE, body: JSON.stringify({ ...valid, [field]: 42, redirect_uris: field === 'redirect_uris' ? 42 : ['javascript:alert(1)'] }) });
      }
      assert.ok(await runBadInputCases(server.url, server.ctx.db, dialect, cases) > 150);
    });

    it('token exchange, resource and metadata-document client ids', async () => {
      const auth = { ...FORM, authorization: `Basic ${Buffer.from(`${exchanger.id}:${exchanger.secret}`).toString('base64')}` };
      const valid = { grant_type: TOKEN_EXCHANGE, subject_token: 'sg_live_unknown0000000000000000', subject_token_type: API_KEY_TYPE, resource: RESOURCE };
      const path = '/t/acme/oauth2/token';
      const cases: BadRequest[] = [];
      for (const name of ['subject_token', 'subject_token_type', 'resource', 'audience', 'scope', 'actor_token', 'actor_token_type', 'requested_token_type']) {
        for (const value of HOSTILE_VALUES) cases.push({ name: `${name} = ${value.slice(0, 20)}`, method: 'POST', path, headers: auth, body: form({ ...valid, [name]: value }) });
      }
      for (const value of HOSTILE_VALUES) {
        cases.push({ name: `resource at client_credentials = ${value.slice(0, 20)}`, method: 'POST', path, headers: auth, body: form({ grant_type: 'client_credentials', resource: value }) });
        cases.push({ name: `metadata document client_id ${value.slice(0, 20)}`, method: 'POST', path, headers: FORM, body: form({ grant_type: 'authorization_code', code: 'x', redirect_uri: 'https://a.example/cb', client_id: `https://agent.example.com/${value}` }) });
      }
      for (const clientId of ['https://127.0.0.1/c.json', 'https://10.0.0.1/c.json', 'https://[::1]/c.json', 'https://169.254.169.254/latest', 'http://agent.example.com/c.json', 'https://user:pw@agent.example.com/c.json', `https://agent.example.com/${'a'.repeat(600)}`]) {
        cases.push({ name: `metadata document ${clientId.slice(0, 40)}`, method: 'POST', path, headers: FORM, body: form({ grant_type: 'authorization_code', code: 'x', redirect_uri: 'https://a.example/cb', client_id: clientId }), status: 401 });
        cases.push({ name: `authorize with ${clientId.slice(0, 40)}`, method: 'GET', path: `/t/acme/oauth2/authorize?${form({ response_type: 'code', client_id: clientId, redirect_uri: 'https://a.example/cb' })}`, expect: 'html' });
      }
      cases.push({ name: 'API key with an actor token', method: 'POST', path, headers: auth, body: form({ ...valid, actor_token: 'x', actor_token_type: 'urn:ietf:params:oauth:token-type:access_token' }) });
      cases.push({ name: 'resource and audience differ', method: 'POST', path, headers: auth, body: form({ ...valid, audience: 'https://other.example/' }) });
      cases.push({ name: 'repeated resource', method: 'POST', path, headers: auth, body: `${form(valid)}&resource=https%3A%2F%2Fother.example%2F` });
      cases.push({ name: 'global endpoint with a metadata document client', method: 'POST', path: '/oauth2/token', headers: FORM, body: form({ grant_type: 'authorization_code', code: 'x', redirect_uri: 'https://a.example/cb', client_id: 'https://agent.example.com/c.json' }), status: 401 });
      assert.ok(await runBadInputCases(server.url, server.ctx.db, dialect, cases) > 150);
    });
  });
}
