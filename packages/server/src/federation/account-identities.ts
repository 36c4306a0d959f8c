/**
 * The account page's section of linked sign-in methods (issue 18 item 4): `GET <issuer>/account/identities`
 * lists the upstream identities linked to the signed-in user (browser session of the tenant), `POST` unlinks
 * one after a CSRF check, but never the last way in (no password and no other identity). Audited.
 * A section of its own until the self-service account page exists; it moves there then.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import { requireTenantBySlug } from '../directory/tenants.ts';
import { issuerFor } from '../directory/tenant-directory.ts';
import { Conflict, LoginRequired, NotFound } from '../errors/oauth-error.ts';
import { currentSession } from '../interaction/browser-session.ts';
import { CSRF_FIELD, issueCsrfToken, verifyCsrfToken } from '../interaction/csrf.ts';
import { sendPage } from '../interaction/layout.ts';
import { rememberPageTenant } from '../interaction/page-errors.ts';
import { readBodyParams } from '../oauth/request-params.ts';
import { requireConnection } from './connections.ts';
import { linkedIdentitiesOf, unlinkIdentity } from './identities.ts';
import { linkedIdentitiesPage } from './pages/linked-identities-page.ts';
import type { LinkedIdentitiesInput } from './pages/linked-identities-page.ts';

type TenantRequest = FastifyRequest<{ Params: { tenant: string } }>;

async function signedIn(ctx: Latchkey, request: FastifyRequest, tenant: Tenant) {
  const session = await currentSession(ctx, request, tenant);
  if (session === undefined) throw new LoginRequired('sign in to this tenant first to see your linked sign-in methods');
  return session;
}

async function show(ctx: Latchkey, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, userId: string, sessionId: string, extra: Pick<LinkedIdentitiesInput, 'notice' | 'error'> = {}, status = 200) {
  const identities = await linkedIdentitiesOf(ctx.db, userId);
  return sendPage(
    reply,
    linkedIdentitiesPage({
      tenantName: tenant.name,
      action: `${issuerFor(ctx.config.baseUrl, tenant.slug)}/account/identities`,
      csrfToken: issueCsrfToken(ctx, request, reply, tenant, 'identities', sessionId),
      identities: identities.map((i) => ({ connection: i.connection, name: i.name, subject: i.subject, email: i.email })),
      ...extra,
    }),
    status,
  );
}

export async function accountIdentityRoutes(app: FastifyInstance, ctx: Latchkey): Promise<void> {
  app.get('/t/:tenant/account/identities', async (request: TenantRequest, reply) => {
    const tenant = await requireTenantBySlug(ctx, request.params.tenant);
    rememberPageTenant(request, tenant);
    const session = await signedIn(ctx, request, tenant);
    return show(ctx, request, reply, tenant, session.user_id, session.id);
  });

  app.post('/t/:tenant/account/identities', async (request: TenantRequest, reply) => {
    const tenant = await requireTenantBySlug(ctx, request.params.tenant);
    rememberPageTenant(request, tenant);
    const session = await signedIn(ctx, request, tenant);
    const form = readBodyParams(request.headers['content-type'], request.body, { allowJson: false });
    verifyCsrfToken(ctx, request, form.get(CSRF_FIELD), 'identities', session.id);
    const connection = await requireConnection(ctx.db, tenant.id, form.get('connection') ?? '');
    const subject = form.get('subject') ?? '';
    try {
      await ctx.db.transaction().execute((trx) => unlinkIdentity(trx, tenant.id, session.user_id, connection.id, subject, { requireOtherWay: true }));
    } catch (error) {
      if (error instanceof Conflict) return show(ctx, request, reply, tenant, session.user_id, session.id, { error: { key: 'page.identities.last_way' } }, 409);
      if (error instanceof NotFound) return show(ctx, request, reply, tenant, session.user_id, session.id, { error: { key: 'page.identities.not_linked' } }, 404);
      throw error;
    }
    await recordAuditEvent(ctx, { action: 'identity.unlink', tenantId: tenant.id, ip: request.ip, actor: { type: 'user', id: session.user_id }, target: { type: 'user', id: session.user_id }, details: { connection_id: connection.id, by: 'account_page' } });
    return show(ctx, request, reply, tenant, session.user_id, session.id, { notice: { key: 'page.identities.unlinked', values: { connection: connection.name } } });
  });
}
