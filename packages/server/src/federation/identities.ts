/**
 * Upstream identity -> local user (issue 18 item 4):
 * 1. a stable link (connection, upstream subject) -> user, found first, whatever the email says now;
 * 2. no link and a local account holds the email: link only when the upstream says the email is verified AND
 *    the connection is trusted for it (`trust_email`); otherwise the user must prove the local account
 *    (password) first: a silent link on an unverified email would hand the account to whoever controls the
 *    upstream account (account takeover);
 * 3. no link, no such account: a just-in-time account (when `create_users`), whose email is kept only when
 *    verified upstream, so an unverified address cannot squat a local one.
 * Group mapping adds the mapped Latchkey groups; with `sync_groups` it also removes mapped groups the upstream
 * no longer lists (groups outside the mapping are never touched).
 */
import type { Latchkey } from '../context.ts';
import type { Database } from '../db/database.ts';
import { connectionQueries } from '../db/queries/connections.ts';
import { federatedIdentityQueries } from '../db/queries/federated-identities.ts';
import type { FederatedIdentity } from '../db/queries/federated-identities.ts';
import { groupQueries } from '../db/queries/groups.ts';
import { membershipQueries } from '../db/queries/memberships.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { createUser, findUserByLogin, requireUser } from '../directory/users.ts';
import type { User } from '../directory/users.ts';
import { Conflict, NotFound, assert } from '../errors/oauth-error.ts';
import { SecretBox } from '../tokens/jose.ts';
import type { Connection } from './connections.ts';
import { FederationRefused } from './federation-errors.ts';
import type { UpstreamProfile, UpstreamTokens } from './upstream-profile.ts';

export const PENDING_LINK_LIFETIME_MS = 15 * 60 * 1000;

export type ResolvedIdentity =
  | { readonly outcome: 'signed_in'; readonly user: User; readonly created: boolean; readonly linked: boolean }
  | { readonly outcome: 'prove_local_account'; readonly user: User };

function tokenBox(ctx: Latchkey): SecretBox {
  return new SecretBox(ctx.masterSecret, 'federation-upstream-tokens');
}

async function sealTokens(ctx: Latchkey, connection: Connection, profile: UpstreamProfile): Promise<string | null> {
  if (!connection.settings.store_tokens || profile.tokens === undefined) return null;
  return tokenBox(ctx).seal(JSON.stringify(profile.tokens));
}

/** Finds or creates the user for an upstream identity, in one transaction with its links and groups. */
export async function resolveIdentity(ctx: Latchkey, tenant: Tenant, connection: Connection, profile: UpstreamProfile): Promise<ResolvedIdentity> {
  const now = ctx.now();
  const tokensJwe = await sealTokens(ctx, connection, profile);
  return ctx.db.transaction().execute(async (db) => {
    const links = federatedIdentityQueries(db);
    const existing = await links.find(connection.id, profile.subject);
    if (existing) {
      const user = await requireUser(db, tenant.id, existing.user_id);
      if (user.status !== 'active') throw new FederationRefused('account_inactive', 'This account is disabled or locked.');
      await links.touch(connection.id, profile.subject, { last_sign_in_at: now, email: profile.email ?? null, ...(tokensJwe === null ? {} : { tokens_jwe: tokensJwe }) });
      await applyGroups(db, tenant.id, connection, user.id, profile.groups, now);
      return { outcome: 'signed_in', user, created: false, linked: false };
    }
    const local = profile.email === undefined ? undefined : await findUserByLogin(db, tenant.id, profile.email);
    if (local !== undefined && local.email_normalized === profile.email!.toLowerCase()) {
      if (!(profile.emailVerified && connection.settings.trust_email)) return { outcome: 'prove_local_account', user: local };
      if (local.status !== 'active') throw new FederationRefused('account_inactive', 'This account is disabled or locked.');
      await insertLink(db, tenant.id, connection.id, profile, local.id, tokensJwe, now);
      await applyGroups(db, tenant.id, connection, local.id, profile.groups, now);
      return { outcome: 'signed_in', user: local, created: false, linked: true };
    }
    if (!connection.settings.create_users) throw new FederationRefused('no_account', 'There is no account for this identity here, and this sign-in method does not create accounts.');
    const email = profile.emailVerified ? profile.email : undefined;
    let user: User;
    try {
      user = await createUser(
        ctx,
        tenant,
        {
          email: email ?? null,
          username: email === undefined ? `${connection.slug}.${profile.subject}`.replace(/[^A-Za-z0-9._@+-]/g, '_').slice(0, 100) : null,
          firstName: profile.givenName ?? null,
          lastName: profile.familyName ?? null,
          displayName: profile.name ?? null,
        },
        db,
      );
    } catch (error) {
      if (error instanceof Conflict) throw new FederationRefused('account_conflict', 'An account with the same email or username already exists here.');
      throw error;
    }
    await insertLink(db, tenant.id, connection.id, profile, user.id, tokensJwe, now);
    await applyGroups(db, tenant.id, connection, user.id, profile.groups, now);
    return { outcome: 'signed_in', user, created: true, linked: true };
  });
}

