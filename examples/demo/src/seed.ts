/**
 * The demo tenant: seed 000's clients (one with the default audience, its client_id, as seed 000 checks; one bound
 * to the mail API's URL), one confidential client per product dialect, a public SPA client, Ada (a person with a
 * password, nested groups, roles, a live and a test API key) and Grace (outside `mail-users`: seed 000's 403).
 * The demo tenant has the password grant on (seed 001's `/v1/auth/token`); a second tenant keeps the default
 * (off). Made through the server's directory services, exactly as the admin API or the CLI would.
 */
import type { RunningServer } from '../../../packages/server/src/server.ts';
import { createTenant } from '../../../packages/server/src/directory/tenants.ts';
import { createClient } from '../../../packages/server/src/directory/clients.ts';
import { createUser } from '../../../packages/server/src/directory/users.ts';
import { addMember, createGroup, nestGroup } from '../../../packages/server/src/directory/groups.ts';
import { assignRoleToGroup, assignRoleToUser, createRole } from '../../../packages/server/src/directory/roles.ts';
import { createApiKey } from '../../../packages/server/src/directory/api-keys.ts';

export interface DemoClient {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface DemoUrls {
  readonly mail: string;
  readonly mailUi: string;
  readonly chat: string;
  readonly sending: string;
  readonly flow: string;
  readonly spa: string;
}

export interface DemoPerson {
  readonly id: string;
  readonly email: string;
  readonly password: string;
}

/** A tenant with the default settings (the password grant off), to show what seed 001 says about the default. */
export interface DefaultTenant {
  readonly slug: string;
  readonly issuer: string;
  /** Registered for the password grant, which the tenant still refuses. */
  readonly client: DemoClient;
  readonly user: DemoPerson;
}

export interface DemoSeed {
  readonly slug: string;
  readonly issuer: string;
  readonly tenantId: string;
  /**
   * Seed 000's application as the seed describes it: tokens carry `aud` = its client_id. Its service account is in
   * `mail-users`; it may also use the password grant (a person's token for the mail API, e.g. Grace's 403).
   */
  readonly seed000: DemoClient;
  /** A headless agent bound to the mail API's audience (`aud` = the mail API's URL): its service account is in `mail-users`. */
  readonly agent: DemoClient;
  /** A second agent outside every group: valid tokens that the mailbox guard refuses (403). */
  readonly outsider: DemoClient;
  readonly mailUi: DemoClient;
  readonly chat: DemoClient;
  readonly sending: DemoClient;
  readonly flow: DemoClient;
  /** Seed 002's third-party application (authorization code with a client secret, JSON token requests). */
  readonly partnerApp: DemoClient & { readonly redirectUri: string };
  readonly spaClientId: string;
  readonly user: DemoPerson;
  /** A person outside `mail-users` (and every other group): seed 000's 403. */
  readonly outsideUser: DemoPerson;
  readonly apiKey: string;
  readonly apiKeyId: string;
  /** Ada's key in test mode (`sg_test_…`, seed 003). */
  readonly testApiKey: string;
  readonly defaultTenant: DefaultTenant;
  /** The audience of tokens for the mail API (seed 000's resource API). */
  readonly mailAudience: string;
}

const ALL_CLAIMS = ['groups', 'roles', 'permissions', 'tenant_id', 'tenant_slug', 'partner_id'];

export interface SeedOptions {
  readonly slug?: string;
  /** Seconds; the browser test shortens it to watch a silent refresh. */
  readonly accessTokenLifetime?: number | undefined;
}

export async function seedDemo(server: RunningServer, urls: DemoUrls, options: SeedOptions = {}): Promise<DemoSeed> {
  const { ctx } = server;
  const now = ctx.now();
  const slug = options.slug ?? 'demo';
  const tenant = await createTenant(ctx, {
    slug,
    name: 'Demo',
    settings: {
      features: { auth: { password_grant_enabled: true } },
      ...(options.accessTokenLifetime === undefined ? {} : { access_token_lifetime: options.accessTokenLifetime }),
    },
  });
  const mailAudience = `${urls.mail}/`;
  const confidential = async (name: string, redirectUris: string[], extra: { audience?: string; grantTypes?: string[]; scopes?: string[] } = {}): Promise<DemoClient> => {
    const created = await createClient(ctx, tenant, { name, redirectUris, tokenClaims: ALL_CLAIMS, ...extra });
    return { clientId: created.client.clientId, clientSecret: created.clientSecret ?? '' };
  };
  const userScopes = ['openid', 'profile', 'email', 'offline_access'];
  const seed000 = await confidential('Seed 000 agent', [], { grantTypes: ['client_credentials', 'password'], scopes: ['openid', 'profile', 'email'] });
  const agent = await confidential('Mail agent', [], { audience: mailAudience, scopes: ['openid', 'mail:read'] });
  const outsider = await confidential('Outside agent', [], { audience: mailAudience });
  const mailUi = await confidential('Mail UI', [`${urls.mailUi}/auth/callback`], { scopes: userScopes });
  const chat = await confidential('Chat', [`${urls.chat}/v1/auth/login`], { grantTypes: ['authorization_code', 'refresh_token', 'password', 'client_credentials'], scopes: userScopes });
  // Seed 002: a third-party app with its own redirect URL and the `profile organization` scopes.
  const partnerApp = await confidential('Askara partner app', [`${urls.spa}/partner/callback`], { scopes: ['openid', 'profile', 'organization', 'offline_access'] });
  const sending = await confidential('Sending', [`${urls.sending}/callback`], { scopes: userScopes });
  const flow = await confidential('Flow editor', [`${urls.flow}/auth/callback`], { scopes: userScopes });
  const spa = await createClient(ctx, tenant, {
    name: 'Mail SPA',
    type: 'public',
    redirectUris: [`${urls.spa}/callback`],
    postLogoutRedirectUris: [`${urls.spa}/`],
    audience: mailAudience,
    tokenClaims: ALL_CLAIMS,
    scopes: userScopes,
  });

  const password = 'correct horse battery staple';
  const ada = await createUser(ctx, tenant, { email: 'ada@demo.example', username: 'ada', password, firstName: 'Ada', lastName: 'Lovelace', role: 'developer' });
  // Seed 003: permissions come from direct roles, group roles and nested groups.
  const staff = await createGroup(ctx.db, tenant.id, { name: 'staff' }, now);
  const mailUsers = await createGroup(ctx.db, tenant.id, { name: 'mail-users' }, now);
  await nestGroup(ctx.db, tenant.id, mailUsers.id, staff.id, now);
  await addMember(ctx.db, tenant.id, mailUsers.id, ada.id, now);
  const developer = await createRole(ctx.db, tenant.id, { name: 'developer', permissions: ['mail.send', 'templates.read'] }, now);
  const reporter = await createRole(ctx.db, tenant.id, { name: 'reporter', permissions: ['stats.read'] }, now);
  await assignRoleToGroup(ctx.db, tenant.id, staff.id, developer.id, now);
  await assignRoleToUser(ctx.db, tenant.id, ada.id, reporter.id, now);
  for (const client of [agent, seed000]) {
    const row = await ctx.db.selectFrom('clients').select('service_user_id').where('client_id', '=', client.clientId).executeTakeFirstOrThrow();
    if (row.service_user_id) await addMember(ctx.db, tenant.id, mailUsers.id, row.service_user_id, now);
  }
  const apiKey = await createApiKey(ctx.db, tenant, { ownerUserId: ada.id, name: 'Ada sending key', permissions: ['mail.send'] }, now);
  const testApiKey = await createApiKey(ctx.db, tenant, { ownerUserId: ada.id, name: 'Ada sending key (test mode)', permissions: ['mail.send'], mode: 'test' }, now);
  const gracePassword = 'grace hopper ships compilers';
  const grace = await createUser(ctx, tenant, { email: 'grace@demo.example', username: 'grace', password: gracePassword, firstName: 'Grace', lastName: 'Hopper' });
  const defaultTenant = await seedDefaultTenant(server, `${slug}-default`, password);

  return {
    slug,
    issuer: `${ctx.config.baseUrl}/t/${slug}`,
    tenantId: tenant.id,
    seed000,
    agent,
    outsider,
    mailUi,
    chat,
    sending,
    flow,
    partnerApp: { ...partnerApp, redirectUri: `${urls.spa}/partner/callback` },
    spaClientId: spa.client.clientId,
    user: { id: ada.id, email: 'ada@demo.example', password },
    outsideUser: { id: grace.id, email: 'grace@demo.example', password: gracePassword },
    apiKey: apiKey.key,
    apiKeyId: apiKey.row.id,
    testApiKey: testApiKey.key,
    defaultTenant,
    mailAudience,
  };
}

/** A second tenant left at the default settings: its password grant is off, as seed 001 says it is by default. */
async function seedDefaultTenant(server: RunningServer, slug: string, password: string): Promise<DefaultTenant> {
  const { ctx } = server;
  const tenant = await createTenant(ctx, { slug, name: 'Demo (default settings)' });
  const created = await createClient(ctx, tenant, { name: 'Password grant app', grantTypes: ['password'], scopes: ['openid', 'profile', 'email'] });
  const email = `ada@${slug}.example`;
  const user = await createUser(ctx, tenant, { email, username: 'ada', password, firstName: 'Ada', lastName: 'Lovelace' });
  return {
    slug,
    issuer: `${ctx.config.baseUrl}/t/${slug}`,
    client: { clientId: created.client.clientId, clientSecret: created.clientSecret ?? '' },
    user: { id: user.id, email, password },
  };
}
