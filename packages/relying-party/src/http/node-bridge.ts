/**
 * Between Node's `http` objects and web-standard `Request`/`Response`, so the framework-neutral handlers run
 * under `node:http`, Connect/Express and Fastify alike.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A handler that answers the requests it owns and returns undefined for the others.
 * @example const health: WebHandler = async (request) => (new URL(request.url).pathname === '/healthz' ? new Response('ok') : undefined);
 */
export type WebHandler = (request: Request) => Promise<Response | undefined>;

async function readBody(req: IncomingMessage & { body?: unknown }): Promise<Uint8Array | string | undefined> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  // A body parser that ran earlier (express.json()) has consumed the stream: re-encode what it parsed.
  if (req.readableEnded || req.body !== undefined) {
    if (req.body === undefined) return undefined;
    return typeof req.body === 'string' || req.body instanceof Uint8Array ? req.body : JSON.stringify(req.body);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length === 0 ? undefined : new Uint8Array(Buffer.concat(chunks));
}

/**
 * A web `Request` for a Node request (the body is read fully; Node's body size limits are the framework's).
 * @example const request = await toWebRequest(req);
 */
export async function toWebRequest(req: IncomingMessage & { body?: unknown; originalUrl?: string }): Promise<Request> {
  const host = req.headers.host ?? '127.0.0.1';
  const proto = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const body = await readBody(req);
  if (body !== undefined && typeof body === 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json');
  return new Request(new URL(req.originalUrl ?? req.url ?? '/', `${proto}://${host}`), { method: req.method, headers, body: body as BodyInit | undefined });
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
  res.writeHead(response.status, headers);
  res.end(response.body ? Buffer.from(await response.arrayBuffer()) : undefined);
}

/**
 * A `node:http` request listener over web handlers, tried in order; 404 JSON when none answers.
 * @example createServer(nodeListener(authRoutes, apiRoutes)).listen(8080);
 */
export function nodeListener(...handlers: WebHandler[]): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void (async () => {
      const request = await toWebRequest(req);
      for (const handler of handlers) {
        const response = await handler(request);
        if (response) return writeWebResponse(res, response);
      }
      return writeWebResponse(res, Response.json({ error: 'not_found', error_description: 'no such resource' }, { status: 404 }));
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'server_error', error_description: 'the server could not complete the request' }));
    });
  };
}
