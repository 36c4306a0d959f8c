/** The grant registry the token endpoint looks handlers up in. Add a grant: one file, one line here. */
import { authorizationCodeGrant } from './authorization-code.ts';
import { clientCredentialsGrant } from './client-credentials.ts';
import type { Grant } from './grant.ts';
import { passwordGrant } from './password.ts';
import { refreshTokenGrant } from './refresh-token.ts';
import { tokenExchangeGrant } from './token-exchange.ts';

export const grants: ReadonlyMap<string, Grant> = new Map(
  [
    clientCredentialsGrant,
    authorizationCodeGrant,
    refreshTokenGrant,
    passwordGrant,
    tokenExchangeGrant,
  ].map((grant) => [grant.type, grant]),
);
