/**
 * What makes an access token an admin credential: the `latchkey:admin` scope, and an audience naming the admin
 * API (RFC 9068 §4: a resource server refuses tokens whose `aud` does not name it). A token carrying the admin
 * scope is minted for the admin API alone, so a token handed to a product API (its own `aud`) cannot be
 * replayed at /admin/v1, and an admin token is worthless to a product API that checks its audience.
 */
export const ADMIN_SCOPE = 'latchkey:admin';

/** The admin API's resource identifier: `<base URL>/admin/v1`. */
export function adminAudience(baseUrl: string): string {
  return `${baseUrl}/admin/v1`;
}

/** The `aud` of a new access token: the admin API for admin tokens, else the client's audience (default its id). */
export function audienceFor(baseUrl: string, client: { readonly clientId: string; readonly audience: string | null }, scope: readonly string[]): string {
  return scope.includes(ADMIN_SCOPE) ? adminAudience(baseUrl) : (client.audience ?? client.clientId);
}

/** Whether a verified token's `aud` (a string or a list, RFC 7519 §4.1.3) names the admin API. */
export function isForAdminApi(baseUrl: string, aud: unknown): boolean {
  const expected = adminAudience(baseUrl);
  return aud === expected || (Array.isArray(aud) && aud.includes(expected));
}
