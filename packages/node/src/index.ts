/** @latchkey/node: a client-credentials token source for server-to-server callers of Latchkey-protected APIs. */
export { createTokenSource, TokenRequestError } from './token-source.ts';
export type { TokenSource, TokenSourceOptions } from './token-source.ts';
export { retryAfterMs } from './retry-after.ts';
