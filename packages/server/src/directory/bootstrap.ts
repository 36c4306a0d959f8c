/**
 * The first super admin (issue 19). No default account or password ever exists: `latchkey serve` on a
 * deployment without a super admin (or `latchkey admin bootstrap`) stores the hash of a random one-time token
 * and prints a link to the console's bootstrap page; whoever opens it chooses the email and password. The token
 * is spent with the account, in one transaction with its audit event, and every other open link dies with it.
 */
import type { Latchkey } from '../context.ts';
import { bootstrapTokenQueries } from '../db/queries/bootstrap-tokens.ts';
import { recordedChange } from '../audit/recorded-change.ts';
import { AccessDenied, Conflict, InvalidRequest } from '../errors/oauth-error.ts';
import { generateOpaqueToken, hashSecret } from '../tokens/opaque.ts';
import { passwordProblem } from './passwords.ts';
import { ensureSystemTenant } from './system-tenant.ts';
import { updateUser } from './user-changes.ts';
import { createUser } from './users.ts';
import type { User } from './users.ts';

export const BOOTSTRAP_LINK_TTL_MS = 24 * 3600 * 1000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function bootstrapLink(baseUrl: string, token: string): string {
  // In the fragment: the token never reaches a server log or a Referer header.
  return `${baseUrl}/console/#/bootstrap/${token}`;
}

/** A new one-time link, or undefined when a super admin already exists. */
export async function issueBootstrapLink(ctx: Latchkey, email: string | null = null): Promise<string | undefined> {
  const queries = bootstrapTokenQueries(ctx.db);
  if (await queries.superAdminExists()) return undefined;
  if (email !== null && !EMAIL.test(email)) throw new InvalidRequest('--email is not a valid address');
  const token = generateOpaqueToken(32);
  const now = ctx.now();
  await queries.insert({ token_hash: hashSecret(token), email, created_at: now, expires_at: now + BOOTSTRAP_LINK_TTL_MS, used_at: null });
  return bootstrapLink(ctx.config.baseUrl, token);
}

export interface BootstrapInput {
  readonly token: string;
  readonly email: string;
  readonly password: string;
}

function checkBoundEmail(bound: string | null, email: string): void {
  if (bound !== null && bound.toLowerCase() !== email.trim().toLowerCase()) throw new AccessDenied(`this bootstrap link is for ${bound}`);
}

const DEAD_LINK = 'this bootstrap link is unknown, used or expired; run `latchkey admin bootstrap` for a new one';

export async function redeemBootstrap(ctx: Latchkey, input: BootstrapInput, ip: string | null): Promise<User> {
  // A request without a live token changes nothing, not even the system tenant's existence.
  const live = await bootstrapTokenQueries(ctx.db).findLive(hashSecret(input.token), ctx.now());
  if (!live) throw new AccessDenied(DEAD_LINK);
  checkBoundEmail(live.email, input.email);
  const problem = passwordProblem(input.password);
  if (problem) throw new InvalidRequest(problem);
  if (!EMAIL.test(input.email.trim())) throw new InvalidRequest('email is not a valid address');
  const system = await ensureSystemTenant(ctx);
  return recordedChange(
    ctx,
    { type: 'bootstrap', id: null, ip },
    async (db) => {
      const queries = bootstrapTokenQueries(db);
      const now = ctx.now();
      const token = await queries.spend(hashSecret(input.token), now);
      if (!token) throw new AccessDenied(DEAD_LINK);
      if (await queries.superAdminExists()) throw new Conflict('a super admin already exists; sign in to the console instead');
      checkBoundEmail(token.email, input.email);
      const user = await createUser(ctx, system, { email: input.email, password: input.password }, db);
      await queries.retireAll(now);
      return updateUser(db, system.id, user.id, { adminRole: 'super_admin' }, now);
    },
    (user) => ({ action: 'admin.bootstrap', tenantId: system.id, target: { type: 'user', id: user.id }, details: { admin_role: 'super_admin' } }),
  );
}
