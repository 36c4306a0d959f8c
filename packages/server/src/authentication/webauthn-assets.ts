/**
 * The passkey pages' scripts, served by Latchkey itself so the hosted pages' CSP can stay `script-src 'self'`
 * (no CDN, no inline script): `@simplewebauthn/browser`'s ES modules as published, and our small module that
 * runs a ceremony when its button is pressed (or offers passkeys in the login field, conditional mediation).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Latchkey } from '../context.ts';

interface Asset {
  readonly code: string;
  readonly etag: string;
}

let assets: Map<string, Asset> | undefined;

function asset(code: string): Asset {
  return { code, etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 27)}"` };
}

function listModules(root: string): string[] {
  return readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => join(entry.parentPath, entry.name));
}

function loadAssets(): Map<string, Asset> {
  const map = new Map<string, Asset>();
  const entry = fileURLToPath(import.meta.resolve('@simplewebauthn/browser'));
  const root = dirname(entry);
  for (const file of listModules(root)) map.set(`simplewebauthn/${relative(root, file).split(sep).join('/')}`, asset(readFileSync(file, 'utf8')));
  map.set('passkeys.js', asset(readFileSync(fileURLToPath(new URL('./browser/passkeys.js', import.meta.url)), 'utf8')));
  return map;
}

export async function webauthnAssetRoutes(app: FastifyInstance, ctx: Latchkey): Promise<void> {
  app.get('/assets/webauthn/*', async (request, reply) => {
    assets ??= loadAssets();
    const path = (request.params as { '*': string })['*'];
    const found = assets.get(path);
    if (found === undefined) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    reply.header('Cache-Control', `public, max-age=${Math.max(0, ctx.config.cacheTtl)}`);
    reply.header('ETag', found.etag);
    reply.header('X-Content-Type-Options', 'nosniff');
    if (request.headers['if-none-match'] === found.etag) return reply.code(304).send();
    return reply.type('text/javascript; charset=utf-8').send(found.code);
  });
}
