/**
 * The GitHub preset (OAuth 2.0 without OpenID Connect, issue 18 acceptance) against a local server speaking
 * GitHub's documented endpoints: `/login/oauth/authorize`, `/login/oauth/access_token`, `GET /user`,
 * `GET /user/emails`. The preset's endpoints point at it through the context (code only, no configuration or
 * API can do that). Sign-in works; an account whose primary email is unverified is never linked to an existing
 * local account, even on a connection trusted for verified emails. SQLite and PostgreSQL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLatchkey } from '../../src/context.ts';
import { startServer } from '../../src/server.ts';
import type { RunningServer } from '../../src/server.ts';
import { createTestDatabase, DIALECTS } from '../support/databases.ts';
import type { TestDatabase } from '../support/databases.ts';
import { freePort, TEST_SECRET } from '../support/server.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { exchangeCode } from '../support/sign-in.ts';
import { addConnection, createDownstream, walkFederatedSignIn } from '../support/federation.ts';

interface GithubAccount {
  id: number;
  login: string;
  name: string | null;
  emails: Array<{ email: string; primary: boolean; verified: boolean }>;
}

/** GitHub's endpoints as documented (docs.github.com: authorizing OAuth apps; REST users and emails). */
async function startGithub(clientId: string, clientSecret: string): Promise<{ base: string; server: Server; account: { current: GithubAccount }; seen: URLSearchParams[] }> {
  const account = { current: { id: 1, login: 'octocat', name: 'The Octocat', emails: [{ email: 'octocat@github.example', primary: true, verified: true }] } as GithubAccount };
  const codes = new Map<string, { challenge: string | null; account: GithubAccount }>();
  const tokens = new Map<string, GithubAccount>();
  const seen: URLSearchParams[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const json = (status: number, value: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (url.pathname === '/login/oauth/authorize') {
        seen.push(url.searchParams);
        if (url.searchParams.get('client_id') !== clientId) return json(400, { error: 'bad client' });
        const code = `gh-${Math.random().toString(36).slice(2)}`;
        codes.set(code, { challenge: url.searchParams.get('code_challenge'), account: structuredClone(account.current) });
        const back = new URL(url.searchParams.get('redirect_uri')!);
        back.searchParams.set('code', code);
        back.searchParams.set('state', url.searchParams.get('state') ?? '');
        return response.writeHead(302, { location: back.href }).end();
      }
      if (url.pathname === '/login/oauth/access_token' && request.method === 'POST') {
        const form = new URLSearchParams(body);
        const basic = Buffer.from((request.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
        const [id, secret] = basic.split(':').map(decodeURIComponent);
        if (id !== clientId || secret !== clientSecret) return json(401, { error: 'incorrect_client_credentials' });
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (grant === undefined) return json(400, { error: 'bad_verification_code' });
        const token = `gho_${Math.random().toString(36).slice(2)}`;
        tokens.set(token, grant.account);
        return json(200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
      }
      const holder = tokens.get((request.headers.authorization ?? '').replace(/^Bearer /i, ''));
      if (holder === undefined) return json(401, { message: 'Bad credentials' });
      if (url.pathname === '/user') return json(200, { id: holder.id, login: holder.login, name: holder.name, email: null });
      if (url.pathname === '/user/emails') return json(200, holder.emails.map((e) => ({ ...e, visibility: e.primary ? 'public' : null })));
      return json(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, server, account, seen };
}

for (const dialect of DIALECTS) {
  describe(`federation: the GitHub preset (${dialect})`, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let github: Awaited<ReturnType<typeof startGithub>>;
    let acme: SignInFixture;

    async function counts() {
      const users = await server.ctx.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const links = await server.ctx.db.selectFrom('federated_identities').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return { users: Number(users.n), links: Number(links.n) };
    }

    before(async () => {
      github = await startGithub('Iv1.acme', 'github-client-secret');
      database = await createTestDatabase(dialect);
      const config = loadConfig({ HOST: '127.0.0.1', PORT: String(await freePort()), LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_SECRET: TEST_SECRET, LATCHKEY_LOG_LEVEL: 'silent' });
      const ctx = await createLatchkey(config, {
        federationPresets: { github: { authorizationEndpoint: `${github.base}/login/oauth/authorize`, tokenEndpoint: `${github.base}/login/oauth/access_token`, userEndpoint: `${github.base}/user`, emailsEndpoint: `${github.base}/user/emails` } },
      });
      server = await startServer(config, ctx);
      acme = await createDownstream(server, 'acme');
      await addConnection(server, acme.tenant, { preset: 'github', settings: { client_id: 'Iv1.acme', trust_email: true }, secrets: { client_secret: 'github-client-secret' } });
    });
    after(async () => {
      await server.close();
      await database.drop();
      await new Promise((resolve) => github.server.close(resolve));
    });

    it('signs in with GitHub: the numeric id is the subject, the verified primary email is kept', async () => {
      const walk = await walkFederatedSignIn({ downstream: acme, choice: { button: 'github' } });
      const code = walk.callback?.searchParams.get('code');
      assert.ok(code, walk.stoppedAt?.body.slice(0, 600));
      const response = await exchangeCode({ issuer: acme.issuer, clientId: acme.clientId, clientSecret: acme.clientSecret, redirectUri: acme.redirectUri, code, codeVerifier: walk.pkce.verifier });
      assert.equal(response.status, 200);
      const link = await server.ctx.db.selectFrom('federated_identities').selectAll().where('subject', '=', '1').executeTakeFirstOrThrow();
      const user = await server.ctx.db.selectFrom('users').selectAll().where('id', '=', link.user_id).executeTakeFirstOrThrow();
      assert.equal(user.email, 'octocat@github.example');
      assert.equal(user.display_name, 'The Octocat');
      const authorize = github.seen.at(-1)!;
      assert.equal(authorize.get('scope'), 'read:user user:email');
      assert.equal(authorize.get('code_challenge_method'), 'S256');
      assert.equal(authorize.get('redirect_uri'), `${acme.issuer}/federation/github/callback`);
    });

    it('does not link a GitHub account whose primary email is unverified to the local account with that email', async () => {
      github.account.current = { id: 2, login: 'mallory', name: null, emails: [{ email: acme.login, primary: true, verified: false }] };
      const before = await counts();
      const walk = await walkFederatedSignIn({ downstream: acme, choice: { button: 'github' } });
      assert.equal(walk.callback, undefined);
      assert.ok(walk.stoppedAt?.url.includes('link=github'), 'the user would have to prove the local account');
      assert.deepEqual(await counts(), before, 'no account created, nothing linked');
      const link = await server.ctx.db.selectFrom('federated_identities').selectAll().where('user_id', '=', acme.user.id).execute();
      assert.equal(link.length, 0);
    });

    it('ignores a verified address that is not the primary one', async () => {
      github.account.current = { id: 3, login: 'eve', name: 'Eve', emails: [{ email: 'eve@github.example', primary: true, verified: false }, { email: acme.login, primary: false, verified: true }] };
      const walk = await walkFederatedSignIn({ downstream: acme, choice: { button: 'github' } });
      assert.ok(walk.callback?.searchParams.get('code'), walk.stoppedAt?.body.slice(0, 400));
      const link = await server.ctx.db.selectFrom('federated_identities').selectAll().where('subject', '=', '3').executeTakeFirstOrThrow();
      assert.notEqual(link.user_id, acme.user.id, 'a new account, not the local one');
      const user = await server.ctx.db.selectFrom('users').selectAll().where('id', '=', link.user_id).executeTakeFirstOrThrow();
      assert.equal(user.email, null, 'the unverified primary address is not kept');
    });
  });
}
