/** IdP metadata import: what is read (entity id, SSO location by binding, signing certificates) and what is refused. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseIdpMetadata } from '../../../src/federation/saml-metadata.ts';
import { OAuthError } from '../../../src/errors/oauth-error.ts';

const CERT = 'MII' + 'A'.repeat(300);
function metadata(services: string, keys = `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n${CERT}\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`): string {
  return `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example/e"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${keys}${services}</md:IDPSSODescriptor></md:EntityDescriptor>`;
}
const REDIRECT = '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/redirect"/>';
const POST = '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example/post"/>';

describe('parseIdpMetadata', () => {
  it('reads the entity id, prefers the HTTP-Redirect SSO location, and strips whitespace from certificates', () => {
    assert.deepEqual(parseIdpMetadata(metadata(POST + REDIRECT)), { entityId: 'https://idp.example/e', ssoUrl: 'https://idp.example/redirect', certificates: [CERT] });
    assert.equal(parseIdpMetadata(metadata(POST)).ssoUrl, 'https://idp.example/post');
  });

  it('ignores encryption keys and accepts keys without a use (both uses)', () => {
    const encryption = `<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${'MIIB' + 'B'.repeat(300)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
    const unspecified = `<md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${CERT}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
    assert.deepEqual(parseIdpMetadata(metadata(REDIRECT, encryption + unspecified)).certificates, [CERT]);
  });

  it('refuses a DOCTYPE, broken XML, no SSO service, no signing certificate, or another root', () => {
    for (const bad of [
      `<!DOCTYPE x [<!ENTITY e "x">]>${metadata(REDIRECT)}`,
      '<md:EntityDescriptor',
      metadata('<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="https://idp.example/soap"/>'),
      metadata(REDIRECT, ''),
      '<html><body>not metadata</body></html>',
    ]) {
      assert.throws(() => parseIdpMetadata(bad), (error: unknown) => error instanceof OAuthError && error.status === 400, bad.slice(0, 60));
    }
  });
});
