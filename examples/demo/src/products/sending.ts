/**
 * Seed 003's sending service on Fastify: `/v3/auth/*` mounted with the kit's Fastify plugin, and a
 * permission-guarded `POST /v3/messages` that accepts a JWT or an API key (`sg_live_…`).
 */
import Fastify from 'fastify';
import { createIdpClient, createVerifier, fastifyGuard, fastifyHandlers, principalOf, requirePermission, sendingAuthRoutes } from '@latchkey/relying-party';
import type { RunningProduct } from '../serve.ts';

export interface SendingOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly stateSecret: string;
  readonly port: number;
}

export async function startSending(options: SendingOptions): Promise<RunningProduct> {
  const url = `http://127.0.0.1:${options.port}`;
  const verifier = createVerifier({
    issuer: options.issuer,
    audience: options.clientId,
    apiKeys: { clientId: options.clientId, clientSecret: options.clientSecret, prefixes: ['sg'] },
  });
  const idp = createIdpClient(verifier.discovery, { clientId: options.clientId, clientSecret: options.clientSecret });
  const app = Fastify();
  await app.register(fastifyHandlers([sendingAuthRoutes({ idp, verifier, redirectUri: `${url}/callback`, stateSecret: options.stateSecret })], ['/v3/auth/*']));
  app.post('/v3/messages', { preHandler: fastifyGuard(verifier, requirePermission('mail.send')) }, async (request, reply) => {
    const principal = principalOf(request);
    return reply.code(202).send({ data: { id: `msg_${Date.now().toString(36)}`, status: 'queued', sender: principal.sub, via: principal.kind } });
  });
  await app.listen({ host: '127.0.0.1', port: options.port });
  return { url, close: () => app.close() };
}
