/**
 * Bad input at the admin API, generated from the route table itself (`ADMIN_ROUTES`) so a new route is covered
 * the day it is added: no or broken credentials (401 with a Bearer challenge), wrong JSON types, unknown
 * properties, huge and deeply nested JSON, broken JSON, wrong content types and methods, and hostile path
 * parameters and string fields (SQL and HTML metacharacters, path traversal). Refusals are 4xx JSON and change
 * nothing; hostile strings that are valid data are stored and read back byte for byte (property-based).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DIALECTS } from '../support/databases.ts';
import { createTenantWithClient, startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { adminCaller } from '../support/admin.ts';
import type { AdminCaller } from '../support/admin.ts';
import { HOSTILE_VALUES, JSON_TYPE, MARKUP_PROBE, assertRefusedCleanly, runBadInputCases, sendRaw } from '../support/bad-input.ts';
import type { BadRequest } from '../support/bad-input.ts';
import { snapshotDatabase } from '../support/snapshot.ts';
import { misTypedBodies } from '../support/wrong-json-types.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { ADMIN_ROUTES } from '../../src/admin/routes.ts';
import type { AdminRoute } from '../../src/admin/admin-route.ts';
import type { JsonSchema } from '../../src/admin/json-schema.ts';

const PREFIX = '/admin/v1';
const PATH_HOSTILE = ['..', '.%2e', '..%2f..%2fetc%2fpasswd', '%2e%2e', "' OR '1'='1", '1; drop table users', '%3Cscript%3Ealert(1)%3C%2Fscript%3E', '%00', 'x'.repeat(190), '%F0%9F%98%80', '%ff%fe', '*', '%25'];

function fill(path: string, values: Record<string, string>, fallback: string): string {
  return `${PREFIX}${path.replace(/:([A-Za-z]+)/g, (_m, name: string) => values[name] ?? fallback)}`;
}

interface PropertySchema {
  readonly type?: string | readonly string[];
}

function propertiesOf(schema: JsonSchema | undefined): Record<string, PropertySchema> {
  return ((schema as { properties?: Record<string, PropertySchema> } | undefined)?.properties ?? {});
}

function typesOf(property: PropertySchema): string[] {
  return property.type === undefined ? [] : typeof property.type === 'string' ? [property.type] : [...property.type];
}

/** Values of the wrong JSON type, sent next to an unknown property (see misTypedCases for each alone). */
function wrongTypes(property: PropertySchema): unknown[] {
  const types = typesOf(property);
  const wrong: unknown[] = [];
  if (!types.includes('object')) wrong.push({ $ne: null }, { $gt: '' });
  if (!types.includes('array')) wrong.push(['a', 'b']);
  if (types.includes('object') || types.includes('array')) wrong.push(7);
  if (types.includes('integer') || types.includes('number')) wrong.push('not a number', '1e400');
  return wrong;
}

function json(name: string, method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = JSON_TYPE): BadRequest {
  return { name, method, path, headers: { ...headers, authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) };
}

