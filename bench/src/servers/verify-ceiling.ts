/**
 * The verification ceiling: a bare Fastify route that only verifies the bearer JWT with `jose` against the
 * issuer's JWKS, fetched once at start, with the checks the kit makes: issuer, audience, `typ`, algorithm, `exp`
 * and `sub` present (jose alone accepts a token without `exp`), exp/nbf with the kit's default 30 s of skew.
 *
 * Environment: PORT, BENCH_ISSUER, BENCH_AUDIENCE.
 */
import Fastify from 'fastify';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { JSONWebKeySet, JWTVerifyOptions } from 'jose';

const issuer = process.env.BENCH_ISSUER!;
const audience = process.env.BENCH_AUDIENCE!;
const jwks = createLocalJWKSet((await (await fetch(`${issuer}/jwks`)).json()) as JSONWebKeySet);

// Built once, as the kit builds its own: the ceiling should be the best a bare route can do.
const checks: JWTVerifyOptions = {
  issuer,
  audience,
  typ: 'at+jwt',
  algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
  requiredClaims: ['exp', 'sub'],
  clockTolerance: 30,
};

const app = Fastify({ logger: false });
app.get('/me', async (request, reply) => {
  const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  try {
    if (token === undefined) throw new Error('no bearer token');
    const { payload } = await jwtVerify(token, jwks, checks);
    return { sub: payload.sub };
  } catch {
    return reply.code(401).send({ error: 'invalid_token' });
  }
});
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
