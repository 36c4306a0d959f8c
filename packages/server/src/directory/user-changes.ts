/** Changing and deleting users (creation and sign-in lookups are in users.ts). */
import type { Database } from '../db/database.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { userAdminQueries } from '../db/queries/user-admin.ts';
import type { UserChanges } from '../db/queries/user-admin.ts';
import type { AdminRole, UserStatus } from '../db/schema.ts';
import { Conflict, InvalidRequest, assert } from '../errors/oauth-error.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { normalizeLogin, requireUser, USER_STATUSES } from './users.ts';
import type { User } from './users.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const ADMIN_ROLES: readonly AdminRole[] = ['auditor', 'tenant_admin', 'partner_admin', 'super_admin'];

export interface UserUpdate {
  readonly email?: string | null | undefined;
  readonly firstName?: string | null | undefined;
  readonly lastName?: string | null | undefined;
  readonly displayName?: string | null | undefined;
  readonly status?: UserStatus | undefined;
  /** The primary role name (seed 003 `role`). */
  readonly role?: string | null | undefined;
  readonly adminRole?: AdminRole | null | undefined;
  /** Already hashed with `hashUpdatePassword` (hashing is slow: keep it out of the transaction). */
  readonly passwordHash?: string | undefined;
}

function text(value: string | null | undefined, field: string, max = 200): string | null {
  if (value === null || value === undefined || value === '') return null;
  assert(value.length <= max, new InvalidRequest(`${field} must be at most ${max} characters`));
  return value.trim();
}

export async function hashUpdatePassword(password: string): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw new InvalidRequest(problem);
  return hashPassword(password);
}

export async function updateUser(db: Database, tenantId: string, userId: string, update: UserUpdate, now: number): Promise<User> {
  await requireUser(db, tenantId, userId);
  const changes: UserChanges = {};
  if (update.email !== undefined) {
    const email = text(update.email, 'email', 320);
    assert(email === null || EMAIL.test(email), new InvalidRequest('email is not a valid address'));
    Object.assign(changes, { email, email_normalized: email === null ? null : normalizeLogin(email) });
  }
  if (update.firstName !== undefined) changes.first_name = text(update.firstName, 'first_name');
  if (update.lastName !== undefined) changes.last_name = text(update.lastName, 'last_name');
  if (update.displayName !== undefined) changes.display_name = text(update.displayName, 'display_name');
  if (update.status !== undefined) {
    assert(USER_STATUSES.includes(update.status), new InvalidRequest(`status must be one of ${USER_STATUSES.join(', ')}`));
    changes.status = update.status;
  }
  if (update.role !== undefined) changes.role = text(update.role, 'role', 100);
  if (update.adminRole !== undefined) {
    assert(update.adminRole === null || ADMIN_ROLES.includes(update.adminRole), new InvalidRequest('admin_role must be auditor, tenant_admin, partner_admin, super_admin or null'));
    changes.admin_role = update.adminRole;
  }
  if (update.passwordHash !== undefined) changes.password_hash = update.passwordHash;
  try {
    await userAdminQueries(db).update(userId, changes, now);
  } catch (error) {
    if (isUniqueViolation(error)) throw new Conflict('a user with this email already exists in the tenant');
    throw error;
  }
  return requireUser(db, tenantId, userId);
}

/** A service account goes with its client (delete the client instead). */
export async function deleteUser(db: Database, tenantId: string, userId: string): Promise<User> {
  const user = await requireUser(db, tenantId, userId);
  assert(user.kind === 'person', new Conflict('this is the service account of a client; delete the client instead'));
  await userAdminQueries(db).delete(userId);
  return user;
}
