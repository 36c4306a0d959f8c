/**
 * The admin REST API route group (`/admin/v1`): registers every resource's routes with their schemas, the
 * OpenAPI document built from them, and the flush of batched API key usage on shutdown.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import { apiKeyUsageFor } from '../directory/api-key-usage.ts';
import { authenticateAdmin } from './admin-auth.ts';
import type { AdminPrincipal } from './admin-auth.ts';
import { isReadOnly } from './admin-authority.ts';
import { limitAdminCalls } from './admin-rate-limit.ts';
import { AccessDenied } from '../errors/oauth-error.ts';
import { adminRoute } from './admin-route.ts';
import type { AdminRoute } from './admin-route.ts';
import { apiKeyRoutes } from './api-keys.ts';
import { apiResourceRoutes } from './api-resources.ts';
import { tokenExchangePolicyRoutes } from './token-exchange-policies.ts';
import { initialAccessTokenRoutes } from './initial-access-tokens.ts';
import { auditEventRoutes } from './audit-events.ts';
import { brandingRoutes } from './branding.ts';
import { clientRoutes } from './clients.ts';
import { connectionRoutes } from './connections.ts';
import { groupRoutes } from './groups.ts';
import { membershipRoutes } from './memberships.ts';
import { ADMIN_PREFIX, buildOpenApiDocument } from './openapi.ts';
import { partnerRoutes } from './partners.ts';
import { roleAssignmentRoutes } from './role-assignments.ts';
import { roleRoutes } from './roles.ts';
import { signingKeyRoutes } from './signing-keys.ts';
import { tenantRoutes } from './tenants.ts';
import { userRoutes } from './users.ts';
import { userSignOutRoutes } from './user-sign-out.ts';
import { userDetailRoutes } from './user-details.ts';
import { meRoutes } from './me.ts';
import { bootstrapRoutes } from './bootstrap.ts';
import { metricsSummaryRoutes } from './metrics-summary.ts';
import { userFactorRoutes } from './user-factors.ts';
import { invitationRoutes } from './invitations.ts';

/** Every resource's routes. Add a resource: one file in this folder and one entry here. */
const RESOURCE_ROUTES: readonly AdminRoute[] = [
  ...meRoutes,
  ...bootstrapRoutes,
  ...metricsSummaryRoutes,
  ...partnerRoutes,
  ...tenantRoutes,
  ...userRoutes,
  ...userSignOutRoutes,
  ...userDetailRoutes,
  ...userFactorRoutes,
  ...invitationRoutes,
  ...groupRoutes,
  ...membershipRoutes,
  ...roleRoutes,
  ...roleAssignmentRoutes,
  ...clientRoutes,
  ...apiKeyRoutes,
  ...apiResourceRoutes,
  ...tokenExchangePolicyRoutes,
  ...initialAccessTokenRoutes,
  ...signingKeyRoutes,
  ...auditEventRoutes,
  ...brandingRoutes,
  ...connectionRoutes,
];

let cachedDocument: { baseUrl: string; document: Record<string, unknown> } | undefined;

const openApiRoute = adminRoute({
  method: 'GET', path: '/openapi.json', operationId: 'getOpenApiDocument', summary: 'This OpenAPI 3.1 document', tag: 'Meta',
  public: true, status: 200, response: { type: 'object', additionalProperties: true },
  async handle({ ctx }) {
    if (cachedDocument?.baseUrl !== ctx.config.baseUrl) cachedDocument = { baseUrl: ctx.config.baseUrl, document: buildOpenApiDocument(ADMIN_ROUTES, ctx.config.baseUrl) };
    return cachedDocument.document;
  },
});

export const ADMIN_ROUTES: readonly AdminRoute[] = [openApiRoute, ...RESOURCE_ROUTES];

const principals = new WeakMap<FastifyRequest, AdminPrincipal>();

function register(app: FastifyInstance, ctx: Latchkey, route: AdminRoute): void {
  app.route({
    method: route.method,
    url: `${ADMIN_PREFIX}${route.path}`,
    schema: {
      ...(route.params ? { params: route.params } : {}),
      ...(route.query ? { querystring: route.query } : {}),
      ...(route.body ? { body: route.body } : {}),
      ...(route.response && route.contentType === undefined ? { response: { [route.status]: route.response } } : {}),
    },
    // Authenticate before the body is parsed and validated: a caller without credentials learns nothing.
    onRequest: async (request) => {
      if (route.public) return;
      const principal = await authenticateAdmin(ctx, request);
      await limitAdminCalls(ctx, principal);
      // Read-only roles (auditor) are refused every change here, once, before any handler runs.
      if (route.method !== 'GET' && isReadOnly(principal.role)) throw new AccessDenied(`an ${principal.role} may read but not change anything`);
      principals.set(request, principal);
    },
    handler: async (request, reply) => {
      const result = await route.handle({
        ctx,
        request,
        reply,
        principal: principals.get(request)!,
        params: request.params ?? {},
        query: request.query ?? {},
        body: request.body ?? {},
      });
      reply.code(route.status).header('Cache-Control', 'no-store');
      return route.response === null ? reply.send() : result;
    },
  });
}

export async function adminRoutes(app: FastifyInstance, ctx: Latchkey): Promise<void> {
  for (const route of ADMIN_ROUTES) register(app, ctx, route);
  const usage = apiKeyUsageFor(ctx);
  app.addHook('onClose', async () => usage.stop());
}
