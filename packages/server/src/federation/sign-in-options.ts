/**
 * What the sign-in page needs from federation: the buttons (one per enabled connection), home-realm discovery
 * (an email whose domain an enabled connection claims goes straight to it; domains are set by the tenant's
 * admins), `idp_hint` / `kc_idp_hint`, and linking after the user proved the local account with a password.
 */
import type { Latchkey } from '../context.ts';
import { connectionQueries } from '../db/queries/connections.ts';
import { federatedIdentityQueries } from '../db/queries/federated-identities.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import { requireConnection, toConnection } from './connections.ts';
import type { Connection } from './connections.ts';
import { linkAfterProof } from './identities.ts';
import { knownAuthorizationEndpoint } from './oidc-upstream.ts';

export interface SignInButton {
  readonly slug: string;
  readonly name: string;
}

export interface SignInOptions {
  readonly buttons: SignInButton[];
  /**
   * Origins the page's forms may end up at: a button (or home-realm discovery) posts to this server, which
   * redirects upstream, and CSP `form-action` covers the redirect's target too (Chromium enforces it).
   */
  readonly formTargets: string[];
}

function upstreamOrigin(ctx: Latchkey, connection: Connection): string[] {
  if (connection.type === 'oauth2') return [new URL(ctx.federationPresets.github.authorizationEndpoint).origin];
  if (connection.type === 'saml') return connection.settings.idp_sso_url === undefined ? [] : [new URL(connection.settings.idp_sso_url).origin];
  // The issuer's origin always; the authorization endpoint's once discovery has run (usually the same origin).
  // A slow or unreachable upstream never delays the page: its button still shows, and its start reports the
  // problem on the error page.
  const endpoint = knownAuthorizationEndpoint(ctx, connection);
  return [new URL(connection.settings.issuer!).origin, ...(endpoint === undefined ? [] : [new URL(endpoint).origin])];
}

export async function signInOptions(ctx: Latchkey, tenant: Tenant): Promise<SignInOptions> {
  const rows = await connectionQueries(ctx.db).listEnabled(tenant.id);
  const targets = new Set<string>();
  for (const row of rows) for (const origin of upstreamOrigin(ctx, toConnection(row, []))) targets.add(origin);
  return { buttons: rows.map((row) => ({ slug: row.slug, name: row.name })), formTargets: [...targets] };
}

/** The enabled connection claiming the domain of `login`, if `login` is an email address. */
export async function connectionForLogin(ctx: Latchkey, tenant: Tenant, login: string): Promise<Connection | undefined> {
  const at = login.lastIndexOf('@');
  if (at < 1 || at === login.length - 1) return undefined;
  const domain = login.slice(at + 1).trim().toLowerCase();
  if (domain.length > 253) return undefined;
  const queries = connectionQueries(ctx.db);
  const id = await queries.domainOwner(tenant.id, domain);
  if (id === undefined) return undefined;
  const row = await queries.find(tenant.id, id);
  return row !== undefined && row.enabled === 1 ? toConnection(row, []) : undefined;
}

/** The enabled connection an `idp_hint` names (by slug), or undefined: an unknown hint shows the page. */
export async function connectionForHint(ctx: Latchkey, tenant: Tenant, hint: string | undefined): Promise<Connection | undefined> {
  if (hint === undefined || hint.length > 100) return undefined;
  const connection = await requireConnection(ctx.db, tenant.id, hint).catch(() => undefined);
  return connection?.enabled ? connection : undefined;
}

/** The name of the connection waiting to be linked in this interaction (for the page's notice). */
export async function pendingLinkName(ctx: Latchkey, tenant: Tenant, interactionHash: string): Promise<string | undefined> {
  const pending = await federatedIdentityQueries(ctx.db).findPendingLink(interactionHash, ctx.now());
  if (pending === undefined || pending.tenant_id !== tenant.id) return undefined;
  return (await connectionQueries(ctx.db).find(tenant.id, pending.connection_id))?.name;
}

/**
 * After a password sign-in: links the identity waiting in this interaction, but only to the account whose
 * email the upstream presented (proving another account links nothing).
 */
export async function linkPendingIdentity(ctx: Latchkey, tenant: Tenant, interactionHash: string, userId: string, ip: string): Promise<void> {
  const now = ctx.now();
  const pending = await federatedIdentityQueries(ctx.db).takePendingLink(interactionHash, now);
  if (pending === undefined || pending.tenant_id !== tenant.id || pending.user_id !== userId) return;
  await ctx.db.transaction().execute((trx) => linkAfterProof(trx, tenant.id, pending.connection_id, pending.subject, pending.email, userId, now));
  await recordAuditEvent(ctx, { action: 'identity.link', tenantId: tenant.id, ip, actor: { type: 'user', id: userId }, target: { type: 'user', id: userId }, details: { connection_id: pending.connection_id, proof: 'password' } });
}