function adminCases(routes: readonly AdminRoute[], token: string): BadRequest[] {
  const cases: BadRequest[] = [];
  // Real tenant, ids that exist nowhere: bodies are validated before the handler, so validation must refuse.
  const real = { tenant: 'acme' };
  for (const route of routes.filter((r) => !r.public)) {
    const label = `${route.method} ${route.path}`;
    const path = fill(route.path, real, 'no-such-id');
    const noBody = route.method === 'GET' || route.method === 'DELETE';
    cases.push({ name: `${label}: no token`, method: route.method, path, ...(noBody ? {} : { headers: JSON_TYPE, body: '{}' }) });
    for (const authorization of ['Bearer', 'Bearer not-a-jwt', `Basic ${Buffer.from('a:b').toString('base64')}`, `Bearer ${token.slice(0, -6)}AAAAAA`, `Bearer ${token} ${token}`, token]) {
      cases.push({ name: `${label}: Authorization ${authorization.slice(0, 20)}`, method: route.method, path, headers: { ...JSON_TYPE, authorization }, ...(noBody ? {} : { body: '{}' }) });
    }
    // Hostile values in each path parameter (the rest real or missing): not found or refused, never more.
    for (const param of route.path.match(/:[A-Za-z]+/g) ?? []) {
      for (const value of PATH_HOSTILE) {
        cases.push(json(`${label}: hostile ${param}=${value.slice(0, 20)}`, route.method, fill(route.path, { ...real, [param.slice(1)]: value }, 'no-such-id'), token, noBody ? undefined : { name: 'x' }));
      }
    }
    if (noBody) continue;
    const properties = propertiesOf(route.body);
    for (const body of ['[]', '"text"', '123', 'null', '{', '{"name": "x",}', "{'name': 'x'}", '{"name": "x"} trailing', `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`, `{"a":${'{"b":'.repeat(3000)}1${'}'.repeat(3000)}}`]) {
      cases.push(json(`${label}: body ${body.slice(0, 20)}`, route.method, path, token, body));
    }
    if (route.body !== undefined) {
      cases.push(json(`${label}: unknown property`, route.method, path, token, { unknown_property: 'x', is_admin: true }));
      cases.push(json(`${label}: __proto__`, route.method, path, token, '{"__proto__": {"admin_role": "super_admin"}, "constructor": {"prototype": {"x": 1}}}'));
      cases.push(json(`${label}: huge JSON`, route.method, path, token, { name: 'x', pad: 'x'.repeat(2_000_000) }));
      cases.push(json(`${label}: many properties`, route.method, path, token, Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`p${i}`, i]))));
    }
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16']) {
      const request = json(`${label}: content type ${type}`, route.method, path, token, 'name=x', { 'content-type': type });
      // JSON is UTF-8 (RFC 8259 §8.1): a body really encoded as UTF-16 cannot parse, whatever the label says.
      cases.push(type.includes('json') ? { ...request, body: Buffer.from('{"name":"x"}', 'utf16le') } : request);
    }
    cases.push(json(`${label}: non-UTF-8 JSON`, route.method, path, token, undefined));
    cases[cases.length - 1] = { ...cases[cases.length - 1]!, body: Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) };
    for (const [name, property] of Object.entries(properties)) {
      for (const value of wrongTypes(property)) cases.push(json(`${label}: ${name} as ${JSON.stringify(value).slice(0, 20)}`, route.method, path, token, { [name]: value, unknown_property: 1 }));
      // Hostile strings in every field, where the target does not exist (or, for top-level collections, the body
      // carries an unknown property): still only a refusal. Valid hostile data is the property-based test's job.
      for (const value of HOSTILE_VALUES) {
        const extra = route.path.includes(':') ? {} : { unknown_property: 1 };
        cases.push(json(`${label}: hostile ${name} ${JSON.stringify(value).slice(0, 20)}`, route.method, fill(route.path, { tenant: 'no-such-tenant' }, 'no-such-id'), token, { [name]: value, ...extra }));
      }
    }
  }
  // Wrong methods on real collections and items, and paths that are not routes.
  for (const [method, path] of [['PUT', '/tenants'], ['DELETE', '/tenants'], ['PATCH', '/tenants/acme/users'], ['POST', '/tenants/acme'], ['PUT', '/tenants/acme/groups'], ['POST', '/audit-events'], ['GET', '/../../etc/passwd'], ['GET', '/tenants/acme/../ops'], ['DELETE', '/tenants/ops/groups/../../acme'], ['GET', '/%2e%2e/%2e%2e/metrics'], ['TRACE', '/tenants']] as const) {
    cases.push(json(`${method} ${path}`, method, `${PREFIX}${path}`, token, method === 'GET' || method === 'TRACE' || method === 'DELETE' ? undefined : { name: 'x' }));
  }
  // Bad query strings on list routes.
  // (A cursor is a keyset lower bound, so any short string is a valid one; see the metacharacter test below.)
  for (const query of ['limit=-1', 'limit=abc', 'limit=100000', 'limit=1&limit=2', `cursor=${'x'.repeat(5000)}`, 'limit[$gt]=1']) {
    for (const list of ['/tenants', '/tenants/acme/users', '/tenants/acme/groups', '/audit-events']) cases.push(json(`GET ${list}?${query.slice(0, 20)}`, 'GET', `${PREFIX}${list}?${query}`, token));
  }
  return cases;
}

