/**
 * OpenID Connect Discovery 1.0 for one issuer: fetched once, cached, shared by every part of the kit that needs
 * an endpoint (JWKS, token, introspection, userinfo).
 */
import { IdpUnavailable } from '../errors.ts';

export interface IssuerMetadata {
  readonly issuer: string;
  readonly jwks_uri: string;
  readonly token_endpoint: string;
  readonly authorization_endpoint?: string;
  readonly userinfo_endpoint?: string;
  readonly introspection_endpoint?: string;
  readonly revocation_endpoint?: string;
  readonly end_session_endpoint?: string;
  readonly scopes_supported?: readonly string[];
  readonly [name: string]: unknown;
}

export interface IssuerDiscovery {
  readonly issuer: string;
  /** The discovery document; fetched on first use and kept for `maxAgeMs`. */
  metadata(): Promise<IssuerMetadata>;
}

export interface DiscoveryOptions {
  readonly fetch?: typeof fetch;
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

/**
 * Discovers an issuer's endpoints from `<issuer>/.well-known/openid-configuration`.
 * @example
 * const discovery = discoverIssuer('https://id.example.com/t/acme');
 * const { jwks_uri } = await discovery.metadata();
 */
export function discoverIssuer(issuer: string, options: DiscoveryOptions = {}): IssuerDiscovery {
  const fetchImpl = options.fetch ?? fetch;
  const maxAgeMs = options.maxAgeMs ?? 3_600_000;
  const now = options.now ?? Date.now;
  const base = issuer.replace(/\/$/, '');
  let cached: { value: IssuerMetadata; at: number } | undefined;
  let inFlight: Promise<IssuerMetadata> | undefined;

  async function load(): Promise<IssuerMetadata> {
    let response: Response;
    try {
      response = await fetchImpl(`${base}/.well-known/openid-configuration`, { headers: { accept: 'application/json' } });
    } catch (error) {
      throw new IdpUnavailable(`discovery failed: ${(error as Error).message}`);
    }
    if (!response.ok) throw new IdpUnavailable(`discovery answered ${response.status}`);
    const document = (await response.json()) as IssuerMetadata;
    // OIDC Discovery §4.3: the document must name the issuer we asked for.
    if (document.issuer !== issuer) throw new IdpUnavailable(`discovery names issuer ${String(document.issuer)}, expected ${issuer}`);
    cached = { value: document, at: now() };
    return document;
  }

  return {
    issuer,
    async metadata() {
      if (cached && now() - cached.at < maxAgeMs) return cached.value;
      inFlight ??= load().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}
