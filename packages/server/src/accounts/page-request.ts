/** What every self-service route does first: find the tenant (for the error page too), read the form, build URLs. */
import type { FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { requireTenantBySlug } from '../directory/tenants.ts';
import { issuerFor } from '../directory/tenant-directory.ts';
import { rememberPageTenant } from '../interaction/page-errors.ts';
import { readBodyParams, readQueryParams } from '../oauth/request-params.ts';
import { pageTranslator } from '../interaction/layout.ts';

export type TenantRequest = FastifyRequest<{ Params: { tenant: string } }>;

export async function pageTenant(ctx: Latchkey, request: TenantRequest): Promise<Tenant> {
  const tenant = await requireTenantBySlug(ctx, request.params.tenant);
  rememberPageTenant(request, tenant);
  return tenant;
}

export function formOf(request: FastifyRequest): Map<string, string> {
  return readBodyParams(request.headers['content-type'], request.body, { allowJson: false });
}

export function queryOf(request: FastifyRequest): Map<string, string> {
  return readQueryParams(request.url);
}

/** `<issuer>/<path>` with query parameters. */
export function tenantUrl(ctx: Latchkey, tenant: Tenant, path: string, query: Readonly<Record<string, string | undefined>> = {}): string {
  const url = new URL(`${issuerFor(ctx.config.baseUrl, tenant.slug)}/${path}`);
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') url.searchParams.set(name, value);
  return url.href;
}

/** An interaction id as the sign-in page puts it in links (opaque; the login page checks it). */
export function interactionParam(value: string | undefined): string | undefined {
  return value !== undefined && /^[A-Za-z0-9_-]{16,100}$/.test(value) ? value : undefined;
}

/** The sign-in page of an interaction, when the flow started from one. */
export function signInUrl(ctx: Latchkey, tenant: Tenant, interaction: string | undefined): string | undefined {
  return interaction === undefined ? undefined : tenantUrl(ctx, tenant, 'login', { interaction });
}

/** The language of this request's page (`ui_locales`, Accept-Language, the tenant's default): mails it causes use it too. */
export function requestLocale(request: FastifyRequest): string {
  return pageTranslator(request, undefined).locale;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function looksLikeEmail(value: string): boolean {
  return value.length <= 320 && EMAIL.test(value);
}
