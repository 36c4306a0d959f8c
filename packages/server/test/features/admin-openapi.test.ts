/**
 * The admin API's OpenAPI 3.1 document: served without credentials, structurally valid (version, unique
 * operation ids, responses everywhere, path parameters declared, every $ref resolving) and complete: every admin
 * route Fastify really serves appears in it with the same method, and nothing else does.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { registeredRoutes } from '../support/fastify-routes.ts';

type Json = Record<string, unknown>;

function resolvePointer(document: Json, ref: string): unknown {
  assert.ok(ref.startsWith('#/'), `only local references are used: ${ref}`);
  let node: unknown = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object' || !(key in (node as Json))) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

function collectRefs(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) collectRefs(item, found);
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else collectRefs(value, found);
    }
  }
  return found;
}

const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

function checkSchema(schema: unknown, where: string): void {
  if (schema === null || typeof schema !== 'object') return;
  const s = schema as Json;
  assert.equal(s.nullable, undefined, `${where}: "nullable" is OpenAPI 3.0; 3.1 uses type arrays`);
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    for (const type of types) assert.ok(JSON_TYPES.has(type as string), `${where}: unknown type ${String(type)}`);
  }
  if (Array.isArray(s.required)) for (const name of s.required as string[]) assert.ok(s.properties && name in (s.properties as Json), `${where}: required "${name}" is not a property`);
  for (const [name, property] of Object.entries((s.properties ?? {}) as Json)) checkSchema(property, `${where}.${name}`);
  if (s.items) checkSchema(s.items, `${where}[]`);
}

for (const dialect of DIALECTS) {
  describe(`admin OpenAPI document (${dialect})`, () => {
    let server: TestServer;
    let document: Json;

    before(async () => {
      server = await startTestServer(dialect);
      const response = await fetch(`${server.url}/admin/v1/openapi.json`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /application\/json/);
      document = (await response.json()) as Json;
    });
    after(() => server.stop());

    it('is OpenAPI 3.1 with info, servers, a bearer security scheme and paths', () => {
      assert.match(String(document.openapi), /^3\.1\.\d+$/);
      const info = document.info as Json;
      assert.equal(typeof info.title, 'string');
      assert.equal(typeof info.version, 'string');
      assert.equal((document.servers as Json[])[0]!.url, `${server.ctx.config.baseUrl}/admin/v1`);
      const schemes = (document.components as Json).securitySchemes as Json;
      assert.deepEqual({ ...(schemes.bearer as Json), description: undefined }, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: undefined });
      assert.ok(Object.keys(document.paths as Json).length > 20);
    });

    it('gives every operation a unique id, a success response, error responses and its path parameters', () => {
      const ids = new Set<string>();
      for (const [path, item] of Object.entries(document.paths as Json)) {
        assert.ok(path.startsWith('/'), path);
        const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
        for (const [method, raw] of Object.entries(item as Json)) {
          const operation = raw as Json;
          assert.ok(['get', 'put', 'post', 'patch', 'delete'].includes(method), `${method} ${path}`);
          assert.equal(typeof operation.operationId, 'string');
          assert.ok(!ids.has(operation.operationId as string), `duplicate operationId ${String(operation.operationId)}`);
          ids.add(operation.operationId as string);
          const responses = operation.responses as Json;
          assert.ok(Object.keys(responses).some((status) => /^2\d\d$/.test(status)), `${method} ${path} has no success response`);
          for (const [status, response] of Object.entries(responses)) {
            assert.match(status, /^[1-5]\d\d$/);
            const r = response as Json;
            assert.ok(typeof r.description === 'string' || typeof r.$ref === 'string', `${method} ${path} ${status} needs a description`);
            // JSON everywhere, except the audit log's CSV export (text/csv).
            for (const [type, media] of Object.entries((r.content ?? {}) as Json)) {
              assert.ok(type === 'application/json' || type === 'text/csv', `${method} ${path} ${status}: ${type}`);
              checkSchema((media as Json).schema, `${method} ${path} ${status}`);
            }
          }
          if (operation.security === undefined) assert.ok('401' in responses && '403' in responses && '404' in responses, `${method} ${path} documents no auth errors`);
          const parameters = (operation.parameters ?? []) as Json[];
          const inPath = parameters.filter((p) => p.in === 'path').map((p) => p.name);
          assert.deepEqual([...inPath].sort(), [...templated].sort(), `${method} ${path} path parameters`);
          for (const parameter of parameters) {
            assert.ok(['path', 'query'].includes(parameter.in as string));
            if (parameter.in === 'path') assert.equal(parameter.required, true);
            assert.ok(parameter.schema, `${method} ${path} parameter ${String(parameter.name)} has no schema`);
          }
          if (operation.requestBody) checkSchema((((operation.requestBody as Json).content as Json)['application/json'] as Json).schema, `${method} ${path} body`);
          if (method === 'patch') assert.ok(operation.requestBody, `${method} ${path} has no request body`);
        }
      }
    });

    it('resolves every $ref inside the document', () => {
      const refs = collectRefs(document);
      assert.ok(refs.length > 50);
      for (const ref of new Set(refs)) assert.notEqual(resolvePointer(document, ref), undefined, `unresolved ${ref}`);
      for (const [name, schema] of Object.entries(((document.components as Json).schemas ?? {}) as Json)) checkSchema(schema, name);
    });

    it('lists exactly the admin routes Fastify serves', () => {
      const served = registeredRoutes(server.app)
        .filter((r) => r.url.startsWith('/admin/v1/') && r.method !== 'HEAD' && r.method !== 'OPTIONS')
        .map((r) => `${r.method} ${r.url.slice('/admin/v1'.length).replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`)
        .sort();
      const documented = Object.entries(document.paths as Json)
        .flatMap(([path, item]) => Object.keys(item as Json).map((method) => `${method.toUpperCase()} ${path}`))
        .sort();
      assert.ok(served.length > 40, `only ${served.length} admin routes found in Fastify`);
      assert.deepEqual(documented, served);
    });
  });
}
