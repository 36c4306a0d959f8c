/**
 * Assembles the Fastify application: request ids, logging without secrets, security headers, error
 * serialization, health, metrics, and the route groups of each part of Latchkey.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Latchkey } from '../context.ts';
import { adminRoutes } from '../admin/routes.ts';
import { oauthRoutes } from '../oauth/routes.ts';
import { userTokenRoutes } from '../oauth/user-token-routes.ts';
import { browserRoutes } from '../interaction/routes.ts';
import { accountRoutes } from '../accounts/routes.ts';
import { registerErrorHandling, sendError } from './error-handler.ts';
import { registerHealth } from './health.ts';
import { registerMetrics } from './metrics.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { registerNulGuard } from './reject-nul.ts';
import { registerNotFound } from './not-found.ts';
import { buildRequestValidator } from './request-validation.ts';
import { serializeOnFirstUse, validateOnFirstUse } from './compile-on-first-use.ts';
import { sdkRoutes } from './sdk-route.ts';
import { consoleRoutes } from './console-route.ts';
import { answerClientError, refuseConnect } from './client-errors.ts';
import { capConnections, connectionTimeouts } from './connection-limits.ts';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A route group: a function that registers routes on its own encapsulated Fastify context. */
export type RouteGroup = (app: FastifyInstance, ctx: Latchkey) => Promise<void>;

/** Every part of Latchkey that serves HTTP, in registration order. */
const ROUTE_GROUPS: readonly RouteGroup[] = [oauthRoutes, userTokenRoutes, browserRoutes, accountRoutes, adminRoutes, sdkRoutes, consoleRoutes];

export interface AppOptions {
  /** Reports shutdown state to /readyz. */
  readonly isShuttingDown?: () => boolean;
}

export async function buildApp(ctx: Latchkey, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyLimit,
    // A hop count is valid at run time (proxy-addr) though Fastify's types omit it.
    trustProxy: ctx.config.trustProxy as boolean | string,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Router-level refusals (over-long path parameters, malformed URLs) get the same error bodies and pages as the rest.
    frameworkErrors: (error, request, reply) => sendError(request, reply, error),
    // ... and so do requests Node's HTTP parser refuses before routing.
    clientErrorHandler: answerClientError(ctx.logger),
    requestIdHeader: false,
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Connections that send nothing (or too slowly) are closed; idle kept-alive ones outlive a balancer's.
    ...connectionTimeouts(ctx.config),
    // Admin API bodies: an unknown property is a 400, not silently dropped (a typo must not look like success).
    ajv: { customOptions: { removeAdditional: false } },
    // ... and a value of the wrong JSON type is a 400, not coerced (querystrings and path parameters still are).
    // Each route's validators and response serializer compile on its first request, not before listening.
    schemaController: { compilersFactory: { buildValidator: validateOnFirstUse(buildRequestValidator()), buildSerializer: serializeOnFirstUse() } },
  });
  app.server.on('connect', refuseConnect(ctx.logger));
  capConnections(app.server, ctx.config.maxConnections, ctx.logger);
  registerSecurityHeaders(app, { https: ctx.config.baseUrl.startsWith('https:') });
  registerErrorHandling(app);
  registerNotFound(app, ctx.config.bodyLimit);
  registerNulGuard(app);
  registerHealth(app, ctx, options.isShuttingDown ?? (() => false));
  registerMetrics(app, ctx.metrics, ctx.config.metricsToken);
  for (const group of ROUTE_GROUPS) await app.register(async (scope) => group(scope, ctx));
  return app;
}
