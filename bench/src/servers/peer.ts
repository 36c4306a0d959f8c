/**
 * The peer: `oidc-provider` (the certified Node implementation) issuing JWT access tokens (RFC 9068, through its
 * resource indicators feature) for client_credentials with client_secret_basic, on its default in-memory
 * adapter. It signs with `jose` over WebCrypto, the same primitive Latchkey and the ceiling use.
 *
 * Environment: PORT, BENCH_ALG (RS256 | ES256 | EdDSA), BENCH_CLIENT_ID, BENCH_CLIENT_SECRET.
 */
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const alg = process.env.BENCH_ALG ?? 'RS256';
const port = Number(process.env.PORT ?? 0);
const issuer = `http://127.0.0.1:${port}`;
const audience = 'https://api.bench.example';

async function privateJwk(keyAlg: string, kid: string) {
  const { privateKey } = await generateKeyPair(keyAlg, { extractable: true, ...(keyAlg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  return { ...(await exportJWK(privateKey)), kid, alg: keyAlg, use: 'sig' };
}

// oidc-provider signs ID tokens with RS256 by default, so it always needs an RS256 key besides the one measured.
const keys = [await privateJwk(alg, `peer-${alg}`)];
if (alg !== 'RS256') keys.push(await privateJwk('RS256', 'peer-RS256'));

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.BENCH_CLIENT_ID ?? 'bench-client',
      client_secret: process.env.BENCH_CLIENT_SECRET ?? 'bench-secret',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'api',
    },
  ],
  jwks: { keys },
  enabledJWA: { idTokenSigningAlgValues: ['RS256', 'ES256', 'EdDSA'] },
  scopes: ['api'],
  ttl: { ClientCredentials: 3600 },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({ scope: 'api', audience, accessTokenFormat: 'jwt', accessTokenTTL: 3600, jwt: { sign: { alg } } }),
    },
  },
});

const server = createServer(provider.callback());
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
