/**
 * The single serializer for errors: RFC 6749 §5.2 bodies (`{"error", "error_description"}`) for everything a
 * client caused, 503 with Retry-After when the database is unreachable, and `server_error` for the rest, logged
 * with the request id and never described to the client.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError, PayloadTooLarge, ServerError, TemporarilyUnavailable, UnsupportedMediaType, InvalidRequest } from '../errors/oauth-error.ts';
import { isDatabaseUnavailable } from '../db/errors.ts';

/** Turns whatever was thrown into an OAuthError. */
export function toOAuthError(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  const e = error as FastifyError;
  if (e?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new PayloadTooLarge();
  if (e?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new UnsupportedMediaType(`unsupported content type`);
  if (e?.validation) return new InvalidRequest(e.message);
  if (isDatabaseUnavailable(error)) return new TemporarilyUnavailable('the database is unavailable; retry shortly', { headers: { 'Retry-After': '2' } });
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new OAuthError('invalid_request', e.statusCode, typeof e.message === 'string' ? e.message.slice(0, 300) : 'bad request');
  }
  return new ServerError(undefined, { cause: error });
}

export type ErrorRenderer = (request: FastifyRequest, reply: FastifyReply, error: OAuthError) => FastifyReply | undefined;

/** Hosted pages answer errors as HTML; they register a renderer for their routes. */
const renderers: Array<{ matches: (request: FastifyRequest) => boolean; render: ErrorRenderer }> = [];

export function registerErrorRenderer(matches: (request: FastifyRequest) => boolean, render: ErrorRenderer): void {
  renderers.push({ matches, render });
}

export function sendError(request: FastifyRequest, reply: FastifyReply, thrown: unknown): FastifyReply {
  const error = toOAuthError(thrown);
  if (error.status >= 500) {
    if (error.status === 503) request.log.warn({ err: thrown }, 'dependency unavailable');
    else request.log.error({ err: thrown }, 'request failed');
  }
  reply.code(error.status).headers(error.headers);
  for (const renderer of renderers) {
    if (renderer.matches(request)) {
      const rendered = renderer.render(request, reply, error);
      if (rendered) return rendered;
    }
  }
  return reply.header('Cache-Control', 'no-store').type('application/json; charset=utf-8').send(safeJson(error.toJSON()));
}

/**
 * JSON with `<`, `>` and `&` written as \u escapes: the same value for every JSON parser, but a description that
 * quotes client input can never appear as markup, whatever a browser or log viewer does with the body.
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
}
