/**
 * A small API protected by the relying-party kit in resource mode: it names its resource identifier, publishes
 * RFC 9728 metadata, points every 401 at it, accepts only tokens whose `aud` is its identifier, and takes API
 * keys by exchanging them. This is all the configuration an API needs for agents to find their way in.
 */
import { createVerifier, noStoreJson, protect, protectedResourceRoute, requireScope, routeTable } from '@latchkey/relying-party';
import type { WebHandler } from '@latchkey/relying-party';

export interface NotesApiOptions {
  /** The tenant's issuer, e.g. http://127.0.0.1:9000/t/acme. */
  readonly issuer: string;
  /** This API's resource identifier (an API resource of the tenant), e.g. http://127.0.0.1:8787/mcp. */
  readonly resource: string;
  /** A confidential client with the token-exchange grant, to accept API keys too. */
  readonly apiKeys?: { readonly clientId: string; readonly clientSecret: string };
}

export const NOTES_SCOPES = ['notes.read', 'notes.write'];

export function notesApi(options: NotesApiOptions): WebHandler {
  const verifier = createVerifier({
    issuer: options.issuer,
    resource: options.resource,
    ...(options.apiKeys ? { apiKeys: { ...options.apiKeys, exchange: true } } : {}),
  });
  const notes: string[] = [];
  const path = new URL(options.resource).pathname;
  return routeTable([
    protectedResourceRoute(verifier, { scopesSupported: NOTES_SCOPES, resourceName: 'Notes API' }),
    ['GET', path, protect(verifier, [requireScope('notes.read')], (_request, principal) => noStoreJson({ for: principal.sub, kind: principal.kind, notes }))],
    ['POST', path, protect(verifier, [requireScope('notes.write')], async (request) => {
      const text = (await request.text()).slice(0, 1000);
      notes.push(text);
      return noStoreJson({ added: text }, 201);
    })],
  ]);
}
