import type { Latchkey } from '../../context.ts';
import type { Client } from '../../db/queries/clients.ts';
import type { Tenant } from '../../db/queries/tenants.ts';

/** Who is asking: the authenticated client at the introspection endpoint, and its tenant. */
export interface IntrospectionContext {
  readonly ctx: Latchkey;
  readonly tenant: Tenant;
  readonly client: Client;
}

/**
 * One kind of token the introspection endpoint understands (JWT access tokens, refresh tokens, API keys).
 * Returns the RFC 7662 §2.2 response (`active: true` and its claims, or `active: false` for a token of this kind
 * that is expired or revoked), or `undefined` when the token is not of this kind. The endpoint answers
 * `{"active": false}` when no introspector recognises the token.
 */
export interface Introspector {
  readonly tokenTypeHint: string;
  introspect(token: string, context: IntrospectionContext): Promise<Record<string, unknown> | undefined>;
}
