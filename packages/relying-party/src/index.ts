/**
 * @latchkey/relying-party: accept Latchkey access tokens and API keys, guard routes, and offer the `/auth/*`
 * endpoints product back ends document. Framework-neutral core on web-standard Request/Response, with
 * adapters for `node:http`, Express/Connect and Fastify.
 */
export { AuthError, IdpUnavailable, InsufficientScope, InsufficientUserAuthentication, InvalidToken, MissingCredentials } from './errors.ts';
export type { BearerErrorCode } from './errors.ts';
export type { Principal, PrincipalKind } from './principal.ts';
export { principalFromClaims, principalFromIntrospection } from './principal.ts';
export { createVerifier } from './verify/verifier.ts';
export type { Verifier, VerifierOptions } from './verify/verifier.ts';
export type { ApiKeyOptions } from './verify/api-key-verifier.ts';
export { protectedResourceMetadata, protectedResourceMetadataUrl, protectedResourceRoute } from './verify/protected-resource.ts';
export type { ProtectedResourceOptions } from './verify/protected-resource.ts';
export { discoverIssuer } from './verify/issuer-metadata.ts';
export type { IssuerDiscovery, IssuerMetadata } from './verify/issuer-metadata.ts';
export { createJwksCache } from './verify/jwks-cache.ts';
export type { JwksCache } from './verify/jwks-cache.ts';
export { DEFAULT_ALGORITHMS } from './verify/jwt-verifier.ts';
export { verifyIdToken } from './verify/id-token.ts';
export { anyOf, requireAcr, requireAmr, requireGroup, requirePermission, requireScope } from './guards.ts';
export type { Guard } from './guards.ts';
export { authenticateRequest, authErrorBody, authErrorResponse, protect } from './http/web.ts';
export type { PrincipalHandler } from './http/web.ts';
export { bearerChallenge } from './http/www-authenticate.ts';
export { nodeListener, toWebRequest, writeWebResponse } from './http/node-bridge.ts';
export type { WebHandler } from './http/node-bridge.ts';
export { BodyTooLarge, DEFAULT_BODY_LIMIT } from './http/body-limit.ts';
export type { BridgeOptions } from './http/body-limit.ts';
export { expressGuard, expressHandler } from './http/express.ts';
export type { Middleware, NextFunction } from './http/express.ts';
export { fastifyGuard, fastifyHandlers, principalOf } from './http/fastify.ts';
export { createSealer } from './http/sealer.ts';
export type { Sealer } from './http/sealer.ts';
export { readParams } from './http/request-body.ts';
export { createIdpClient } from './idp/idp-client.ts';
export type { IdpClient, IdpClientOptions, TokenResult, TokenSet } from './idp/idp-client.ts';
export { createPkcePair, randomToken } from './idp/pkce.ts';
export { routeTable, noStoreJson } from './http/router.ts';
export type { Route, RouteHandler } from './http/router.ts';
export { chatAuthRoutes } from './dialects/chat-v1.ts';
export type { ChatAuthOptions, Participant } from './dialects/chat-v1.ts';
export { sendingAuthRoutes } from './dialects/sending-v3.ts';
export type { SendingAuthOptions } from './dialects/sending-v3.ts';
export { flowAuthRoutes } from './dialects/flow-bff.ts';
export type { AdminRole, FlowAuthOptions } from './dialects/flow-bff.ts';
export { loadProfile } from './dialects/profile.ts';
export type { Profile } from './dialects/profile.ts';
export { createSessionCookies } from './session/session-store.ts';
export type { Session, SessionCookieOptions, SessionCookies } from './session/session-store.ts';
export { authenticateSession, checkCsrf, protectSession } from './session/session-guard.ts';
export type { SessionAuthentication, SessionGuardOptions } from './session/session-guard.ts';
export { sessionAuthRoutes } from './session/session-routes.ts';
export type { SessionRoutesOptions } from './session/session-routes.ts';
