/**
 * The claims a Latchkey client_credentials access token carries by default (RFC 9068 plus the service
 * account's `preferred_username`, `groups` and `tenant_id`). Scenarios replace it with the claims of a real
 * Latchkey token read in the same run, so the ceiling signs byte-for-byte comparable payloads.
 */
export const DEFAULT_CLAIMS = {
  iss: 'http://127.0.0.1:9000/t/bench',
  sub: 'usr_01JBENCH0000000000000000000',
  aud: 'bench-client-0000000000000000000000',
  client_id: 'bench-client-0000000000000000000000',
  scope: 'openid profile email',
  preferred_username: 'service-account-bench-client-0000000000000000000000',
  groups: [],
  tenant_id: 'tnt_01JBENCH0000000000000000000',
} as const;

/** A claims template from a decoded token: the per-request claims (iat, exp, jti) are dropped. */
export function claimsTemplate(payload: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { iat: _iat, exp: _exp, jti: _jti, ...rest } = payload;
  return rest;
}
