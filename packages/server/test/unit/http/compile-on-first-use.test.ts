import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { serializeOnFirstUse, validateOnFirstUse } from '../../../src/http/compile-on-first-use.ts';
import type { ValidatorFactory } from '../../../src/http/compile-on-first-use.ts';
import { buildRequestValidator } from '../../../src/http/request-validation.ts';

/** Latchkey's request validator factory, counting the route parts it compiles. */
function countingValidator(compiled: string[]): ValidatorFactory {
  const real = buildRequestValidator() as unknown as (...args: unknown[]) => (route: { url: string; httpPart: string }) => unknown;
  return ((externalSchemas: unknown, options: unknown) => {
    const compile = real(externalSchemas, options);
    return (route: { url: string; httpPart: string }) => {
      compiled.push(`${route.url} ${route.httpPart}`);
      return compile(route);
    };
  }) as unknown as ValidatorFactory;
}

async function appWith(compiled: string[]) {
  const app = Fastify({
    ajv: { customOptions: { removeAdditional: false } },
    schemaController: { compilersFactory: { buildValidator: validateOnFirstUse(countingValidator(compiled)), buildSerializer: serializeOnFirstUse() } },
  });
  const body = { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string' } } };
  const response = { 201: { type: 'object', properties: { name: { type: 'string' } } } };
  app.post('/things', { schema: { body, response } }, async (request, reply) => reply.code(201).send({ ...(request.body as object), secret: 'not in the schema' }));
  app.post('/others', { schema: { body } }, async () => ({ ok: true }));
  await app.ready();
  return app;
}

describe('route schemas compiled on first use', () => {
  it('compiles nothing before the first request, then each route part once', async () => {
    const compiled: string[] = [];
    const app = await appWith(compiled);
    assert.deepEqual(compiled, []);
    for (let i = 0; i < 3; i++) assert.equal((await app.inject({ method: 'POST', url: '/things', payload: { name: 'a' } })).statusCode, 201);
    assert.deepEqual(compiled, ['/things body']);
    await app.close();
  });

  it('refuses what the schema refuses, with Ajv\'s errors carried over (no coercion of a JSON body)', async () => {
    const app = await appWith([]);
    const wrongType = await app.inject({ method: 'POST', url: '/things', payload: { name: true } });
    assert.equal(wrongType.statusCode, 400);
    assert.match(wrongType.json().message, /body\/name must be string/);
    const unknown = await app.inject({ method: 'POST', url: '/others', payload: { name: 'a', extra: 1 } });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.json().message, /must NOT have additional properties/);
    // A later valid request on the same route passes: the errors of the failed one do not stick.
    assert.equal((await app.inject({ method: 'POST', url: '/things', payload: { name: 'b' } })).statusCode, 201);
    await app.close();
  });

  it('serializes responses through the route\'s response schema (properties outside it are not sent)', async () => {
    const app = await appWith([]);
    const reply = await app.inject({ method: 'POST', url: '/things', payload: { name: 'a' } });
    assert.deepEqual(reply.json(), { name: 'a' });
    await app.close();
  });
});
