/** The introspectors the introspection endpoint tries, in order. Add a token kind: one file, one line here. */
import { apiKeyIntrospector } from './api-key-introspector.ts';
import type { Introspector } from './introspector.ts';
import { jwtAccessTokenIntrospector } from './jwt-access-token.ts';
import { refreshTokenIntrospector } from './refresh-token.ts';

// API keys first: they are recognised by their prefix alone, without a signature check or a query.
export const introspectors: Introspector[] = [apiKeyIntrospector, jwtAccessTokenIntrospector, refreshTokenIntrospector];
