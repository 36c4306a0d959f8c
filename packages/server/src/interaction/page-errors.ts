/**
 * Errors on browser-facing routes (authorize before the redirect URI is trusted, hosted pages, logout) are shown
 * as an HTML page with the tenant's name, not as JSON.
 */
import type { FastifyRequest } from 'fastify';
import type { Tenant } from '../db/queries/tenants.ts';
import { registerErrorRenderer } from '../http/error-handler.ts';
import { sendPage } from './layout.ts';
import { errorPage } from './pages/error-page.ts';
import { pageContextOf } from './page-context.ts';

const pageTenants = new WeakMap<FastifyRequest, Tenant>();

/** Lets the error page show the tenant's name. */
export function rememberPageTenant(request: FastifyRequest, tenant: Tenant): void {
  pageTenants.set(request, tenant);
}

export const BROWSER_ROUTE = /^\/t\/[^/?]+\/(?:oauth2\/authorize|oauth2\/logout|login|login\/passkey|consent|logout\/confirm|mfa|mfa\/[a-z]+(?:\/[a-z]+)?|forgot-password|reset-password|verify-email|sign-up|invitation|account(?:\/[a-z-]+)*|federation\/[^/?]+\/[a-z]+)\/?(?:\?|$)/;

let registered = false;

export function registerPageErrors(): void {
  if (registered) return;
  registered = true;
  registerErrorRenderer(
    (request) => BROWSER_ROUTE.test(request.url),
    (request, reply, error) => {
      const tenant = pageTenants.get(request) ?? pageContextOf(request)?.tenant;
      const description = error.expose ? error.description : undefined;
      return sendPage(reply, errorPage({ status: error.status, description, code: error.error, ...(tenant ? { tenantName: tenant.name } : {}) }), error.status);
    },
  );
}
