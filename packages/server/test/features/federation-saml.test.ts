/**
 * SAML 2.0 federation (issue 18 acceptance) with samlify as the IdP (throwaway certificate): the SP metadata is
 * served, AuthnRequests are signed (the IdP checks), a user signs in through HTTP-POST with mapped groups, and
 * the refusals: an unsigned assertion, a wrong audience, a wrong recipient, an expired assertion, a wrapped
 * signature, a response to someone else's InResponseTo, and a replayed assertion across two instances sharing
 * the database. Each refusal creates and links nothing. SQLite and PostgreSQL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, DIALECTS } from '../support/databases.ts';
import type { TestDatabase } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { CookieJar, exchangeCode, fetchWithJar, postFormWithJar, readForm } from '../support/sign-in.ts';
import { addConnection, createDownstream, walkFederatedSignIn } from '../support/federation.ts';
import { startSamlIdp, throwawayCertificate } from '../support/saml-idp.ts';
import type { SamlFault, TestSamlIdp } from '../support/saml-idp.ts';

for (const dialect of DIALECTS) {
  describe(`federation: SAML 2.0 with a samlify IdP (${dialect})`, () => {
    let database: TestDatabase;
    let server: TestServer;
    let second: TestServer;
    let acme: SignInFixture;
    let idp: TestSamlIdp;

    function alertOf(body: string): string {
      return /role="alert"[^>]*>([^<]*)</.exec(body)?.[1] ?? body.slice(0, 300);
    }

    async function counts() {
      const users = await server.ctx.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const links = await server.ctx.db.selectFrom('federated_identities').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return { users: Number(users.n), links: Number(links.n) };
    }

    /** Up to the IdP's auto-submit form: what a browser would POST to the ACS. */
    async function responseFromIdp(fault: SamlFault, nameId = 'okta-user-1'): Promise<{ jar: CookieJar; acs: string; fields: Record<string, string>; pkce: { verifier: string } }> {
      idp.next = { fault, user: { ...idp.next.user, nameId, email: nameId === 'okta-user-1' ? 'sam@okta.example' : `${nameId}@okta.example` } };
      const walk = await walkFederatedSignIn({ downstream: acme, choice: { button: 'okta' } });
      const stopped = walk.stoppedAt;
      assert.ok(stopped !== undefined && stopped.url.startsWith(`${idp.base}/sso?`), stopped?.url);
      assert.equal(stopped.status, 200, stopped.body.slice(0, 300));
      const { action, fields } = readForm(stopped.body);
      return { jar: walk.jar, acs: action, fields, pkce: walk.pkce };
    }

    /** Posts to the ACS (of `at`) and follows our redirects to the client; returns the code or the refusal page. */
    async function postToAcs(at: TestServer, posted: Awaited<ReturnType<typeof responseFromIdp>>): Promise<{ code?: string; status: number; body: string }> {
      const acs = posted.acs.replace(server.url, at.url);
      let response = await postFormWithJar(posted.jar, acs, posted.fields);
      for (let hop = 0; hop < 6 && (response.status === 302 || response.status === 303); hop++) {
        const next = new URL(response.headers.get('location')!, at.url);
        if (next.href.startsWith(acme.redirectUri)) return { code: next.searchParams.get('code') ?? undefined, status: 303, body: '' };
        const page = await fetchWithJar(posted.jar, next.href);
        if (next.pathname.endsWith('/consent') && page.status === 200) {
          const { action, fields } = readForm(await page.text());
          response = await postFormWithJar(posted.jar, action, { ...fields, decision: 'allow' });
        } else {
          response = page;
        }
      }
      return { status: response.status, body: await response.text() };
    }

    before(async () => {
      database = await createTestDatabase(dialect);
      server = await startTestServer(dialect, {}, database);
      second = await startTestServer(dialect, { LATCHKEY_BASE_URL: server.config.baseUrl }, database);
      acme = await createDownstream(server, 'acme');
      idp = await startSamlIdp();
      const sp = throwawayCertificate('latchkey-acme-sp');
      await addConnection(server, acme.tenant, {
        slug: 'okta', name: 'Okta', type: 'saml', domains: ['okta.example'],
        settings: { idp_metadata_xml: idp.metadata, sp_certificate: sp.cert, group_mapping: { Engineering: ['developers'] } },
        secrets: { sp_private_key: sp.key },
      });
      const metadata = await fetch(`${acme.issuer}/federation/okta/metadata`);
      assert.equal(metadata.status, 200);
      idp.trust(await metadata.text());
    });
    after(async () => {
      await idp.close();
      await second.stop();
      await server.stop();
      await database.drop();
    });

    it('serves the SP metadata: entity id, ACS URL (HTTP-POST), signing certificate, signed requests and assertions wanted', async () => {
      const response = await fetch(`${acme.issuer}/federation/okta/metadata`);
      assert.match(response.headers.get('content-type') ?? '', /application\/samlmetadata\+xml/);
      const xml = await response.text();
      assert.ok(xml.includes(`entityID="${acme.issuer}/federation/okta/metadata"`), xml.slice(0, 400));
      assert.ok(xml.includes(`Location="${acme.issuer}/federation/okta/acs"`));
      assert.ok(xml.includes('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST'));
      assert.ok(xml.includes('AuthnRequestsSigned="true"') && xml.includes('WantAssertionsSigned="true"'));
      assert.ok(xml.includes('X509Certificate'));
      assert.equal((await fetch(`${acme.issuer}/federation/nope/metadata`)).status, 404);
    });

    it('signs a user in through HTTP-POST with a signed AuthnRequest; JIT account with mapped groups, reused next time', async () => {
      const before = await counts();
      const posted = await responseFromIdp('none');
      assert.equal(idp.requests.at(-1)?.signed, true, 'the IdP verified the AuthnRequest signature');
      const result = await postToAcs(server, posted);
      assert.ok(result.code, alertOf(result.body));
      const tokens = (await (await exchangeCode({ issuer: acme.issuer, clientId: acme.clientId, clientSecret: acme.clientSecret, redirectUri: acme.redirectUri, code: result.code, codeVerifier: posted.pkce.verifier })).json()) as { id_token: string };
      const sub = (JSON.parse(Buffer.from(tokens.id_token.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;
      const link = await server.ctx.db.selectFrom('federated_identities').selectAll().where('subject', '=', 'okta-user-1').executeTakeFirstOrThrow();
      assert.equal(sub, link.user_id);
      const user = await server.ctx.db.selectFrom('users').selectAll().where('id', '=', link.user_id).executeTakeFirstOrThrow();
      assert.equal(user.email, 'sam@okta.example');
      const groups = await server.ctx.db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id').select('groups.name').where('group_members.user_id', '=', link.user_id).execute();
      assert.deepEqual(groups.map((g) => g.name), ['developers']);
      assert.equal((await counts()).users, before.users + 1);

      const again = await postToAcs(server, await responseFromIdp('none'));
      assert.ok(again.code);
      assert.equal((await counts()).users, before.users + 1, 'the second sign-in reuses the account');
    });

    for (const [fault, reason, why] of [
      ['unsigned-assertion', 'invalid_response', /Invalid signature/],
      ['wrong-audience', 'invalid_response', /audience mismatch/],
      ['wrong-recipient', 'invalid_response', /another recipient/],
      ['expired', 'invalid_response', /No valid subject confirmation/],
      ['foreign-in-response-to', 'invalid_response', /InResponseTo is not valid/],
      ['wrapped', 'invalid_response', /Invalid signature/],
    ] as const) {
      it(`refuses a response with ${fault}, creating and linking nothing`, async () => {
        const before = await counts();
        const result = await postToAcs(server, await responseFromIdp(fault, `victim-${fault}`));
        assert.equal(result.code, undefined);
        assert.equal(result.status, 400, alertOf(result.body));
        assert.ok(result.body.includes(`<code>${reason}</code>`), alertOf(result.body));
        assert.match(alertOf(result.body), why, 'refused for the fault itself');
        assert.deepEqual(await counts(), before);
        const attacker = await server.ctx.db.selectFrom('federated_identities').selectAll().where('subject', 'in', ['attacker', `victim-${fault}`]).execute();
        assert.equal(attacker.length, 0);
      });
    }

    it('refuses a replayed assertion on another instance sharing the database', async () => {
      const posted = await responseFromIdp('none', 'okta-replay');
      const first = await postToAcs(server, posted);
      assert.ok(first.code, alertOf(first.body));
      const before = await counts();
      const replay = await postToAcs(second, { ...posted, jar: new CookieJar() });
      assert.equal(replay.code, undefined);
      assert.equal(replay.status, 400);
      assert.ok(replay.body.includes('<code>assertion_replayed</code>'), alertOf(replay.body));
      assert.deepEqual(await counts(), before);
    });
  });
}
