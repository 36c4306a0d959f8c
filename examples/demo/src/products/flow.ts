/**
 * Seed 004's flow editor back end for front end: `/api/v1/auth/*` and `/v1/me`, with the product's local
 * admin-role mirror. Mounted through the Express/Connect-style middleware on `node:http`.
 */
import { createIdpClient, createVerifier, expressHandler, flowAuthRoutes } from '@latchkey/relying-party';
import type { AdminRole, Principal } from '@latchkey/relying-party';
import { listen } from '../serve.ts';
import type { RunningProduct } from '../serve.ts';

export interface FlowOptions {
  readonly issuer?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly port: number;
  /** The product's local admin roles by subject (seed 004: independent of IdP roles). */
  readonly adminRoles: ReadonlyMap<string, AdminRole>;
  readonly authMode?: 'latchkey' | 'dev_token';
  readonly nodeEnv?: string;
  readonly devToken?: string;
}

export async function startFlow(options: FlowOptions): Promise<RunningProduct> {
  const url = `http://127.0.0.1:${options.port}`;
  const configured = options.issuer && options.clientId && options.clientSecret;
  const verifier = configured ? createVerifier({ issuer: options.issuer as string, audience: options.clientId as string }) : undefined;
  const idp = verifier ? createIdpClient(verifier.discovery, { clientId: options.clientId as string, clientSecret: options.clientSecret as string }) : undefined;
  const middleware = expressHandler(
    flowAuthRoutes({
      authMode: options.authMode ?? 'latchkey',
      issuer: options.issuer,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      redirectUri: `${url}/auth/callback`,
      idp,
      verifier,
      nodeEnv: options.nodeEnv,
      devToken: options.devToken,
      adminRole: async (principal: Principal) => options.adminRoles.get(principal.sub) ?? null,
    }),
  );
  return listen((req, res) => {
    middleware(req, res, (error?: unknown) => {
      res.writeHead(error ? 500 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail: error ? 'Internal Server Error' : 'Not Found' }));
    });
  }, options.port);
}
