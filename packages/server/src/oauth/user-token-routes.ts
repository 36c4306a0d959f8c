/**
 * Protocol endpoints around user tokens: userinfo (GET and POST), introspection and revocation. Like the token
 * endpoint they parse bodies themselves and are open to every origin (they authenticate by client credentials or
 * bearer tokens, never by cookies).
 */
import type { FastifyInstance } from 'fastify';
import type { Latchkey } from '../context.ts';
import { registerOpenCors } from '../http/cors.ts';
import { introspectHandler } from './introspect.ts';
import { revokeHandler } from './revoke.ts';
import { userinfoHandler } from './userinfo.ts';

export async function userTokenRoutes(app: FastifyInstance, ctx: Latchkey): Promise<void> {
  registerOpenCors(app);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  const userinfo = userinfoHandler(ctx);
  app.get('/t/:tenant/oauth2/userinfo', userinfo);
  app.post('/t/:tenant/oauth2/userinfo', userinfo);
  app.post('/t/:tenant/oauth2/introspect', introspectHandler(ctx));
  app.post('/t/:tenant/oauth2/revoke', revokeHandler(ctx));
}
