/**
 * Between Node's `http` objects and web-standard `Request`/`Response`, so the framework-neutral handlers run
 * under `node:http`, Connect/Express and Fastify alike.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLarge, DEFAULT_BODY_LIMIT, bodyTooLargeResponse, cappedBody } from './body-limit.ts';
import type { BridgeOptions } from './body-limit.ts';

/**
 * A handler that answers the requests it owns and returns undefined for the others.
 * @example const health: WebHandler = async (request) => (new URL(request.url).pathname === '/healthz' ? new Response('ok') : undefined);
 */
export type WebHandler = (request: Request) => Promise<Response | undefined>;

function requestBody(req: IncomingMessage & { body?: unknown }, limit: number): ReadableStream<Uint8Array> | string | Uint8Array | undefined {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  // A body parser that ran earlier (express.json()) has consumed the stream, under its own limit: re-encode what it parsed.
  if (req.readableEnded || req.body !== undefined) {
    if (req.body === undefined) return undefined;
    return typeof req.body === 'string' || req.body instanceof Uint8Array ? req.body : JSON.stringify(req.body);
  }
  return cappedBody(req, limit);
}

/**
 * A web `Request` for a Node request. Its body is read from the socket only when a handler reads it, and a
 * read past `bodyLimit` (default 65536 bytes) fails with `BodyTooLarge`.
 * @example const request = await toWebRequest(req, { bodyLimit: 1024 * 1024 });
 */
export async function toWebRequest(req: IncomingMessage & { body?: unknown; originalUrl?: string }, options: BridgeOptions = {}): Promise<Request> {
  const host = req.headers.host ?? '127.0.0.1';
  const proto = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const body = requestBody(req, options.bodyLimit ?? DEFAULT_BODY_LIMIT);
  if (body !== undefined && typeof body === 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json');
  // `duplex: 'half'` is what fetch requires of a streamed body; the DOM typings do not know it yet.
  const init: RequestInit & { duplex: 'half' } = { method: req.method, headers, body: body as BodyInit | undefined, duplex: 'half' };
  return new Request(new URL(req.originalUrl ?? req.url ?? '/', `${proto}://${host}`), init);
}

/** `(options?, ...handlers)`: the bridges take their options first, when there are any. */
export function splitOptions(args: readonly (BridgeOptions | WebHandler)[]): { options: BridgeOptions; handlers: WebHandler[] } {
  const [first, ...rest] = args;
  if (first !== undefined && typeof first !== 'function') return { options: first, handlers: rest as WebHandler[] };
  return { options: {}, handlers: args as WebHandler[] };
}

/**
 * The first answer of `handlers` for a request, a 413 when one of them read a body past the limit, or
 * undefined when none owns the request.
 */
export async function answerWith(handlers: readonly WebHandler[], request: Request): Promise<Response | undefined> {
  try {
    for (const handler of handlers) {
      const response = await handler(request);
      if (response) return response;
    }
    return undefined;
  } catch (error) {
    if (error instanceof BodyTooLarge) return bodyTooLargeResponse(error);
    throw error;
  }
}

/**
 * Writes a web `Response` to a Node response (several `Set-Cookie` headers included).
 * @example await writeWebResponse(res, Response.json({ ok: true }));
 */
export async function writeWebResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  const body = response.body ? Buffer.from(await response.arrayBuffer()) : undefined;
  // A request body left unread (not ours, or over the limit) is not drained: the connection closes after the answer.
  if (res.req !== undefined && !res.req.complete && res.req.method !== 'GET' && res.req.method !== 'HEAD') headers.connection = 'close';
  res.writeHead(response.status, headers);
  res.end(body);
}

/**
 * A `node:http` request listener over web handlers, tried in order; 404 JSON when none answers. Options (the
 * body limit) may come first.
 * @example createServer(nodeListener(authRoutes, apiRoutes)).listen(8080);
 * @example createServer(nodeListener({ bodyLimit: 1024 * 1024 }, uploadRoutes)).listen(8080);
 */
export function nodeListener(...args: [BridgeOptions, ...WebHandler[]] | WebHandler[]): (req: IncomingMessage, res: ServerResponse) => void {
  const { options, handlers } = splitOptions(args);
  return (req, res) => {
    void (async () => {
      const response = await answerWith(handlers, await toWebRequest(req, options));
      return writeWebResponse(res, response ?? Response.json({ error: 'not_found', error_description: 'no such resource' }, { status: 404 }));
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'server_error', error_description: 'the server could not complete the request' }));
    });
  };
}
