/**
 * Unknown routes: a 404 JSON error (or page) from the first hook, before Fastify would parse a body for a route
 * that does not exist (so broken JSON sent to no route is still a 404, not a 400). A body is read to its end and
 * dropped before the 404 goes out: when the connection closes after the answer (`Connection: close`), closing a
 * socket with request bytes still arriving makes the kernel reset it, and the client loses the 404 it had not
 * read yet. A body past the body limit is not waited for; that connection closes, as a 413 on a real route does.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFound } from '../errors/oauth-error.ts';
import type { OAuthError } from '../errors/oauth-error.ts';
import { sendError } from './error-handler.ts';

function notFound(request: FastifyRequest): OAuthError {
  return new NotFound(`no route for ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`);
}

/** Reads and drops the rest of a request body; false if it stopped early (over `limit` bytes, or the client left). */
function discardBody(raw: IncomingMessage, limit: number): Promise<boolean> {
  const hasBody = raw.headers['transfer-encoding'] !== undefined || Number(raw.headers['content-length'] ?? 0) > 0;
  if (!hasBody || raw.complete) return Promise.resolve(true);
  return new Promise((resolve) => {
    let received = 0;
    const stop = (whole: boolean) => {
      raw.off('data', count).off('end', ended).off('close', closed);
      resolve(whole);
    };
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) stop(false);
    };
    const ended = () => stop(true);
    const closed = () => stop(raw.complete);
    raw.on('data', count).on('end', ended).on('close', closed);
  });
}

export function registerNotFound(app: FastifyInstance, bodyLimit: number): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404) return;
    if (!(await discardBody(request.raw, bodyLimit))) reply.header('Connection', 'close');
    return sendError(request, reply, notFound(request));
  });
  // Still the handler for reply.callNotFound() and anything the hook did not answer.
  app.setNotFoundHandler((request, reply) => sendError(request, reply, notFound(request)));
}