/** Real path ids and body references, so that a mis-typed body the server coerced into a valid one would change something. */
interface Targets {
  readonly path: Record<string, string>;
  readonly body: Record<string, unknown>;
}

async function createTargets(root: AdminCaller): Promise<Targets> {
  const created = async (path: string, body: unknown, id = 'id'): Promise<string> => {
    const response = await root.call('POST', path, body);
    assert.equal(response.status, 201, `${path}: ${JSON.stringify(response.body)}`);
    return String(response.body[id]);
  };
  const userId = await created('/tenants/acme/users', { email: 'target@acme.test' });
  return {
    path: {
      tenant: 'acme',
      partnerId: await created('/partners', { slug: 'target-partner' }),
      userId,
      groupId: await created('/tenants/acme/groups', { name: 'target group' }),
      roleId: await created('/tenants/acme/roles', { name: 'target role' }),
      clientId: await created('/tenants/acme/clients', { name: 'target client' }, 'client_id'),
      keyId: await created('/tenants/acme/api-keys', { owner_user_id: userId }),
    },
    body: { owner_user_id: userId },
  };
}

/** Regression (bodies were validated with type coercion): each wrong JSON type alone, in an otherwise valid body, at a real target. */
function misTypedCases(routes: readonly AdminRoute[], token: string, targets: Targets): BadRequest[] {
  return routes.flatMap((route) =>
    route.body === undefined
      ? []
      : misTypedBodies(route.body, targets.body).map(({ label, body }) => ({ ...json(`${route.method} ${route.path}: ${label}`, route.method, fill(route.path, targets.path, 'no-such-id'), token, body), status: 400 })),
  );
}

