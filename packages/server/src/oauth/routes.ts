/**
 * Registers the protocol endpoints. They parse bodies themselves (`request-params.ts`) so that a wrong
 * content type or a malformed body is an RFC 6749 `invalid_request`, not a framework error.
 */
import type { FastifyInstance } from 'fastify';
import type { Latchkey } from '../context.ts';
import { requireTenantBySlug } from '../directory/tenants.ts';
import { registerOpenCors } from '../http/cors.ts';
import { tenantMetadata } from './discovery.ts';
import { tokenHandler } from './token.ts';
import { registrationRoutes } from '../resources/registration/routes.ts';
import { exchangeAuditFor } from '../resources/token-exchange/exchange-audit.ts';

type TenantParams = { Params: { tenant: string } };

export async function oauthRoutes(app: FastifyInstance, ctx: Latchkey): Promise<void> {
  registerOpenCors(app);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  const discovery = async (request: { params: { tenant: string } }) => {
    const tenant = await requireTenantBySlug(ctx, request.params.tenant);
    return tenantMetadata(ctx, tenant, await ctx.signingKeys.signingAlgs(tenant.id, tenant.settings.signing_alg));
  };
  app.get<TenantParams>('/t/:tenant/.well-known/openid-configuration', discovery);
  // RFC 8414 §3.1 inserts the well-known segment before the issuer's path; the suffix form is for older clients.
  app.get<TenantParams>('/.well-known/oauth-authorization-server/t/:tenant', discovery);
  app.get<TenantParams>('/.well-known/openid-configuration/t/:tenant', discovery);
  app.get<TenantParams>('/t/:tenant/.well-known/oauth-authorization-server', discovery);

  const jwks = async (request: { params: { tenant: string } }, reply: { header(name: string, value: string): unknown }) => {
    const tenant = await requireTenantBySlug(ctx, request.params.tenant);
    reply.header('Cache-Control', `public, max-age=${Math.max(0, ctx.config.cacheTtl)}`);
    return ctx.signingKeys.jwks(tenant.id);
  };
  app.get<TenantParams>('/t/:tenant/jwks', jwks);
  app.get<TenantParams>('/t/:tenant/.well-known/jwks.json', jwks);
  // Seed 000 validates signatures against `/application/o/<app-slug>/jwks/`.
  app.get<TenantParams>('/application/o/:tenant/jwks', jwks);

  const token = tokenHandler(ctx);
  // Preflight for every protocol endpoint of this group (the onRequest hook above answers it).
  app.options('/t/:tenant/*', async () => undefined);
  app.options('/oauth2/*', async () => undefined);
  app.options('/application/o/*', async () => undefined);
  app.post<TenantParams>('/t/:tenant/oauth2/token', token);
  app.post('/oauth2/token', token);
  // Seed 000: `POST https://login.ask-ai.ca/application/o/token/`.
  app.post('/application/o/token', token);
  registrationRoutes(app, ctx);
  // Token exchange audit events are written in batches (exchange-audit.ts): the last ones on the way out.
  app.addHook('onClose', async () => exchangeAuditFor(ctx).stop());
}
