/**
 * Serves the admin console (`packages/console`, issue 19) and the landing page at `/`. The console is plain ES
 * modules with no build step: its TypeScript files have erasable types only, stripped on first request (as
 * `/sdk/latchkey.js` is) and served as JavaScript with an ETag. `src/sdk.ts` is the browser SDK itself, so the
 * console signs in through the same code any single-page app uses.
 *
 * The pages run under a strict CSP: scripts, styles and connections only from this origin, no inline script or
 * style, no eval, no framing. `/console/config.json?tenant=<slug>` names the issuer and built-in client to sign
 * in with (making that client on first use, `directory/console-client.ts`); it tells nothing a tenant's public
 * discovery document does not, and tenants are never listed anywhere public.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import { consoleRedirectUri, ensureConsoleClient } from '../directory/console-client.ts';
import { SYSTEM_TENANT_SLUG } from '../directory/system-tenant.ts';
import { issuerFor } from '../directory/tenant-directory.ts';
import { SLUG_PATTERN } from '../directory/field-checks.ts';
import { NotFound } from '../errors/oauth-error.ts';

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  readonly body: string;
  readonly type: string;
  readonly etag: string;
}

const TYPES: Record<string, string> = { ts: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', html: 'text/html; charset=utf-8', svg: 'image/svg+xml' };
/** What may be asked for: a flat name or one folder deep, known extensions only (no `..`, no dot files). */
const ASSET_PATH = /^(?:public|src)\/(?:[a-z0-9-]+\/)?[a-z0-9-]+\.(ts|css|html|svg)$/;
const assets = new Map<string, Asset>();

function packageFile(relative: string): string {
  return fileURLToPath(import.meta.resolve(`@latchkey/console/${relative}`));
}

function loadAsset(relative: string): Asset | undefined {
  const cached = assets.get(relative);
  if (cached) return cached;
  const match = ASSET_PATH.exec(relative);
  if (!match) return undefined;
  let body: string;
  try {
    body = relative === 'src/sdk.ts'
      ? readFileSync(fileURLToPath(import.meta.resolve('@latchkey/browser')), 'utf8')
      : readFileSync(packageFile(relative), 'utf8');
  } catch {
    return undefined;
  }
  if (match[1] === 'ts') body = stripTypeScriptTypes(body, { mode: 'strip' });
  const asset = { body, type: TYPES[match[1]!]!, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
  assets.set(relative, asset);
  return asset;
}

/** Every file the console serves, as served (the bundle-size test weighs them). */
export function consoleAsset(relative: string): Asset | undefined {
  return loadAsset(relative);
}

function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: Asset, cache: string): FastifyReply {
  reply.header('Content-Security-Policy', CONSOLE_CSP).header('X-Frame-Options', 'DENY').header('Cache-Control', cache).header('ETag', asset.etag);
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.type(asset.type).send(asset.body);
}

export async function consoleRoutes(app: FastifyInstance, ctx: Latchkey): Promise<void> {
  // HTML is revalidated on every load (no-cache + ETag), so a new version shows at once.
  app.get('/', async (request, reply) => sendAsset(request, reply, loadAsset('public/landing.html')!, 'no-cache'));
  // `/console` is the same route (the router ignores a trailing slash).
  app.get('/console/', async (request, reply) => sendAsset(request, reply, loadAsset('public/index.html')!, 'no-cache'));
  app.get<{ Params: { '*': string } }>('/console/*', async (request, reply) => {
    const asset = loadAsset(request.params['*']);
    if (!asset) throw new NotFound('no such console file');
    return sendAsset(request, reply, asset, 'no-cache');
  });
  app.get<{ Querystring: { tenant?: string } }>('/console/config.json', async (request, reply) => {
    const slug = typeof request.query.tenant === 'string' && request.query.tenant !== '' ? request.query.tenant : SYSTEM_TENANT_SLUG;
    const tenant = SLUG_PATTERN.test(slug) ? await ctx.tenants.bySlug(slug) : undefined;
    if (!tenant) {
      throw new NotFound(slug === SYSTEM_TENANT_SLUG ? 'no administrator exists yet: open the link `latchkey serve` printed, or run `latchkey admin bootstrap`' : 'no such tenant');
    }
    const client = await ensureConsoleClient(ctx, tenant);
    reply.header('Cache-Control', 'no-store');
    return { issuer: issuerFor(ctx.config.baseUrl, tenant.slug), client_id: client.clientId, redirect_uri: consoleRedirectUri(ctx.config.baseUrl), tenant: tenant.slug };
  });
}
