/**
 * The one shape every verified credential becomes, whatever its kind: a person's JWT, a service account's
 * client_credentials JWT, or an API key checked through introspection.
 */
/**
 * What authenticated the request: a person's token, a service account's client_credentials token, or an API key.
 * @example if (principal.kind === 'api_key') auditKeyUse(principal.sub);
 */
export type PrincipalKind = 'user' | 'service' | 'api_key';

/**
 * The authenticated caller, whatever the credential.
 * @example
 * const principal = await verifier.authenticate(request.headers.get('authorization'));
 * console.log(principal.sub, principal.tenant_id, principal.groups, principal.scopes, principal.permissions);
 */
export interface Principal {
  readonly sub: string;
  readonly tenant_id: string | null;
  readonly email: string | null;
  readonly groups: readonly string[];
  readonly scopes: readonly string[];
  readonly permissions: readonly string[];
  readonly kind: PrincipalKind;
  /** The verified token's claims (or the introspection answer for API keys), for product-specific needs. */
  readonly claims: Readonly<Record<string, unknown>>;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function scopesOf(value: unknown): string[] {
  if (typeof value === 'string') {
    const scopes = value.split(' ');
    return scopes.includes('') ? scopes.filter(Boolean) : scopes;
  }
  return strings(value);
}

/**
 * A principal from verified access-token claims. A token minted by `client_credentials` names the client's
 * service account; RFC 9068 §2.2 puts `auth_time` only in tokens a person signed in for.
 * @example
 * principalFromClaims({ sub: 'usr_1', scope: 'openid', groups: ['mail'] }).scopes // ['openid']
 */
export function principalFromClaims(claims: Readonly<Record<string, unknown>>): Principal {
  const username = text(claims.preferred_username) ?? '';
  const isService = claims.auth_time === undefined && claims.sid === undefined && username.startsWith('service-account-');
  return {
    sub: String(claims.sub),
    tenant_id: text(claims.tenant_id),
    email: text(claims.email),
    groups: strings(claims.groups),
    scopes: scopesOf(claims.scope),
    permissions: strings(claims.permissions),
    // A token exchanged for an API key (RFC 8693) names the key it came from.
    kind: typeof claims.api_key_id === 'string' ? 'api_key' : isService ? 'service' : 'user',
    claims,
  };
}

/**
 * A principal from an active RFC 7662 introspection answer for an API key.
 * @example
 * principalFromIntrospection({ active: true, sub: 'usr_1', permissions: ['mail.send'] }).kind // 'api_key'
 */
export function principalFromIntrospection(answer: Readonly<Record<string, unknown>>): Principal {
  return {
    sub: String(answer.sub),
    tenant_id: text(answer.tenant_id),
    // RFC 7662 §2.2 has `username`; Latchkey puts the owner's email there when the owner has no username.
    email: text(answer.email) ?? (text(answer.username)?.includes('@') ? text(answer.username) : null),
    groups: strings(answer.groups),
    scopes: scopesOf(answer.scope),
    permissions: strings(answer.permissions),
    kind: 'api_key',
    claims: answer,
  };
}
