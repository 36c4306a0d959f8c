/**
 * The service-provider side of a `saml` connection (SAML 2.0 Web Browser SSO profile, §4.1 of the profiles
 * spec) through `@node-saml/node-saml`: signed AuthnRequests over HTTP-Redirect, responses over HTTP-POST at
 * the ACS. node-saml checks the XML signatures (xml-crypto; only the signed assertion is read, so a wrapped
 * signature is refused), requires the assertion signed, the audience, the time conditions (with a clock skew of
 * at most one minute), one assertion per response, and `InResponseTo` against the request this browser's round
 * trip made. We add what it leaves to its caller: `Destination` and `Recipient` must be our ACS URL, and the
 * assertion id goes into a replay cache in the database, so a second presentation fails on every instance.
 */
import { randomBytes } from 'node:crypto';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import type { CacheItem, Profile } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import type { Latchkey } from '../context.ts';
import { federationStateQueries } from '../db/queries/federation-states.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { issuerFor } from '../directory/tenant-directory.ts';
import { openSecrets } from './connections.ts';
import type { Connection } from './connections.ts';
import { FederationRefused } from './federation-errors.ts';
import { profileFromClaims } from './upstream-profile.ts';
import type { UpstreamProfile } from './upstream-profile.ts';

export const SAML_CLOCK_SKEW_MS = 60_000;
/** How long an assertion id is remembered when the assertion names no end (its round trip lasts 10 minutes). */
const DEFAULT_REPLAY_WINDOW_MS = 60 * 60 * 1000;

export function spUrls(ctx: Latchkey, tenant: Tenant, connection: Pick<Connection, 'slug'>): { entityId: string; acs: string; metadata: string } {
  const base = `${issuerFor(ctx.config.baseUrl, tenant.slug)}/federation/${connection.slug}`;
  return { entityId: `${base}/metadata`, acs: `${base}/acs`, metadata: `${base}/metadata` };
}

/** The node-saml client of a connection; `expectedRequestId` is the only InResponseTo it accepts. */
async function samlClient(ctx: Latchkey, tenant: Tenant, connection: Connection, expected: { requestId?: string; requestedAt?: number }): Promise<SAML> {
  const secrets = await openSecrets(ctx, { secrets_jwe: connection.secretsJwe });
  const urls = spUrls(ctx, tenant, connection);
  return new SAML({
    callbackUrl: urls.acs,
    issuer: urls.entityId,
    audience: urls.entityId,
    entryPoint: connection.settings.idp_sso_url!,
    idpIssuer: connection.settings.idp_entity_id!,
    idpCert: [...(connection.settings.idp_certificates ?? [])],
    privateKey: secrets.sp_private_key ?? '',
    publicCert: connection.settings.sp_certificate!,
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    acceptedClockSkewMs: SAML_CLOCK_SKEW_MS,
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: 10 * 60 * 1000,
    identifierFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    disableRequestedAuthnContext: true,
    ...(expected.requestId === undefined ? {} : { generateUniqueId: () => expected.requestId! }),
    cacheProvider: {
      // The request id lives in the round trip (database), not in this per-request cache.
      async saveAsync(_key: string, value: string): Promise<CacheItem | null> {
        return { value, createdAt: Date.now() };
      },
      async getAsync(key: string): Promise<string | null> {
        // node-saml reads the value as the request's creation time (for requestIdExpirationPeriodMs).
        return expected.requestId !== undefined && key === expected.requestId ? new Date(expected.requestedAt ?? 0).toISOString() : null;
      },
      async removeAsync(key: string | null): Promise<string | null> {
        return key;
      },
    },
  });
}

export async function spMetadata(ctx: Latchkey, tenant: Tenant, connection: Connection): Promise<string> {
  return (await samlClient(ctx, tenant, connection, {})).generateServiceProviderMetadata(null, connection.settings.sp_certificate!);
}

