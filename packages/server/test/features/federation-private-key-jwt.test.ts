/**
 * An `oidc` connection that authenticates to its upstream with `private_key_jwt` (RFC 7523 §2.2; OpenID
 * Connect Core §9), against `oidc-provider`, which refuses the code exchange unless the client assertion is
 * signed by the key it has registered. The private JWK is a sealed secret of the connection.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import { generateSigningKeyPair } from '../../src/tokens/jose.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { exchangeCode, fetchWithJar, postFormWithJar, readForm } from '../support/sign-in.ts';
import { addConnection, callbackUrl, createDownstream, walkFederatedSignIn } from '../support/federation.ts';

async function startProvider(redirectUri: string, publicJwk: Record<string, unknown>): Promise<{ issuer: string; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'latchkey-pkjwt', redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [publicJwk] } }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    async findAccount(_ctx: unknown, id: string) {
      return { accountId: id, claims: () => ({ sub: id, email: `${id}@pkjwt.example`, email_verified: true }) };
    },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
  } as ConstructorParameters<typeof Provider>[1]);
  server.on('request', provider.callback());
  return { issuer, server };
}

describe('federation: an oidc connection with private_key_jwt client authentication (oidc-provider)', () => {
  let server: TestServer;
  let acme: SignInFixture;
  let upstream: { issuer: string; server: Server };

  before(async () => {
    server = await startTestServer('sqlite');
    acme = await createDownstream(server, 'acme');
    const pair = await generateSigningKeyPair('ES256', 'latchkey-acme-1');
    upstream = await startProvider(callbackUrl(server, 'acme', 'pkjwt'), pair.publicJwk as Record<string, unknown>);
    await addConnection(server, acme.tenant, { slug: 'pkjwt', name: 'PK JWT', type: 'oidc', settings: { issuer: upstream.issuer, client_id: 'latchkey-pkjwt', client_auth: 'private_key_jwt', scopes: ['openid', 'email'] }, secrets: { private_key_jwk: pair.privateJwk as Record<string, unknown> } });
  });
  after(async () => {
    await server.stop();
    await new Promise((resolve) => upstream.server.close(resolve));
  });

  it('exchanges the code with a signed client assertion and signs the user in', async () => {
    const walk = await walkFederatedSignIn({ downstream: acme, choice: { button: 'pkjwt' } });
    // oidc-provider's development pages: sign in (any login), then confirm.
    assert.ok(walk.stoppedAt?.url.startsWith(upstream.issuer), walk.stoppedAt?.url);
    const login = readForm(walk.stoppedAt!.body);
    let response = await postFormWithJar(walk.jar, new URL(login.action, upstream.issuer).href, { ...login.fields, login: 'kim', password: 'x' });
    for (let hop = 0; hop < 10 && [302, 303].includes(response.status); hop++) {
      const next = new URL(response.headers.get('location')!, upstream.issuer);
      if (next.href.startsWith(acme.redirectUri)) {
        const code = next.searchParams.get('code');
        assert.ok(code, next.href);
        const tokens = (await (await exchangeCode({ issuer: acme.issuer, clientId: acme.clientId, clientSecret: acme.clientSecret, redirectUri: acme.redirectUri, code, codeVerifier: walk.pkce.verifier })).json()) as { id_token: string };
        const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1]!, 'base64url').toString()) as { sub: string; amr: string[] };
        const link = await server.ctx.db.selectFrom('federated_identities').selectAll().where('subject', '=', 'kim').executeTakeFirstOrThrow();
        assert.equal(claims.sub, link.user_id);
        assert.deepEqual(claims.amr, ['fed']);
        return;
      }
      const page = await fetchWithJar(walk.jar, next.href);
      if (page.status === 200) {
        const form = readForm(await page.text());
        // acme's consent page needs its decision; oidc-provider's pages post their fields as they are.
        response = await postFormWithJar(walk.jar, new URL(form.action, next).href, next.pathname.endsWith('/t/acme/consent') ? { ...form.fields, decision: 'allow' } : form.fields);
      } else {
        response = page;
      }
    }
    assert.fail(`did not reach the client: ${response.status} ${(await response.text()).slice(0, 400)}`);
  });
});
