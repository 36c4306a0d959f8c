/**
 * A test SAML identity provider: samlify as the IdP, with a throwaway RSA key and self-signed certificate made
 * by openssl for each run. It serves the Web Browser SSO profile: `GET /sso` takes an HTTP-Redirect
 * AuthnRequest (samlify checks its signature against the SP metadata), and answers with the HTTP-POST form a
 * browser would submit to the ACS. `next` shapes the next response: good, or one precise fault per test.
 */
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as samlify from 'samlify';

samlify.setSchemaValidator({ validate: async () => 'skipped: the IdP side of a test' });

export function throwawayCertificate(name: string): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-saml-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', `/CN=${name}`], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type SamlFault = 'none' | 'unsigned-assertion' | 'wrong-audience' | 'expired' | 'foreign-in-response-to' | 'wrapped' | 'wrong-recipient';

export interface SamlUser {
  readonly nameId: string;
  readonly email: string;
  readonly groups: readonly string[];
}

export interface TestSamlIdp {
  readonly base: string;
  readonly entityId: string;
  readonly metadata: string;
  /** The SP metadata (from Latchkey's metadata URL) the IdP trusts; set before the first sign-in. */
  trust(spMetadata: string): void;
  next: { fault: SamlFault; user: SamlUser };
  /** The AuthnRequests it received, with whether their signatures checked out. */
  readonly requests: Array<{ id: string; signed: boolean }>;
  close(): Promise<void>;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function attributes(user: SamlUser): string {
  const value = (v: string) => `<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${v}</saml:AttributeValue>`;
  return `<saml:AttributeStatement><saml:Attribute Name="email" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${value(user.email)}</saml:Attribute><saml:Attribute Name="groups" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${user.groups.map(value).join('')}</saml:Attribute></saml:AttributeStatement>`;
}

/** Classic signature wrapping: an unsigned assertion for another subject first, the signed original hidden inside it. */
function wrap(xml: string): string {
  const start = xml.indexOf('<saml:Assertion');
  const end = xml.indexOf('</saml:Assertion>') + '</saml:Assertion>'.length;
  const signed = xml.slice(start, end);
  const evil = signed
    .replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/, '')
    .replace(/ID="[^"]+"/, `ID="_evil${randomBytes(8).toString('hex')}"`)
    .replace(/<saml:NameID([^>]*)>[^<]*<\/saml:NameID>/, '<saml:NameID$1>attacker</saml:NameID>')
    .replace('</saml:Issuer>', `</saml:Issuer><saml:Advice>${signed}</saml:Advice>`);
  return xml.slice(0, start) + evil + xml.slice(end);
}

export async function startSamlIdp(): Promise<TestSamlIdp> {
  const { key, cert } = throwawayCertificate('latchkey-test-idp');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const entityId = `${base}/metadata`;
  const idp = samlify.IdentityProvider({
    entityID: entityId,
    privateKey: key,
    signingCert: cert,
    wantAuthnRequestsSigned: true,
    nameIDFormat: ['urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'],
    singleSignOnService: [{ Binding: samlify.Constants.namespace.binding.redirect, Location: `${base}/sso` }],
  });
  let spMetadata = '';
  const requests: Array<{ id: string; signed: boolean }> = [];
  const state: TestSamlIdp = {
    base,
    entityId,
    metadata: idp.getMetadata(),
    trust: (xml) => (spMetadata = xml),
    next: { fault: 'none', user: { nameId: 'okta-user-1', email: 'sam@okta.example', groups: ['Everyone', 'Engineering'] } },
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  server.on('request', (request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', base);
      if (url.pathname !== '/sso') return response.writeHead(404).end();
      const fault = state.next.fault;
      const sp = samlify.ServiceProvider({ metadata: fault === 'unsigned-assertion' ? spMetadata.replace('WantAssertionsSigned="true"', 'WantAssertionsSigned="false"') : spMetadata });
      // The octet string the signature covers is the query as sent (SAML Bindings §3.4.4.1).
      const raw = (request.url ?? '').split('?')[1] ?? '';
      const octetString = raw.split('&').filter((p) => /^(SAMLRequest|RelayState|SigAlg)=/.test(p)).join('&');
      let parsed: Awaited<ReturnType<typeof idp.parseLoginRequest>>;
      try {
        parsed = await idp.parseLoginRequest(sp, 'redirect', { query: Object.fromEntries(url.searchParams), octetString });
      } catch (error) {
        requests.push({ id: '', signed: false });
        return response.writeHead(400, { 'content-type': 'text/plain' }).end(`bad AuthnRequest: ${String(error)}`);
      }
      const requestId = String((parsed.extract as { request?: { id?: string } }).request?.id ?? '');
      requests.push({ id: requestId, signed: true });
      const acs = String((parsed.extract as { request?: { assertionConsumerServiceUrl?: string } }).request?.assertionConsumerServiceUrl ?? '');
      const spEntity = String((parsed.extract as { issuer?: string }).issuer ?? '');
      const now = Date.now();
      const notOnOrAfter = fault === 'expired' ? now - 10 * 60_000 : now + 5 * 60_000;
      const values = {
        ID: `_${randomBytes(16).toString('hex')}`,
        AssertionID: `_${randomBytes(16).toString('hex')}`,
        Destination: acs,
        Audience: fault === 'wrong-audience' ? 'https://another-sp.example/metadata' : spEntity,
        SubjectRecipient: fault === 'wrong-recipient' ? 'https://another-sp.example/acs' : acs,
        Issuer: entityId,
        IssueInstant: iso(fault === 'expired' ? now - 15 * 60_000 : now),
        StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
        ConditionsNotBefore: iso((fault === 'expired' ? now - 15 * 60_000 : now) - 1000),
        ConditionsNotOnOrAfter: iso(notOnOrAfter),
        SubjectConfirmationDataNotOnOrAfter: iso(notOnOrAfter),
        NameIDFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
        NameID: state.next.user.nameId,
        InResponseTo: fault === 'foreign-in-response-to' ? `_${randomBytes(16).toString('hex')}` : requestId,
        AuthnStatement: '',
        AttributeStatement: '',
      };
      // Markup goes into the template before the tags: samlify escapes tag values (as it should).
      const markup = {
        AuthnStatement: `<saml:AuthnStatement AuthnInstant="${iso(now)}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`,
        AttributeStatement: attributes(state.next.user),
      };
      const made = await idp.createLoginResponse(sp, parsed as unknown as Parameters<typeof idp.createLoginResponse>[1], 'post', { email: state.next.user.email }, {
        relayState: url.searchParams.get('RelayState') ?? '',
        customTagReplacement: (template: string) => ({
          id: values.ID,
          context: samlify.SamlLib.replaceTagsByValue(template.replace('{AuthnStatement}', markup.AuthnStatement).replace('{AttributeStatement}', markup.AttributeStatement), values),
        }),
      });
      let samlResponse = made.context;
      if (fault === 'wrapped') samlResponse = Buffer.from(wrap(Buffer.from(samlResponse, 'base64').toString('utf8'))).toString('base64');
      const html = `<!doctype html><html><body><form method="post" action="${acs}"><input type="hidden" name="SAMLResponse" value="${samlResponse}"><input type="hidden" name="RelayState" value="${url.searchParams.get('RelayState') ?? ''}"><button>Continue</button></form></body></html>`;
      response.writeHead(200, { 'content-type': 'text/html' }).end(html);
    })().catch((error: unknown) => response.writeHead(500).end(String(error)));
  });
  return state;
}
