/**
 * The little of oidc-provider's API the peer server uses. Declared here rather than adding @types/oidc-provider
 * to the lockfile for one file of the benchmarks.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    callback(): (request: IncomingMessage, response: ServerResponse) => void;
  }
}
