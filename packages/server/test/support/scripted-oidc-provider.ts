/**
 * A deliberately minimal OpenID provider for tests that need an upstream to misbehave in one precise way (an
 * ID token signed by a key outside its JWKS, `alg: none`, chosen claims such as `email_verified` or `tid`).
 * Discovery, JWKS, an authorize endpoint that approves at once, a token endpoint and userinfo, on 127.0.0.1.
 * It is the attacker's server in these tests, not a model of a correct provider (`oidc-provider` is that).
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { generateSigningKeyPair, importPrivateSigningKey, signJwt } from '../../src/tokens/jose.ts';
import type { JWK, PrivateSigningKey } from '../../src/tokens/jose.ts';

export type IdTokenMode = 'good' | 'foreign-key' | 'alg-none';

export interface ScriptedProvider {
  readonly issuer: string;
  /** How the next ID tokens are made, and which claims they carry. */
  mode: IdTokenMode;
  claims: Record<string, unknown>;
  close(): Promise<void>;
}

export async function startScriptedProvider(clientId: string): Promise<ScriptedProvider> {
  const published = await generateSigningKeyPair('RS256', 'published');
  const foreign = await generateSigningKeyPair('RS256', 'published'); // same kid, another key: a forgery attempt
  const signingKey = await importPrivateSigningKey(published.privateJwk as JWK, 'RS256');
  const foreignKey = await importPrivateSigningKey(foreign.privateJwk as JWK, 'RS256');
  const codes = new Map<string, { nonce: string | null }>();
  let issuer = '';
  const provider: ScriptedProvider = { issuer: '', mode: 'good', claims: { sub: 'upstream-user-1' }, close: async () => undefined };

  async function idToken(nonce: string | null): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const payload = { iss: issuer, aud: clientId, iat: now, exp: now + 300, ...(nonce ? { nonce } : {}), ...provider.claims };
    if (provider.mode === 'alg-none') return `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
    const key: PrivateSigningKey = provider.mode === 'foreign-key' ? foreignKey : signingKey;
    return signJwt(payload, key, { typ: 'JWT' });
  }

  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      void (async () => {
        const url = new URL(request.url ?? '/', issuer);
        const json = (status: number, value: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
        if (url.pathname === '/.well-known/openid-configuration') {
          return json(200, {
            issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`, userinfo_endpoint: `${issuer}/userinfo`,
            response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'], code_challenge_methods_supported: ['S256'],
          });
        }
        if (url.pathname === '/jwks') return json(200, { keys: [published.publicJwk] });
        if (url.pathname === '/authorize') {
          const code = `code-${Math.random().toString(36).slice(2)}`;
          codes.set(code, { nonce: url.searchParams.get('nonce') });
          const back = new URL(url.searchParams.get('redirect_uri')!);
          back.searchParams.set('code', code);
          back.searchParams.set('state', url.searchParams.get('state') ?? '');
          return response.writeHead(302, { location: back.href }).end();
        }
        if (url.pathname === '/token') {
          const code = new URLSearchParams(body).get('code') ?? '';
          const grant = codes.get(code);
          codes.delete(code);
          if (grant === undefined) return json(400, { error: 'invalid_grant' });
          return json(200, { access_token: `at-${code}`, token_type: 'Bearer', expires_in: 300, id_token: await idToken(grant.nonce) });
        }
        if (url.pathname === '/userinfo') return json(200, { sub: provider.claims.sub });
        return json(404, { error: 'not_found' });
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  Object.assign(provider, { issuer, close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return provider;
}
