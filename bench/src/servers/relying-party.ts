/**
 * A product's API guarded by the relying-party kit as its README shows it: `createVerifier` (discovery, cached
 * JWKS) and `fastifyGuard` on the route. Scenario 4 loads GET /me with a Latchkey access token.
 *
 * Environment: PORT, BENCH_ISSUER, BENCH_AUDIENCE.
 */
import Fastify from 'fastify';
import { createVerifier, fastifyGuard, principalOf } from '@latchkey/relying-party';

const verifier = createVerifier({ issuer: process.env.BENCH_ISSUER!, audience: process.env.BENCH_AUDIENCE! });
const app = Fastify({ logger: false });
app.get('/me', { preHandler: fastifyGuard(verifier) }, async (request) => ({ sub: principalOf(request).sub }));
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