async function insertLink(db: Database, tenantId: string, connectionId: string, profile: UpstreamProfile, userId: string, tokensJwe: string | null, now: number): Promise<void> {
  const inserted = await federatedIdentityQueries(db).insert({ connection_id: connectionId, subject: profile.subject, tenant_id: tenantId, user_id: userId, email: profile.email ?? null, tokens_jwe: tokensJwe, created_at: now, last_sign_in_at: now });
  if (!inserted) throw new FederationRefused('link_conflict', 'This identity was linked at the same moment by another sign-in; try again.');
}

/** Links an identity to a user who has just proved the local account (password) in the same interaction. */
export async function linkAfterProof(db: Database, tenantId: string, connectionId: string, subject: string, email: string | null, userId: string, now: number): Promise<void> {
  await federatedIdentityQueries(db).insert({ connection_id: connectionId, subject, tenant_id: tenantId, user_id: userId, email, tokens_jwe: null, created_at: now, last_sign_in_at: now });
}

async function applyGroups(db: Database, tenantId: string, connection: Connection, userId: string, upstreamGroups: readonly string[], now: number): Promise<void> {
  const mapping = connection.settings.group_mapping;
  if (Object.keys(mapping).length === 0) return;
  const wanted = new Set(upstreamGroups.flatMap((g) => mapping[g] ?? []));
  const mapped = new Set(Object.values(mapping).flat());
  const groups = groupQueries(db);
  const members = membershipQueries(db);
  for (const name of mapped) {
    const group = await groups.findByName(tenantId, name);
    if (group === undefined) continue;
    if (wanted.has(name)) await members.add(group.id, userId, now);
    else if (connection.settings.sync_groups) await members.remove(group.id, userId);
  }
}

export async function describeIdentity(db: Database, identity: FederatedIdentity) {
  const connection = await db.selectFrom('connections').select('slug').where('id', '=', identity.connection_id).executeTakeFirst();
  return {
    connection_id: identity.connection_id,
    connection: connection?.slug ?? '',
    subject: identity.subject,
    user_id: identity.user_id,
    email: identity.email,
    has_tokens: identity.tokens_jwe !== null,
    created_at: new Date(identity.created_at).toISOString(),
    last_sign_in_at: new Date(identity.last_sign_in_at).toISOString(),
  };
}

/**
 * Unlinks an identity. From the account page (`requireOtherWay`), the user must keep another way in: a
 * password or another linked identity, so unlinking cannot lock them out.
 */
export async function unlinkIdentity(db: Database, tenantId: string, userId: string, connectionId: string, subject: string, options: { requireOtherWay: boolean }): Promise<void> {
  const user = await requireUser(db, tenantId, userId);
  if (options.requireOtherWay) {
    const others = (await federatedIdentityQueries(db).listForUser(user.id)).filter((i) => !(i.connection_id === connectionId && i.subject === subject));
    assert(user.password_hash !== null || others.length > 0, new Conflict('this is your only way to sign in; set a password or link another identity first'));
  }
  const removed = await federatedIdentityQueries(db).delete(user.id, connectionId, subject);
  if (!removed) throw new NotFound('no such linked identity');
}

export async function readStoredTokens(ctx: Latchkey, db: Database, userId: string, connectionId: string, subject: string): Promise<UpstreamTokens | undefined> {
  const identity = await federatedIdentityQueries(db).find(connectionId, subject);
  if (identity === undefined || identity.user_id !== userId || identity.tokens_jwe === null) return undefined;
  return JSON.parse(await tokenBox(ctx).open(identity.tokens_jwe)) as UpstreamTokens;
}

/** Every connection slug of the identities of a user (the account page). */
export async function linkedIdentitiesOf(db: Database, userId: string): Promise<Array<{ connectionId: string; connection: string; name: string; subject: string; email: string | null }>> {
  const identities = await federatedIdentityQueries(db).listForUser(userId);
  const out = [];
  for (const identity of identities) {
    const row = await connectionQueries(db).find(identity.tenant_id, identity.connection_id);
    out.push({ connectionId: identity.connection_id, connection: row?.slug ?? '', name: row?.name ?? '', subject: identity.subject, email: identity.email });
  }
  return out;
}
