/**
 * Seed 000's resource API (`mail.askapi.ca/v1/*`): bearer-authenticated `GET /v1/me` and `GET /v1/mailboxes`
 * (needs scope `mail:read` or membership of `mail-users`), on plain `node:http`.
 */
import { anyOf, createVerifier, nodeListener, protect, requireGroup, requireScope, routeTable } from '@latchkey/relying-party';
import type { Principal } from '@latchkey/relying-party';
import { listen } from '../serve.ts';
import type { RunningProduct } from '../serve.ts';

export interface MailApiOptions {
  readonly issuer: string;
  /** The mail API's own audience and the client ids whose tokens it accepts (seed 000: `aud` = the client_id). */
  readonly audience: string | readonly string[];
  readonly port: number;
  /** The mail product's own client, for introspecting API keys. */
  readonly introspectionClient?: { clientId: string; clientSecret: string };
}

const describe = (principal: Principal) => ({
  sub: principal.sub,
  kind: principal.kind,
  tenant_id: principal.tenant_id,
  email: principal.email,
  preferred_username: principal.claims.preferred_username ?? null,
  groups: principal.groups,
  scopes: principal.scopes,
});

export async function startMailApi(options: MailApiOptions): Promise<RunningProduct> {
  const verifier = createVerifier({
    issuer: options.issuer,
    audience: options.audience,
    apiKeys: options.introspectionClient ? { ...options.introspectionClient } : undefined,
  });
  const mailboxes = (principal: Principal) => [
    { id: 'mbx_inbox', name: 'Inbox', owner: principal.sub, unread: 3 },
    { id: 'mbx_archive', name: 'Archive', owner: principal.sub, unread: 0 },
  ];
  const routes = routeTable([
    ['GET', '/v1/me', protect(verifier, [], (_request, principal) => Response.json(describe(principal)), 'mail')],
    ['GET', '/v1/mailboxes', protect(verifier, [anyOf(requireScope('mail:read'), requireGroup('mail-users'))], (_request, principal) => Response.json({ data: mailboxes(principal) }), 'mail')],
  ]);
  // The SPA on another origin calls this API with a bearer token (no cookies), so any origin may.
  const cors = async (request: Request) => {
    if (request.method !== 'OPTIONS') {
      const response = await routes(request);
      if (!response) return undefined;
      const headers = new Headers(response.headers);
      headers.set('access-control-allow-origin', '*');
      headers.set('access-control-expose-headers', 'WWW-Authenticate');
      return new Response(response.body, { status: response.status, headers });
    }
    return new Response(null, { status: 204, headers: { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'Authorization, Content-Type', 'access-control-allow-methods': 'GET, OPTIONS' } });
  };
  return listen(nodeListener(cors), options.port);
}