/** The signed AuthnRequest as an HTTP-Redirect URL (SAML Bindings §3.4.4.1 signs RelayState with it). */
export async function startSamlRequest(ctx: Latchkey, tenant: Tenant, connection: Connection, remember: (requestId: string) => Promise<string>): Promise<string> {
  // An xs:ID starts with a letter or underscore; 160 random bits.
  const requestId = `_${randomBytes(20).toString('hex')}`;
  const state = await remember(requestId);
  const saml = await samlClient(ctx, tenant, connection, { requestId });
  return saml.getAuthorizeUrlAsync(state, undefined, {});
}

function destinationOf(xml: string): string | null {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  return doc.documentElement?.getAttribute('Destination') || null;
}

/** Validates an HTTP-POST response for the round trip's request; remembers its assertion id (replay cache). */
export async function finishSaml(ctx: Latchkey, tenant: Tenant, connection: Connection, form: { SAMLResponse: string; RelayState: string }, request: { id: string; at: number }): Promise<UpstreamProfile> {
  const saml = await samlClient(ctx, tenant, connection, { requestId: request.id, requestedAt: request.at });
  let profile: Profile | null;
  try {
    ({ profile } = await saml.validatePostResponseAsync({ SAMLResponse: form.SAMLResponse, RelayState: form.RelayState }));
  } catch (error) {
    throw new FederationRefused('invalid_response', `The SAML response failed validation: ${error instanceof Error ? error.message.slice(0, 200) : 'invalid'}.`, { cause: error });
  }
  if (profile === null || typeof profile.nameID !== 'string' || profile.nameID === '') throw new FederationRefused('no_subject', 'The SAML response names no subject.');
  const acs = spUrls(ctx, tenant, connection).acs;
  // SAML Profiles §4.1.4.5: Destination (when present) and the bearer SubjectConfirmationData's Recipient.
  const destination = destinationOf(profile.getSamlResponseXml!());
  if (destination !== null && destination !== acs) throw new FederationRefused('invalid_response', 'The SAML response was sent to another destination.');
  const assertion = (profile.getAssertion!() as { Assertion?: { $?: { ID?: string }; Subject?: Array<{ SubjectConfirmation?: Array<{ SubjectConfirmationData?: Array<{ $?: { Recipient?: string; NotOnOrAfter?: string } }> }> }> } }).Assertion;
  const confirmations = (assertion?.Subject?.[0]?.SubjectConfirmation ?? []).flatMap((c) => c.SubjectConfirmationData ?? []);
  if (!confirmations.some((c) => c.$?.Recipient === acs)) throw new FederationRefused('invalid_response', 'The SAML assertion is meant for another recipient.');
  const assertionId = assertion?.$?.ID;
  if (assertionId === undefined || assertionId === '') throw new FederationRefused('invalid_response', 'The SAML assertion has no ID.');
  const notOnOrAfter = confirmations.map((c) => Date.parse(c.$?.NotOnOrAfter ?? '')).find((t) => Number.isFinite(t));
  const keepUntil = (notOnOrAfter ?? ctx.now() + DEFAULT_REPLAY_WINDOW_MS) + SAML_CLOCK_SKEW_MS;
  if (!(await federationStateQueries(ctx.db).rememberAssertion(connection.id, assertionId, keepUntil))) throw new FederationRefused('assertion_replayed', 'This SAML assertion was already used.');
  const mapping = connection.settings.claim_mapping;
  const claims: Record<string, unknown> = {};
  for (const attribute of Object.values(mapping)) claims[attribute] = profile[attribute];
  if (claims[mapping.email] === undefined) claims[mapping.email] = profile.email ?? profile.mail ?? profile['urn:oid:0.9.2342.19200300.100.1.3'];
  // The IdP signs the address it manages: it counts as verified, and linking still needs trust_email.
  claims[mapping.email_verified] = true;
  return { ...profileFromClaims(profile.nameID, claims, mapping), amr: [], acr: undefined };
}
