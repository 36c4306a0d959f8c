/**
 * Sends an authorization response (success or error) to the client's redirect URI: as query parameters with a
 * 303, or as an auto-submitted form (`response_mode=form_post`). Every response carries `iss` (RFC 9207) and the
 * request's `state` unchanged.
 */
import type { FastifyReply } from 'fastify';
import type { OAuthError } from '../errors/oauth-error.ts';
import { formTargetFor, sendPage } from '../interaction/layout.ts';
import { formPostPage } from '../interaction/pages/form-post-page.ts';
import type { ResponseTarget } from './authorization-request.ts';

export function sendAuthorizationResponse(reply: FastifyReply, target: ResponseTarget, result: Readonly<Record<string, string>>): FastifyReply {
  const fields: Record<string, string> = { ...result };
  if (target.state !== undefined) fields.state = target.state;
  fields.iss = target.issuer;
  if (target.responseMode === 'form_post') {
    return sendPage(reply, formPostPage({ redirectUri: target.redirectUri, fields, formTarget: formTargetFor(target.redirectUri) }));
  }
  const url = new URL(target.redirectUri);
  for (const [name, value] of Object.entries(fields)) url.searchParams.set(name, value);
  return reply.code(303).header('Cache-Control', 'no-store').header('Location', url.href).send();
}

/** RFC 6749 §4.1.2.1: the error code and a description go back to the client. */
export function sendAuthorizationError(reply: FastifyReply, target: ResponseTarget, error: OAuthError): FastifyReply {
  return sendAuthorizationResponse(reply, target, { error: error.error, error_description: error.description });
}
