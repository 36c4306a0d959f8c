/**
 * Admins act only downward (ARCHITECTURE.md, "Key decisions"): the one rule every admin route and CLI command
 * that changes a principal (user, client, service account, API key, role assignment, group membership) passes.
 *
 *   the actor's admin rights must cover the target's rights before the change AND after it.
 *
 * "Before" keeps a tenant_admin's hands off a super_admin (or a client acting as one: rotating its secret is
 * becoming it); "after" keeps anyone from granting more than they hold (an admin role above their own, or the
 * admin scope on a client whose service account holds a higher role). Reading is not acting: lists and reads
 * stay open within the tenants an admin may see (tenant reach is `admin-auth.ts`, 404 outside it).
 *
 * Rights of a principal (what a token for it could do at /admin/v1, see `admin-auth.ts`):
 *  - a person: its `admin_role`;
 *  - a client: the higher of its service account's `admin_role` and `tenant_admin` when it may request the
 *    admin scope (a client_credentials token with `latchkey:admin` is tenant_admin of its tenant, super_admin
 *    when the service account holds super_admin; a service account's role counts even without the scope,
 *    because adding the scope would wake it);
 *  - a service account: the rights of its client (the account's tokens are the client's tokens).
 */
import type { Database } from '../db/database.ts';
import { clientQueries } from '../db/queries/clients.ts';
import type { Client } from '../db/queries/clients.ts';
import { userQueries } from '../db/queries/users.ts';
import type { AdminRole } from '../db/schema.ts';
import { AccessDenied } from '../errors/oauth-error.ts';
import { ADMIN_SCOPE } from './admin-audience.ts';

/** What an admin principal may do; `none` for principals without admin rights. */
export type AdminRights = AdminRole | 'none';

/**
 * Higher covers lower. A new admin role is one entry here (and its tenant reach in admin-auth.ts). An auditor
 * ranks just above none: any admin may grant it (it reads, never writes), and it covers nothing, because it
 * may not act at all (`assertActsDownward` refuses it; `routes.ts` refuses its every change before that).
 */
const RANK: Readonly<Record<AdminRights, number>> = { none: 0, auditor: 1, tenant_admin: 2, partner_admin: 3, super_admin: 4 };

/** Roles that may read but never change anything. */
export function isReadOnly(role: AdminRights): boolean {
  return role === 'auditor';
}

/** Who acts: an admin API principal, or the operator at the command line (who owns the database: super_admin). */
export interface Actor {
  readonly role: AdminRole;
}

export const OPERATOR: Actor = { role: 'super_admin' };

export function covers(held: AdminRights, needed: AdminRights): boolean {
  return RANK[held] >= RANK[needed];
}

export function higherOf(a: AdminRights, b: AdminRights): AdminRights {
  return RANK[a] >= RANK[b] ? a : b;
}

/** The rule itself: 403 unless the actor's rights cover the target's before and after the change. */
export function assertActsDownward(actor: Actor, target: { readonly before: AdminRights; readonly after?: AdminRights }, what: string): void {
  if (isReadOnly(actor.role)) throw new AccessDenied(`an ${actor.role} may read but not change ${what}`);
  if (!covers(actor.role, target.before)) throw new AccessDenied(`${what} holds ${target.before} rights, above this admin's ${actor.role}`);
  if (target.after !== undefined && !covers(actor.role, target.after)) throw new AccessDenied(`${what} would hold ${target.after} rights, above this admin's ${actor.role}`);
}

/** Rights of a client given its allowed scopes and its service account's admin role. */
export function clientRights(scopes: readonly string[], serviceAccountRole: AdminRole | null): AdminRights {
  return higherOf(serviceAccountRole ?? 'none', scopes.includes(ADMIN_SCOPE) ? 'tenant_admin' : 'none');
}

async function serviceAccountRole(db: Database, client: Client): Promise<AdminRole | null> {
  if (client.serviceUserId === null) return null;
  return (await userQueries(db).findById(client.serviceUserId))?.admin_role ?? null;
}

/** A change to a client: its rights now, and with `scopes` (when they change) afterwards. */
export async function authorizeOnClient(db: Database, actor: Actor, client: Client, next: { readonly scopes?: readonly string[] | undefined } = {}): Promise<void> {
  const role = await serviceAccountRole(db, client);
  const after = next.scopes === undefined ? undefined : clientRights(next.scopes, role);
  assertActsDownward(actor, { before: clientRights(client.scopes, role), ...(after ? { after } : {}) }, `client ${client.clientId}`);
}

/** Registering a client: it may not start with more rights than its creator (a new service account holds no role). */
export function authorizeNewClient(actor: Actor, scopes: readonly string[] | undefined): void {
  assertActsDownward(actor, { before: 'none', after: clientRights(scopes ?? [], null) }, 'the new client');
}

/** A change to a user (person or service account); `adminRole` is the new admin role when it changes. */
export async function authorizeOnUser(
  db: Database,
  actor: Actor,
  user: { readonly id: string; readonly kind: string; readonly admin_role: AdminRole | null },
  next: { readonly adminRole?: AdminRole | null | undefined } = {},
): Promise<void> {
  if (user.kind === 'service') {
    const client = await clientQueries(db).findByServiceUser(user.id);
    const scopes = client?.scopes ?? [];
    const after = next.adminRole === undefined ? undefined : clientRights(scopes, next.adminRole);
    assertActsDownward(actor, { before: clientRights(scopes, user.admin_role), ...(after ? { after } : {}) }, `service account ${user.id}`);
    return;
  }
  const after = next.adminRole === undefined ? undefined : (next.adminRole ?? 'none');
  assertActsDownward(actor, { before: user.admin_role ?? 'none', ...(after ? { after } : {}) }, `user ${user.id}`);
}

/** A change to a user found by id (API key owners, role assignments, memberships); unknown ids fall through to the change's own 404. */
export async function authorizeOnUserId(db: Database, actor: Actor, tenantId: string, userId: string): Promise<void> {
  const user = await userQueries(db).findById(userId);
  if (user && user.tenant_id === tenantId) await authorizeOnUser(db, actor, user);
}

/** Creating a person with an admin role. */
export function authorizeNewUser(actor: Actor, adminRole: AdminRole | null | undefined): void {
  assertActsDownward(actor, { before: 'none', after: adminRole ?? 'none' }, 'the new user');
}
