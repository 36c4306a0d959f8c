/** The introspectors the introspection endpoint tries, in order. Add a token kind: one file, one line here. */
import type { Introspector } from './introspector.ts';
import { jwtAccessTokenIntrospector } from './jwt-access-token.ts';
import { refreshTokenIntrospector } from './refresh-token.ts';

export const introspectors: Introspector[] = [
  jwtAccessTokenIntrospector,
  refreshTokenIntrospector,
];