for (const dialect of DIALECTS) {
  describe(`admin API bad input (${dialect})`, () => {
    let server: TestServer;
    let root: AdminCaller;
    before(async () => {
      server = await startTestServer(dialect, { LATCHKEY_RATE_LIMIT_PER_CLIENT: '0', LATCHKEY_RATE_LIMIT_PER_IP: '0', LATCHKEY_ADMIN_RATE_LIMIT_PER_PRINCIPAL: '0' });
      root = await adminCaller(server, await createTenant(server.ctx, { slug: 'ops' }), 'super_admin');
      await createTenantWithClient(server, 'acme');
    });
    after(() => server.stop());

    it('refuses every generated malformed admin request with a 4xx JSON error and changes nothing', async (t) => {
      const cases = adminCases(ADMIN_ROUTES, root.token);
      const count = await runBadInputCases(server.url, server.ctx.db, dialect, cases);
      assert.ok(count >= 1000, `the generator shrank to ${count} cases`);
      t.diagnostic(`${count} cases`);
    });

    it('refuses a body property of the wrong JSON type with 400 instead of coercing it, and changes nothing', async (t) => {
      const cases = misTypedCases(ADMIN_ROUTES, root.token, await createTargets(root));
      const count = await runBadInputCases(server.url, server.ctx.db, dialect, cases);
      assert.ok(count >= 300, `the generator shrank to ${count} cases`);
      t.diagnostic(`${count} cases`);
    });

    it('refuses {"name": true} rather than naming a group "true"', async () => {
      const before = await snapshotDatabase(server.ctx.db, dialect);
      const created = await root.call('POST', '/tenants/acme/groups', { name: true });
      assert.equal(created.status, 400, JSON.stringify(created.body));
      assert.equal(created.body.error, 'invalid_request');
      assert.match(String(created.body.error_description), /name/);
      assert.deepEqual(await snapshotDatabase(server.ctx.db, dialect), before);
    });

    it('refuses a lone string where an array is expected rather than wrapping it in one', async () => {
      const before = await snapshotDatabase(server.ctx.db, dialect);
      const created = await root.call('POST', '/tenants/acme/roles', { name: 'mailer', permissions: 'mail.send' });
      assert.equal(created.status, 400, JSON.stringify(created.body));
      assert.equal(created.body.error, 'invalid_request');
      assert.match(String(created.body.error_description), /permissions/);
      assert.deepEqual(await snapshotDatabase(server.ctx.db, dialect), before);
    });

    it('still reads query parameters as the types they declare (?limit=1 is the integer 1)', async () => {
      const page = await root.call('GET', '/tenants?limit=1');
      assert.equal(page.status, 200, JSON.stringify(page.body));
      assert.equal((page.body.data as unknown[]).length, 1);
      assert.equal(typeof page.body.next_cursor, 'string');
    });

    it('treats metacharacters in a list cursor as data: a page, never an error or a leak', async () => {
      for (const cursor of ["' OR 1=1 --", '%E0%A4%A', '%00', MARKUP_PROBE, '\u0000']) {
        const response = await sendRaw(server.url, json('cursor', 'GET', `${PREFIX}/tenants/acme/groups?cursor=${encodeURIComponent(cursor)}`, root.token));
        assert.ok(response.status === 200 || (response.status >= 400 && response.status < 500), `${cursor}: ${response.status} ${response.body}`);
        assert.ok(!response.body.includes('<script>alert(1)'));
      }
      const sql = await root.call('GET', `/tenants?cursor=${encodeURIComponent("' OR 1=1 --")}`);
      assert.equal(sql.status, 200);
      assert.ok(Array.isArray(sql.body.data));
    });

    it('answers every protected route without a token with 401 and a Bearer challenge', async () => {
      for (const route of ADMIN_ROUTES.filter((r) => !r.public)) {
        const request: BadRequest = { name: `${route.method} ${route.path} without token`, method: route.method, path: fill(route.path, { tenant: 'acme' }, 'no-such-id') };
        const response = await sendRaw(server.url, request);
        assertRefusedCleanly(request, response);
        assert.equal(response.status, 401, request.name);
        assert.equal(response.headers['www-authenticate'], 'Bearer realm="latchkey-admin"', request.name);
      }
    });

    it('stores hostile strings that are valid data verbatim and reads them back unchanged (property-based)', async () => {
      const text = fc.oneof(fc.constantFrom(...HOSTILE_VALUES.filter((v) => !v.includes('\0') && v.length <= 190)), fc.string({ minLength: 1, maxLength: 100 }).filter((s) => !s.includes('\0')));
      let run = 0;
      await fc.assert(
        fc.asyncProperty(text, text, async (hostile, description) => {
          // A numbered prefix keeps every name unique (no 409) and valid (never blank): every one must be stored.
          const name = `${++run} ${hostile}`;
          const created = await root.call('POST', '/tenants/acme/groups', { name, description });
          assert.equal(created.status, 201, `${created.status} ${JSON.stringify(created.body)}`);
          const read = await root.call('GET', `/tenants/acme/groups/${encodeURIComponent(String(created.body.id))}`);
          assert.equal(read.status, 200);
          // Names are stored trimmed (field-checks.ts); descriptions verbatim, an empty one as null.
          assert.equal(read.body.name, name.trim());
          assert.equal(read.body.description, description === '' ? null : description);
          const updated = await root.call('PATCH', `/tenants/acme/groups/${encodeURIComponent(String(created.body.id))}`, { description: hostile });
          assert.equal(updated.status, 200, JSON.stringify(updated.body));
          const reread = await root.call('GET', `/tenants/acme/groups/${encodeURIComponent(String(created.body.id))}`);
          assert.equal(reread.body.description, hostile === '' ? null : hostile);
        }),
        { numRuns: 40 },
      );
      // The metacharacters did nothing to the tables around them.
      assert.equal((await root.call('GET', '/tenants/acme')).status, 200);
    });
  });
}
