import { InsufficientUserAuthentication } from '../errors.ts';
import type { AuthError } from '../errors.ts';

function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/[\r\n]/g, ' ')}"`;
}

/**
 * The RFC 6750 §3 `WWW-Authenticate` challenge for an authentication error.
 * @example
 * bearerChallenge(new InvalidToken('expired'), 'mail') // 'Bearer realm="mail", error="invalid_token", error_description="expired"'
 * bearerChallenge(new MissingCredentials(), undefined, verifier.resourceMetadataUrl) // 'Bearer resource_metadata="https://…/.well-known/oauth-protected-resource/api"'
 */
export function bearerChallenge(error: AuthError, realm?: string, resourceMetadata?: string): string {
  const params: string[] = [];
  if (realm !== undefined) params.push(`realm=${quoted(realm)}`);
  // RFC 9728 §5.1: where to learn which authorization server issues tokens for this resource.
  if (resourceMetadata !== undefined && error.status === 401) params.push(`resource_metadata=${quoted(resourceMetadata)}`);
  if (error.code !== undefined) {
    params.push(`error=${quoted(error.code)}`, `error_description=${quoted(error.message)}`);
    if (error.scope !== undefined) params.push(`scope=${quoted(error.scope)}`);
    // RFC 9470 §3: what the client must ask the authorization server for when it signs the user in again.
    if (error instanceof InsufficientUserAuthentication) {
      if (error.acrValues.length > 0) params.push(`acr_values=${quoted(error.acrValues.join(' '))}`);
      if (error.maxAge !== undefined) params.push(`max_age=${quoted(String(error.maxAge))}`);
    }
  }
  return params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`;
}
