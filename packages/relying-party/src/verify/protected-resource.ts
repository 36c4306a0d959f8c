/**
 * RFC 9728 OAuth 2.0 Protected Resource Metadata: how a client that met this API's 401 learns which
 * authorization server issues its tokens (what MCP clients do before anything else). The document lives at the
 * well-known URI built from the resource identifier (§3.1: `/.well-known/oauth-protected-resource` inserted
 * between the host and the path), and every 401 points at it with `resource_metadata` (§5.1).
 */
import type { Route } from '../http/router.ts';
import type { Verifier } from './verifier.ts';

/**
 * The metadata document's URL for a resource identifier (RFC 9728 §3.1).
 * @example protectedResourceMetadataUrl('https://mail.example.com/api') // 'https://mail.example.com/.well-known/oauth-protected-resource/api'
 */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/oauth-protected-resource${path}${url.search}`;
}

/**
 * What the document says beyond the resource and its authorization server.
 * @example { scopesSupported: ['mail.read', 'mail.send'], resourceName: 'Mail API' }
 */
export interface ProtectedResourceOptions {
  readonly scopesSupported?: readonly string[];
  readonly resourceName?: string;
  readonly resourceDocumentation?: string;
}

/**
 * The RFC 9728 §2 document for a verifier created with `resource`.
 * @example Response.json(protectedResourceMetadata(verifier, { scopesSupported: ['mail.read'] }))
 */
export function protectedResourceMetadata(verifier: Verifier, options: ProtectedResourceOptions = {}): Record<string, unknown> {
  if (verifier.resource === undefined) throw new TypeError('protected resource metadata needs createVerifier({ resource })');
  return {
    resource: verifier.resource,
    authorization_servers: [verifier.discovery.issuer],
    bearer_methods_supported: ['header'],
    ...(options.scopesSupported === undefined ? {} : { scopes_supported: [...options.scopesSupported] }),
    ...(options.resourceName === undefined ? {} : { resource_name: options.resourceName }),
    ...(options.resourceDocumentation === undefined ? {} : { resource_documentation: options.resourceDocumentation }),
  };
}

/**
 * The route that serves the document, for `routeTable` (or any router: the path and a web handler).
 * @example const routes = routeTable([protectedResourceRoute(verifier, { scopesSupported: ['mail.read'] }), ['GET', '/v1/mail', mail]]);
 */
export function protectedResourceRoute(verifier: Verifier, options: ProtectedResourceOptions = {}): Route {
  const document = protectedResourceMetadata(verifier, options);
  const path = new URL(verifier.resourceMetadataUrl!).pathname;
  return ['GET', path, async () => Response.json(document, { headers: { 'cache-control': 'public, max-age=3600', 'access-control-allow-origin': '*' } })];
}
