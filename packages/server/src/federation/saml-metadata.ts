/**
 * SAML IdP metadata import (SAML 2.0 Metadata §2.4.3): the IdP's entity id, its SingleSignOnService location
 * (HTTP-Redirect preferred, HTTP-POST otherwise) and its signing certificates, read once when an admin gives the
 * metadata (XML, or a URL fetched then) and kept in the connection's settings. Parsing only: every signature
 * check is node-saml's (xml-crypto), never ours. A document with a DOCTYPE is refused (no entity expansion).
 */
import { DOMParser } from '@xmldom/xmldom';
import { InvalidRequest, assert } from '../errors/oauth-error.ts';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

export interface IdpMetadata {
  readonly entityId: string;
  readonly ssoUrl: string;
  readonly certificates: string[];
}

export function parseIdpMetadata(xml: string): IdpMetadata {
  assert(!/<!DOCTYPE/i.test(xml), new InvalidRequest('IdP metadata with a DOCTYPE is refused'));
  const problems: string[] = [];
  const doc = new DOMParser({ errorHandler: { error: (m: string) => problems.push(m), fatalError: (m: string) => problems.push(m) } }).parseFromString(xml, 'text/xml');
  assert(problems.length === 0 && doc.documentElement !== null, new InvalidRequest('the IdP metadata is not well-formed XML'));
  const entity = doc.documentElement.localName === 'EntityDescriptor' ? doc.documentElement : doc.getElementsByTagNameNS(MD, 'EntityDescriptor')[0];
  assert(entity !== undefined && entity.namespaceURI === MD, new InvalidRequest('the IdP metadata has no EntityDescriptor'));
  const entityId = entity.getAttribute('entityID') ?? '';
  const idp = entity.getElementsByTagNameNS(MD, 'IDPSSODescriptor')[0];
  assert(entityId !== '' && idp !== undefined, new InvalidRequest('the IdP metadata has no entityID or no IDPSSODescriptor'));
  const services = Array.from(idp.getElementsByTagNameNS(MD, 'SingleSignOnService'));
  const service = services.find((s) => s.getAttribute('Binding') === REDIRECT) ?? services.find((s) => s.getAttribute('Binding') === POST);
  const ssoUrl = service?.getAttribute('Location') ?? '';
  assert(ssoUrl !== '', new InvalidRequest('the IdP metadata has no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding'));
  const certificates = Array.from(idp.getElementsByTagNameNS(MD, 'KeyDescriptor'))
    // No `use` means both uses (Metadata §2.4.1.1); xmldom answers '' for a missing attribute, not null.
    .filter((k) => (k.getAttribute('use') || 'signing') === 'signing')
    .flatMap((k) => Array.from(k.getElementsByTagNameNS(DS, 'X509Certificate')).map((c) => (c.textContent ?? '').replace(/\s+/g, '')))
    .filter((c) => /^[A-Za-z0-9+/=]{100,}$/.test(c));
  assert(certificates.length > 0, new InvalidRequest('the IdP metadata has no signing certificate'));
  return { entityId, ssoUrl, certificates };
}
