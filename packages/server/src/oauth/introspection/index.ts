/** The introspectors the introspection endpoint tries, in order. Add a token kind: one file, one line here. */
import { apiKeyIntrospector } from './api-key-introspector.ts';
import type { Introspector } from './introspector.ts';

export const introspectors: Introspector[] = [apiKeyIntrospector];
