/**
 * The ceiling: a bare Fastify route that does nothing but sign the same JWT (same header, same claims, same
 * algorithm, a WebCrypto key like Latchkey's) with `jose` on every request. No client authentication, storage
 * or rate limiting, so no token endpoint can be faster on the same machine.
 *
 * Environment: PORT, BENCH_ALG (RS256 | ES256 | EdDSA), BENCH_CLAIMS (JSON claims template; iat, exp and jti
 * are set per request).
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { JWTPayload } from 'jose';
import { DEFAULT_CLAIMS } from './claims.ts';

const alg = process.env.BENCH_ALG ?? 'RS256';
const template = (process.env.BENCH_CLAIMS ? JSON.parse(process.env.BENCH_CLAIMS) : DEFAULT_CLAIMS) as JWTPayload;
const kid = 'ceiling-key';
const lifetime = 3600;

const { privateKey, publicKey } = await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {});
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }] };

const app = Fastify({ logger: false });
// Accept the same form body the token endpoints get, without parsing it: the ceiling does no request work.
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body));
app.post('/token', async (_request, reply) => {
  const iat = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ ...template, iat, exp: iat + lifetime, jti: randomUUID() })
    .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
    .sign(privateKey);
  reply.header('Cache-Control', 'no-store');
  return { access_token: token, token_type: 'Bearer', expires_in: lifetime };
});
app.get('/jwks', async () => jwks);

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
