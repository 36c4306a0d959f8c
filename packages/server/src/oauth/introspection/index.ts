/** The introspectors the introspection endpoint tries, in order. Add a token kind: one file, one line here. */
import type { Introspector } from './introspector.ts';

export const introspectors: Introspector[] = [];
