/**
 * Which browser sessions began upstream. The session's own `amr` is `["fed"]` (set by `startSession`, carried
 * into grants and tokens by the authentication code; RFC 8176 registers no value for federation, and `fed` is
 * the one Keycloak, Ping and others use). This table adds the connection, for the `idp` claim when the
 * connection's `idp_claim` asks for it, and keeps the upstream's own `amr`/`acr` (also in the audit event) as
 * the record of how the user signed in there. A password sign-in in the same session (`prompt=login`) ends it.
 */
import type { Database } from '../db/database.ts';

export const FEDERATED_AMR = 'fed';

export async function markFederatedSession(db: Database, sessionId: string, connectionId: string, upstream: { amr: readonly string[]; acr: string | undefined }): Promise<void> {
  await db.deleteFrom('federated_sessions').where('session_id', '=', sessionId).execute();
  await db.insertInto('federated_sessions').values({ session_id: sessionId, connection_id: connectionId, upstream_amr: JSON.stringify(upstream.amr), upstream_acr: upstream.acr ?? null }).execute();
}

export async function unmarkFederatedSession(db: Database, sessionId: string): Promise<void> {
  await db.deleteFrom('federated_sessions').where('session_id', '=', sessionId).execute();
}

/** The claims an ID token of this session gains (`idp`); empty for a session that did not begin upstream. */
export async function federatedSessionClaims(db: Database, sessionId: string | null): Promise<Record<string, unknown>> {
  if (sessionId === null) return {};
  const row = await db
    .selectFrom('federated_sessions')
    .innerJoin('connections', 'connections.id', 'federated_sessions.connection_id')
    .select(['connections.slug', 'connections.settings'])
    .where('federated_sessions.session_id', '=', sessionId)
    .executeTakeFirst();
  if (row === undefined) return {};
  const idpClaim = (JSON.parse(row.settings) as { idp_claim?: boolean }).idp_claim === true;
  return idpClaim ? { idp: row.slug } : {};
}
