/**
 * The console's typed client against the admin API's served OpenAPI document (issue 19: the console and the API
 * cannot drift): every operation the console calls exists with the same method and path, and every model the
 * console reads has exactly the fields the API documents.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MODEL_FIELDS, OPERATIONS, operationUrl } from '../src/api.ts';
import { startTestServer } from '../../server/test/support/server.ts';
import type { TestServer } from '../../server/test/support/server.ts';

interface OpenApi {
  readonly paths: Record<string, Record<string, { readonly operationId: string } | undefined> | undefined>;
  readonly components: { readonly schemas: Record<string, { readonly properties: Record<string, unknown> } | undefined> };
}

describe('console API client matches the OpenAPI document', () => {
  let server: TestServer;
  let document: OpenApi;

  before(async () => {
    server = await startTestServer('sqlite');
    document = (await (await fetch(`${server.url}/admin/v1/openapi.json`)).json()) as OpenApi;
  });
  after(() => server.stop());

  it('calls only operations the API documents, with their method and path', () => {
    for (const [operationId, [method, path]] of Object.entries(OPERATIONS)) {
      const operation = document.paths[path]?.[method.toLowerCase()];
      assert.ok(operation, `${method} ${path} is in the document`);
      assert.equal(operation!.operationId, operationId, `${method} ${path} is ${operationId}`);
    }
  });

  it('reads models whose fields are exactly the documented properties', () => {
    const schemas = document.components.schemas;
    for (const [model, fields] of Object.entries(MODEL_FIELDS)) {
      assert.ok(schemas[model], `${model} is a component of the document`);
      assert.deepEqual([...fields].sort(), Object.keys(schemas[model]!.properties).sort(), `fields of ${model}`);
    }
  });

  it('fills path parameters escaped and leaves out empty query values', () => {
    assert.equal(operationUrl('getUser', { path: { tenant: 'acme', userId: 'a/b' } }), '/admin/v1/tenants/acme/users/a%2Fb');
    assert.equal(operationUrl('listUsers', { path: { tenant: 'acme' }, query: { q: 'ada', cursor: undefined, limit: 20 } }), '/admin/v1/tenants/acme/users?q=ada&limit=20');
    assert.throws(() => operationUrl('getUser', { path: { tenant: 'acme' } }), /missing path parameter userId/);
  });
});
