/**
 * Fetches a client ID metadata document without becoming an SSRF proxy: https only (http to loopback only in
 * tests), no credentials in the URL, every address the name resolves to checked (`address-policy.ts`) and the
 * connection made to the checked address (no second lookup to rebind), at most 2 redirects each checked again,
 * 5 KB of body and 5 s in all, a JSON content type, status 200. HTTP cache semantics (RFC 9111 §5.2):
 * `no-store`/`no-cache` keep nothing, else `max-age` (or `Expires`) up to a day, 5 minutes without either.
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { isAllowedAddress, isLoopbackAddress } from './address-policy.ts';

export const MAX_DOCUMENT_BYTES = 5 * 1024;
export const FETCH_TIMEOUT_MS = 5000;
const MAX_REDIRECTS = 2;
const DEFAULT_TTL_MS = 5 * 60_000;
const MAX_TTL_MS = 86_400_000;

/** A fetch that was refused or failed, with a reason safe to show the client. */
export class MetadataFetchError extends Error {
  override name = 'MetadataFetchError';
}

export interface FetchedDocument {
  readonly body: unknown;
  /** Epoch ms until which the document may be reused; `now` when it must not be. */
  readonly freshUntil: number;
}

export interface FetchOptions {
  readonly allowLoopback: boolean;
  readonly now: number;
}

function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** The URL rules before any network work. */
export function checkDocumentUrl(url: URL, allowLoopback: boolean): void {
  if (url.username !== '' || url.password !== '') throw new MetadataFetchError('the URL must not carry credentials');
  if (url.hash !== '') throw new MetadataFetchError('the URL must not have a fragment');
  const host = hostOf(url);
  const loopbackHost = host === 'localhost' || isLoopbackAddress(host);
  if (isIP(host) !== 0 && !isAllowedAddress(host, allowLoopback)) throw new MetadataFetchError('the URL points to a private, loopback or reserved address');
  if (url.protocol !== 'https:' && !(allowLoopback && url.protocol === 'http:' && loopbackHost)) throw new MetadataFetchError('the URL must use https');
  if (host === 'localhost' && !allowLoopback) throw new MetadataFetchError('the URL points to a loopback address');
}

/** A DNS lookup that fails unless every address of the name is allowed. */
export function guardedLookup(allowLoopback: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as LookupAddress[];
      const refused = list.length === 0 || list.some((entry) => !isAllowedAddress(entry.address, allowLoopback));
      if (refused) return callback(Object.assign(new Error('the host resolves to a private, loopback or reserved address'), { code: 'EADDRREFUSED' }), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/** RFC 9111 §5.2.2 / §5.3: how long the answer may be reused. */
export function freshnessOf(headers: IncomingMessage['headers'], now: number): number {
  const cacheControl = String(headers['cache-control'] ?? '').toLowerCase();
  if (/(^|[\s,])(no-store|no-cache|private)($|[\s,=])/.test(cacheControl)) return now;
  const maxAge = /(?:^|[\s,])max-age\s*=\s*"?(\d+)/.exec(cacheControl);
  if (maxAge) return now + Math.min(Number(maxAge[1]) * 1000, MAX_TTL_MS);
  const expires = headers.expires === undefined ? NaN : Date.parse(headers.expires);
  if (!Number.isNaN(expires)) return Math.max(now, Math.min(expires, now + MAX_TTL_MS));
  return now + DEFAULT_TTL_MS;
}

function isJsonType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

function requestOnce(url: URL, options: FetchOptions, signal: AbortSignal): Promise<{ response: IncomingMessage; body?: Buffer }> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, { method: 'GET', headers: { accept: 'application/json', 'user-agent': 'Latchkey client-metadata fetcher' }, lookup: guardedLookup(options.allowLoopback), signal, agent: false }, (response) => {
      if (response.statusCode !== undefined && response.statusCode >= 300 && response.statusCode < 400) {
        response.resume();
        resolve({ response });
        return;
      }
      const declared = Number(response.headers['content-length'] ?? '0');
      if (declared > MAX_DOCUMENT_BYTES) {
        response.destroy();
        reject(new MetadataFetchError(`the document is larger than ${MAX_DOCUMENT_BYTES} bytes`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_DOCUMENT_BYTES) {
          response.destroy();
          reject(new MetadataFetchError(`the document is larger than ${MAX_DOCUMENT_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => resolve({ response, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

export async function fetchMetadataDocument(address: string, options: FetchOptions): Promise<FetchedDocument> {
  const signal = AbortSignal.timeout(FETCH_TIMEOUT_MS);
  let url = new URL(address);
  try {
    for (let hop = 0; ; hop++) {
      checkDocumentUrl(url, options.allowLoopback);
      const { response, body } = await requestOnce(url, options, signal);
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location !== undefined) {
        if (hop >= MAX_REDIRECTS) throw new MetadataFetchError('the document URL redirects too often');
        url = new URL(response.headers.location, url);
        continue;
      }
      if (status !== 200) throw new MetadataFetchError(`the document URL answered HTTP ${status}`);
      if (!isJsonType(response.headers['content-type'])) throw new MetadataFetchError('the document must be served as application/json');
      let parsed: unknown;
      try {
        parsed = JSON.parse(body!.toString('utf8'));
      } catch {
        throw new MetadataFetchError('the document is not valid JSON');
      }
      return { body: parsed, freshUntil: freshnessOf(response.headers, options.now) };
    }
  } catch (error) {
    if (error instanceof MetadataFetchError) throw error;
    if (signal.aborted) throw new MetadataFetchError(`the document did not arrive within ${FETCH_TIMEOUT_MS / 1000} s`);
    const code = (error as { code?: string }).code;
    if (code === 'EADDRREFUSED') throw new MetadataFetchError('the host resolves to a private, loopback or reserved address');
    throw new MetadataFetchError(`the document could not be fetched (${code ?? 'network error'})`);
  }
}
