/**
 * Admin API helpers for behaviour tests: real users with admin roles and real access tokens minted by the
 * token service (interactive sign-in is tested elsewhere), then plain HTTP calls to /admin/v1.
 */
import type { RunningServer } from '../../src/server.ts';
import type { Tenant } from '../../src/db/queries/tenants.ts';
import type { AdminRole } from '../../src/db/schema.ts';
import { createClient } from '../../src/directory/clients.ts';
import { createUser } from '../../src/directory/users.ts';
import { issueAccessToken } from '../../src/tokens/access-token.ts';

export interface AdminCaller {
  readonly userId: string;
  readonly token: string;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
}

/** A person of `tenant` holding `role`, with an access token carrying `scope` (latchkey:admin by default). */
export async function adminCaller(server: RunningServer, tenant: Tenant, role: AdminRole | null, scope = ['latchkey:admin']): Promise<AdminCaller> {
  const ctx = server.ctx;
  const user = await createUser(ctx, tenant, { email: `${role ?? 'nobody'}-${Math.random().toString(36).slice(2)}@${tenant.slug}.test` });
  if (role) await ctx.db.updateTable('users').set({ admin_role: role }).where('id', '=', user.id).execute();
  const { client } = await createClient(ctx, tenant, { name: 'admin console', type: 'public', redirectUris: ['http://127.0.0.1/cb'], scopes: ['openid', 'latchkey:admin'] });
  const { token } = await issueAccessToken(ctx, { tenant, client, subject: user.id, scope });
  return { userId: user.id, token, call: (method, path, body) => adminRequest(server, token, method, path, body) };
}

export async function adminRequest(server: RunningServer, token: string | undefined, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}/admin/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>, headers: response.headers };
}
