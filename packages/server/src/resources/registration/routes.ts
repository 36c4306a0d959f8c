/**
 * The registration endpoint (RFC 7591 §3) at `/t/<tenant>/oauth2/register` and the client configuration
 * endpoint (RFC 7592 §2) at `/t/<tenant>/oauth2/register/<client_id>`. JSON in and out, at most 16 KB of
 * metadata, limited per IP like the token endpoint; `registration_endpoint` is in discovery where enabled.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../../context.ts';
import type { Tenant } from '../../db/queries/tenants.ts';
import { requireTenantBySlug } from '../../directory/tenants.ts';
import { InvalidClientMetadata, NotFound, PayloadTooLarge, UnsupportedMediaType } from '../../errors/oauth-error.ts';
import { addressKey } from '../../http/rate-limit/address-key.ts';
import { contributeMetadata } from '../../oauth/discovery.ts';
import { mediaType } from '../../oauth/request-params.ts';
import { enforceRateLimit } from '../../oauth/token.ts';
import { deleteRegistration, readRegistration, registerClient, updateRegistration } from './dynamic-registration.ts';

export const MAX_METADATA_BYTES = 16 * 1024;

type RegisterRequest = FastifyRequest<{ Params: { tenant: string; clientId?: string } }>;

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return header !== undefined && /^bearer /i.test(header) ? header.slice(7).trim() || undefined : undefined;
}

/** The JSON object of the request; oversize or non-JSON bodies are refused before anything else. */
function readMetadata(request: FastifyRequest): unknown {
  if (mediaType(request.headers['content-type']) !== 'application/json') throw new UnsupportedMediaType('client metadata must be sent as application/json (RFC 7591 §3.1)');
  const text = typeof request.body === 'string' ? request.body : '';
  if (Buffer.byteLength(text) > MAX_METADATA_BYTES) throw new PayloadTooLarge(`client metadata is limited to ${MAX_METADATA_BYTES} bytes`);
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidClientMetadata('the body is not valid JSON');
  }
}

async function registrationTenant(ctx: Latchkey, request: RegisterRequest): Promise<Tenant> {
  const tenant = await requireTenantBySlug(ctx, request.params.tenant);
  if (!tenant.settings.client_registration.enabled) throw new NotFound('dynamic client registration is not enabled for this tenant');
  await enforceRateLimit(ctx, `register:ip:${addressKey(request.ip)}`, ctx.config.rateLimitPerIp);
  return tenant;
}

function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
}

let contributed = false;

export function registrationRoutes(app: FastifyInstance, ctx: Latchkey): void {
  if (!contributed) {
    contributed = true;
    contributeMetadata((issuer, tenant) => ({
      ...(tenant.settings.client_registration.enabled ? { registration_endpoint: `${issuer}/oauth2/register` } : {}),
      ...(tenant.settings.client_id_metadata_documents ? { client_id_metadata_document_supported: true } : {}),
    }));
  }
  const options = { bodyLimit: MAX_METADATA_BYTES * 4 };
  app.post<{ Params: { tenant: string } }>('/t/:tenant/oauth2/register', options, async (request, reply) => {
    const tenant = await registrationTenant(ctx, request);
    const body = readMetadata(request);
    return noStore(reply).code(201).send(await registerClient(ctx, tenant, body, bearer(request), request.ip));
  });
  app.get<{ Params: { tenant: string; clientId: string } }>('/t/:tenant/oauth2/register/:clientId', async (request, reply) => {
    const tenant = await registrationTenant(ctx, request);
    return noStore(reply).send(await readRegistration(ctx, tenant, request.params.clientId, bearer(request)));
  });
  app.put<{ Params: { tenant: string; clientId: string } }>('/t/:tenant/oauth2/register/:clientId', options, async (request, reply) => {
    const tenant = await registrationTenant(ctx, request);
    const body = readMetadata(request);
    return noStore(reply).send(await updateRegistration(ctx, tenant, request.params.clientId, bearer(request), body, request.ip));
  });
  app.delete<{ Params: { tenant: string; clientId: string } }>('/t/:tenant/oauth2/register/:clientId', async (request, reply) => {
    const tenant = await registrationTenant(ctx, request);
    await deleteRegistration(ctx, tenant, request.params.clientId, bearer(request), request.ip);
    return noStore(reply).code(204).send();
  });
}
