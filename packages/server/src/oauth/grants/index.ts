/** The grant registry the token endpoint looks handlers up in. Add a grant: one file, one line here. */
import { clientCredentialsGrant } from './client-credentials.ts';
import type { Grant } from './grant.ts';

export const grants: ReadonlyMap<string, Grant> = new Map([clientCredentialsGrant].map((grant) => [grant.type, grant]));
