/** Commands name things the way people do: groups and roles by name or id, users by email, username, id or client id. */
import type { Latchkey } from '../context.ts';
import { clientQueries } from '../db/queries/clients.ts';
import { groupQueries } from '../db/queries/groups.ts';
import type { Group } from '../db/queries/groups.ts';
import { roleQueries } from '../db/queries/roles.ts';
import type { Role } from '../db/queries/roles.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { NotFound } from '../errors/oauth-error.ts';
import { findUserByLogin, requireUser } from '../directory/users.ts';
import type { User } from '../directory/users.ts';

export async function groupByRef(ctx: Latchkey, tenant: Tenant, ref: string): Promise<Group> {
  const queries = groupQueries(ctx.db);
  const group = (ref.startsWith('grp_') ? await queries.find(tenant.id, ref) : undefined) ?? (await queries.findByName(tenant.id, ref));
  if (!group) throw new NotFound(`no group "${ref.slice(0, 100)}" in tenant ${tenant.slug}`);
  return group;
}

export async function roleByRef(ctx: Latchkey, tenant: Tenant, ref: string): Promise<Role> {
  const queries = roleQueries(ctx.db);
  if (ref.startsWith('rol_')) {
    const role = await queries.find(tenant.id, ref);
    if (role) return role;
  }
  const role = await queries.findByName(tenant.id, ref);
  if (!role) throw new NotFound(`no role "${ref.slice(0, 100)}" in tenant ${tenant.slug}`);
  return role;
}

/** A user id, an email or username, or a client id (its service account). */
export async function userByRef(ctx: Latchkey, tenant: Tenant, ref: string): Promise<User> {
  if (ref.startsWith('usr_')) return requireUser(ctx.db, tenant.id, ref);
  const person = await findUserByLogin(ctx.db, tenant.id, ref);
  if (person) return person;
  const client = await clientQueries(ctx.db).findById(ref);
  if (client?.tenantId === tenant.id && client.serviceUserId) return requireUser(ctx.db, tenant.id, client.serviceUserId);
  throw new NotFound(`no user or client "${ref.slice(0, 100)}" in tenant ${tenant.slug}`);
}
