import type { FastifyRequest } from 'fastify';
import type { Latchkey } from '../../context.ts';
import type { Client } from '../../db/queries/clients.ts';
import type { Tenant } from '../../db/queries/tenants.ts';
import type { ClientAuthMethod } from '../client-authentication.ts';
import type { Params } from '../request-params.ts';

/** What a grant handler gets: the authenticated client, its tenant, and the request's parameters. */
export interface GrantContext {
  readonly ctx: Latchkey;
  readonly request: FastifyRequest;
  readonly params: Params;
  readonly tenant: Tenant;
  readonly client: Client;
  readonly clientAuthMethod: ClientAuthMethod;
}

/** RFC 6749 §5.1 */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly scope?: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
  /** RFC 8693 §2.2.1 (token exchange only). */
  readonly issued_token_type?: string;
}

/** One grant type: `grants/<grant-type>.ts` exports one of these and `grants/index.ts` registers it. */
export interface Grant {
  readonly type: string;
  handle(context: GrantContext): Promise<TokenResponse>;
}
