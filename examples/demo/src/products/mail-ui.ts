/**
 * Seed 000's internal product UI back end: the UI calls its own back end same-origin under `/v1/*` with a
 * session cookie (not for external consumption). Sign-in through `/auth/*`; the cookie is encrypted and
 * HttpOnly; unsafe requests need the CSRF token; the access token is refreshed when it expires.
 */
import { createIdpClient, createSessionCookies, createVerifier, nodeListener, protectSession, requireGroup, routeTable, sessionAuthRoutes } from '@latchkey/relying-party';
import { listen } from '../serve.ts';
import type { RunningProduct } from '../serve.ts';

export interface MailUiOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly sessionSecret: string;
  readonly port: number;
}

export async function startMailUi(options: MailUiOptions): Promise<RunningProduct> {
  const url = `http://127.0.0.1:${options.port}`;
  const verifier = createVerifier({ issuer: options.issuer, audience: options.clientId });
  const idp = createIdpClient(verifier.discovery, { clientId: options.clientId, clientSecret: options.clientSecret });
  // Loopback demo over http: `secure: false`; a real deployment keeps the default (Secure cookies).
  const sessions = createSessionCookies({ secret: options.sessionSecret, secure: false });
  const guard = { sessions, idp, verifier };
  const drafts: Array<{ id: string; subject: string; author: string }> = [];
  const api = routeTable([
    ['GET', '/v1/mailboxes', protectSession(guard, [requireGroup('mail-users')], () => Response.json({ data: [{ id: 'mbx_inbox', name: 'Inbox' }] }))],
    [
      'POST',
      '/v1/drafts',
      protectSession(guard, [requireGroup('mail-users')], async (request, principal) => {
        const body = (await request.json().catch(() => ({}))) as { subject?: string };
        const draft = { id: `drf_${drafts.length + 1}`, subject: String(body.subject ?? ''), author: principal.sub };
        drafts.push(draft);
        return Response.json({ data: draft }, { status: 201 });
      }),
    ],
  ]);
  const auth = sessionAuthRoutes({ idp, verifier, sessions, secret: options.sessionSecret, redirectUri: `${url}/auth/callback`, secure: false });
  return listen(nodeListener(auth, api), options.port);
}
