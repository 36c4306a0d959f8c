/**
 * Bad input at the federation routes (start, callback, SAML ACS and metadata, the account section): every answer
 * is an HTML 4xx page (never a 5xx, never a redirect upstream), nothing is reflected as markup, and nothing but
 * the audit log changes (refusals of upstream answers are audited by design, issue 18 item 6).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { FORM, HOSTILE_VALUES, MARKUP_PROBE, assertRefusedCleanly, sendRaw } from '../support/bad-input.ts';
import type { BadRequest } from '../support/bad-input.ts';
import { snapshotDatabase } from '../support/snapshot.ts';
import { addConnection, createDownstream } from '../support/federation.ts';
import { throwawayCertificate } from '../support/saml-idp.ts';

const IDP_METADATA = (cert: string) => `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example/metadata"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert.replace(/-----[A-Z ]+-----|\s/g, '')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`;

for (const dialect of DIALECTS) {
  describe(`federation routes refuse bad input cleanly (${dialect})`, () => {
    let server: TestServer;
    let acme: SignInFixture;

    before(async () => {
      server = await startTestServer(dialect);
      acme = await createDownstream(server, 'acme');
      await addConnection(server, acme.tenant, { slug: 'corp', name: 'Corp', type: 'oidc', settings: { issuer: 'http://127.0.0.1:9/unreachable', client_id: 'x' }, secrets: { client_secret: 'y' } });
      const idp = throwawayCertificate('bad-input-idp');
      const sp = throwawayCertificate('bad-input-sp');
      await addConnection(server, acme.tenant, { slug: 'okta', name: 'Okta', type: 'saml', settings: { idp_metadata_xml: IDP_METADATA(idp.cert), sp_certificate: sp.cert }, secrets: { sp_private_key: sp.key } });
    });
    after(() => server.stop());

    it('answers every malformed request with an HTML 4xx page and changes nothing but the audit log', async () => {
      const t = '/t/acme/federation';
      const cases: BadRequest[] = [
        { name: 'start without body', method: 'POST', path: `${t}/corp/start`, headers: FORM, body: '' },
        { name: 'start with JSON', method: 'POST', path: `${t}/corp/start`, headers: { 'content-type': 'application/json' }, body: '{"interaction":"x"}' },
        { name: 'start, forged interaction', method: 'POST', path: `${t}/corp/start`, headers: FORM, body: `interaction=${'a'.repeat(43)}&csrf_token=x` },
        { name: 'start, unknown connection', method: 'POST', path: `${t}/nope/start`, headers: FORM, body: 'interaction=x' },
        { name: 'start on an unknown tenant', method: 'POST', path: '/t/nope/federation/corp/start', headers: FORM, body: 'interaction=x' },
        { name: 'callback without anything', method: 'GET', path: `${t}/corp/callback` },
        { name: 'callback with an upstream error', method: 'GET', path: `${t}/corp/callback?error=access_denied&state=${'b'.repeat(43)}` },
        { name: 'callback, repeated state', method: 'GET', path: `${t}/corp/callback?state=a&state=b&code=c` },
        { name: 'callback of a saml connection', method: 'GET', path: `${t}/okta/callback?state=${'c'.repeat(43)}&code=x` },
        { name: 'acs without body', method: 'POST', path: `${t}/okta/acs`, headers: FORM, body: '' },
        { name: 'acs, not base64', method: 'POST', path: `${t}/okta/acs`, headers: FORM, body: `SAMLResponse=${encodeURIComponent('%%%<xml>')}&RelayState=${'d'.repeat(43)}` },
        { name: 'acs, unknown relay state', method: 'POST', path: `${t}/okta/acs`, headers: FORM, body: `SAMLResponse=${Buffer.from('<samlp:Response/>').toString('base64')}&RelayState=${'e'.repeat(43)}` },
        { name: 'acs of an oidc connection', method: 'POST', path: `${t}/corp/acs`, headers: FORM, body: 'SAMLResponse=x' },
        { name: 'metadata of an oidc connection', method: 'GET', path: `${t}/corp/metadata` },
        { name: 'account section signed out', method: 'GET', path: '/t/acme/account/identities' },
        { name: 'account unlink signed out', method: 'POST', path: '/t/acme/account/identities', headers: FORM, body: 'connection=corp&subject=x' },
        ...HOSTILE_VALUES.map((value, i) => ({ name: `callback hostile ${i}`, method: 'GET', path: `${t}/corp/callback?state=${encodeURIComponent(value)}&code=${encodeURIComponent(MARKUP_PROBE)}` })),
        ...HOSTILE_VALUES.map((value, i) => ({ name: `acs hostile ${i}`, method: 'POST', path: `${t}/okta/acs`, headers: FORM, body: `SAMLResponse=${encodeURIComponent(value)}&RelayState=${encodeURIComponent(value)}` })),
      ].map((c) => ({ ...c, expect: 'html' as const }));
      const before = await snapshotDatabase(server.ctx.db, dialect);
      for (const request of cases) {
        const response = await sendRaw(server.url, request);
        assertRefusedCleanly(request, response);
        assert.equal(response.headers.location, undefined, `${request.name}: no redirect`);
      }
      const after = await snapshotDatabase(server.ctx.db, dialect);
      delete before.audit_events;
      delete after.audit_events;
      assert.deepEqual(after, before);
    });
  });
}
