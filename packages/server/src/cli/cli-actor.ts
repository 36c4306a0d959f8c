/**
 * Who a command acts as. Whoever runs `latchkey` owns the database, so by default a command acts as the
 * operator (every right, audit actor `cli`). `--as <user id | client id>` runs it with the rights of that admin
 * instead, for scripts that should hold no more than the admin they run for: the command passes the same
 * admins-act-downward rule as the admin API (`admin/admin-authority.ts`), is refused (exit code 1) where the API
 * answers 403 or 404, and its audit event names that admin.
 */
import { CLI_ACTOR } from '../audit/recorded-change.ts';
import type { ChangeActor } from '../audit/recorded-change.ts';
import type { Latchkey } from '../context.ts';
import { clientQueries } from '../db/queries/clients.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { userQueries } from '../db/queries/users.ts';
import { requireTenantAccess } from '../admin/admin-auth.ts';
import type { AdminPrincipal } from '../admin/admin-auth.ts';
import { ADMIN_SCOPE } from '../admin/admin-audience.ts';
import { clientRights, OPERATOR } from '../admin/admin-authority.ts';
import type { Actor } from '../admin/admin-authority.ts';
import type { AdminRole } from '../db/schema.ts';
import { AccessDenied } from '../errors/oauth-error.ts';

export interface CliActor {
  readonly actor: Actor;
  /** The actor of the command's audit events. */
  readonly audit: ChangeActor;
}

/** The `--as` option of commands that change principals. */
export const AS_OPTION = { as: { type: 'string' } } as const;

async function principalOf(ctx: Latchkey, ref: string): Promise<AdminPrincipal> {
  const client = ref.startsWith('usr_') ? undefined : await clientQueries(ctx.db).findById(ref);
  const user = await userQueries(ctx.db).findById(client ? (client.serviceUserId ?? '') : ref);
  if (!user || user.status !== 'active') throw new AccessDenied(`--as: no active admin "${ref.slice(0, 100)}"`);
  if (client) {
    // As at the admin API: a client is an admin only while it may request the admin scope.
    if (!client.scopes.includes(ADMIN_SCOPE)) throw new AccessDenied(`--as: client ${client.clientId} may not use the admin API`);
    const tenant = await ctx.tenants.byId(client.tenantId);
    return { type: 'client', id: client.clientId, role: clientRights(client.scopes, user.admin_role) as AdminRole, tenantId: client.tenantId, partnerId: tenant?.partnerId ?? null };
  }
  if (user.kind !== 'person' || user.admin_role === null) throw new AccessDenied(`--as: ${user.id} holds no admin role`);
  const tenant = await ctx.tenants.byId(user.tenant_id);
  return { type: 'user', id: user.id, role: user.admin_role, tenantId: user.tenant_id, partnerId: tenant?.partnerId ?? null };
}

/** The operator, or the admin named by `--as` (refused unless it may reach `tenant`, as the API's 404). */
export async function cliActor(ctx: Latchkey, as: string | undefined, tenant: Tenant): Promise<CliActor> {
  if (as === undefined) return { actor: OPERATOR, audit: CLI_ACTOR };
  const principal = await principalOf(ctx, as);
  requireTenantAccess(principal, tenant);
  return { actor: principal, audit: { type: principal.type, id: principal.id, ip: null } };
}
