/**
 * Serves the browser SDK (`@latchkey/browser`) as one ES module at `/sdk/latchkey.js` (seed 000: SPAs load the
 * SDK from the identity provider). The SDK is a single self-contained TypeScript file; its types are stripped
 * once, on first request, and the result is cached with an ETag.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Latchkey } from '../context.ts';

interface BuiltSdk {
  readonly code: string;
  readonly etag: string;
}

let built: BuiltSdk | undefined;

function buildSdk(): BuiltSdk {
  const source = readFileSync(fileURLToPath(import.meta.resolve('@latchkey/browser')), 'utf8');
  const code = stripTypeScriptTypes(source, { mode: 'strip' });
  return { code, etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 27)}"` };
}

export async function sdkRoutes(app: FastifyInstance, ctx: Latchkey): Promise<void> {
  app.get('/sdk/latchkey.js', async (request, reply) => {
    built ??= buildSdk();
    // Module scripts are fetched with CORS: SPAs on other origins must be allowed to load it.
    reply.header('Access-Control-Allow-Origin', '*');
    reply.header('Cache-Control', `public, max-age=${Math.max(0, ctx.config.cacheTtl)}`);
    reply.header('ETag', built.etag);
    if (request.headers['if-none-match'] === built.etag) return reply.code(304).send();
    return reply.type('text/javascript; charset=utf-8').send(built.code);
  });
}
