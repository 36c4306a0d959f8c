/**
 * People (and service accounts) of a tenant: creation with validation, passwords, status, lookup by login
 * (email or username, case-insensitive), and the public view.
 */
import type { Latchkey } from '../context.ts';
import type { Database } from '../db/database.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import type { UserStatus, UsersTable } from '../db/schema.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { Conflict, InvalidRequest, NotFound } from '../errors/oauth-error.ts';
import { newId } from '../util/ids.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { signOutUser } from './user-sign-out.ts';
import type { SignedOut } from './user-sign-out.ts';

export type User = UsersTable;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const USERNAME = /^[A-Za-z0-9._@+-]{1,100}$/;
export const USER_STATUSES: readonly UserStatus[] = ['active', 'disabled', 'locked'];

export interface CreateUserInput {
  readonly email?: string | null;
  readonly username?: string | null;
  readonly password?: string | null;
  readonly firstName?: string | null;
  readonly lastName?: string | null;
  readonly displayName?: string | null;
  readonly status?: UserStatus;
  readonly role?: string | null;
}

function optionalText(value: unknown, field: string, max = 200): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > max) throw new InvalidRequest(`${field} must be a string of at most ${max} characters`);
  return value.trim();
}

export function normalizeLogin(login: string): string {
  return login.trim().toLowerCase();
}

/** `db` may be the caller's transaction (admin changes commit with their audit event). */
export async function createUser(ctx: Latchkey, tenant: Tenant, input: CreateUserInput, db: Database = ctx.db): Promise<User> {
  const email = optionalText(input.email, 'email', 320);
  if (email !== null && !EMAIL.test(email)) throw new InvalidRequest('email is not a valid address');
  const username = optionalText(input.username, 'username', 100);
  if (username !== null && !USERNAME.test(username)) throw new InvalidRequest('username may contain letters, digits and . _ @ + -');
  if (email === null && username === null) throw new InvalidRequest('a user needs an email or a username');
  const status = input.status ?? 'active';
  if (!USER_STATUSES.includes(status)) throw new InvalidRequest(`status must be one of ${USER_STATUSES.join(', ')}`);
  let passwordHash: string | null = null;
  if (input.password !== undefined && input.password !== null) {
    const problem = passwordProblem(input.password);
    if (problem) throw new InvalidRequest(problem);
    passwordHash = await hashPassword(input.password);
  }
  const firstName = optionalText(input.firstName, 'first_name');
  const lastName = optionalText(input.lastName, 'last_name');
  const displayName = optionalText(input.displayName, 'display_name') ?? ([firstName, lastName].filter(Boolean).join(' ') || username || email);
  const now = ctx.now();
  const row: User = {
    id: newId('usr', now),
    tenant_id: tenant.id,
    kind: 'person',
    email,
    email_normalized: email === null ? null : normalizeLogin(email),
    username,
    username_normalized: username === null ? null : normalizeLogin(username),
    first_name: firstName,
    last_name: lastName,
    display_name: displayName,
    status,
    password_hash: passwordHash,
    role: optionalText(input.role, 'role', 100),
    admin_role: null,
    created_at: now,
    updated_at: now,
  };
  try {
    await db.insertInto('users').values(row).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new Conflict('a user with this email or username already exists in the tenant');
    throw error;
  }
  return row;
}

/** Finds an active or inactive person by email or username (case-insensitive). */
export async function findUserByLogin(db: Database, tenantId: string, login: string): Promise<User | undefined> {
  const normalized = normalizeLogin(login);
  if (normalized === '' || normalized.length > 320) return undefined;
  return db
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', 'person')
    .where((eb) => eb.or([eb('email_normalized', '=', normalized), eb('username_normalized', '=', normalized)]))
    .executeTakeFirst();
}

export async function requireUser(db: Database, tenantId: string, userId: string): Promise<User> {
  const user = await db.selectFrom('users').selectAll().where('id', '=', userId).where('tenant_id', '=', tenantId).executeTakeFirst();
  if (!user) throw new NotFound('no such user');
  return user;
}

/** A new password signs the user out everywhere in the same transaction (issue 13, 6; `user-sign-out.ts`). */
export async function setUserPassword(ctx: Latchkey, user: Pick<User, 'id'>, password: string): Promise<SignedOut> {
  const problem = passwordProblem(password);
  if (problem) throw new InvalidRequest(problem);
  const passwordHash = await hashPassword(password);
  return ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: passwordHash, updated_at: ctx.now() }).where('id', '=', user.id).execute();
    return signOutUser(trx, user.id, ctx.now());
  });
}

export async function setUserStatus(ctx: Latchkey, user: Pick<User, 'id'>, status: UserStatus): Promise<void> {
  if (!USER_STATUSES.includes(status)) throw new InvalidRequest(`status must be one of ${USER_STATUSES.join(', ')}`);
  await ctx.db.updateTable('users').set({ status, updated_at: ctx.now() }).where('id', '=', user.id).execute();
}

/** The public view of a user (admin API, CLI `--json`); never the password hash. */
export function describeUser(user: User) {
  return {
    id: user.id,
    tenant_id: user.tenant_id,
    kind: user.kind,
    email: user.email,
    username: user.username,
    first_name: user.first_name,
    last_name: user.last_name,
    display_name: user.display_name,
    status: user.status,
    role: user.role,
    admin_role: user.admin_role,
    has_password: user.password_hash !== null,
    created_at: new Date(user.created_at).toISOString(),
    updated_at: new Date(user.updated_at).toISOString(),
  };
}
