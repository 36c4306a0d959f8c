/**
 * A tenant with a client that may sign users in and one user with a password, made through the real directory
 * services, for sign-in tests (pair it with `sign-in.ts`).
 */
import type { RunningServer } from '../../src/server.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { createClient } from '../../src/directory/clients.ts';
import type { CreateClientInput } from '../../src/directory/clients.ts';
import { createUser } from '../../src/directory/users.ts';
import type { User } from '../../src/directory/users.ts';
import type { Tenant } from '../../src/db/queries/tenants.ts';

export const TEST_PASSWORD = 'correct horse battery staple';

export interface SignInFixture {
  readonly tenant: Tenant;
  readonly issuer: string;
  readonly clientId: string;
  /** Empty for a public client. */
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
  readonly user: User;
  readonly login: string;
  readonly password: string;
}

export interface SignInFixtureOptions {
  readonly settings?: Record<string, unknown>;
  readonly client?: Partial<CreateClientInput>;
  readonly redirectUri?: string;
}

export async function createSignInFixture(server: RunningServer, slug: string, options: SignInFixtureOptions = {}): Promise<SignInFixture> {
  const tenant = await createTenant(server.ctx, { slug, name: `Tenant ${slug}`, ...(options.settings ? { settings: options.settings } : {}) });
  const redirectUri = options.redirectUri ?? 'http://127.0.0.1:5999/callback';
  const postLogoutRedirectUri = 'http://127.0.0.1:5999/signed-out';
  const created = await createClient(server.ctx, tenant, {
    name: `${slug} web app`,
    grantTypes: ['authorization_code', 'refresh_token'],
    redirectUris: [redirectUri],
    postLogoutRedirectUris: [postLogoutRedirectUri],
    ...options.client,
  });
  const login = `ada@${slug}.example`;
  const user = await createUser(server.ctx, tenant, { email: login, username: `ada-${slug}`, password: TEST_PASSWORD, firstName: 'Ada', lastName: 'Lovelace' });
  return {
    tenant,
    issuer: `${server.ctx.config.baseUrl}/t/${slug}`,
    clientId: created.client.clientId,
    clientSecret: created.clientSecret ?? '',
    redirectUri,
    postLogoutRedirectUri,
    user,
    login,
    password: TEST_PASSWORD,
  };
}
