/**
 * Browser-facing routes: the authorization and end-session endpoints and the hosted pages (sign-in, consent,
 * sign-out confirmation). No CORS; errors render as HTML pages; forms are parsed from raw bodies.
 */
import type { FastifyInstance } from 'fastify';
import type { Latchkey } from '../context.ts';
import { authorizeHandler } from '../oauth/authorize.ts';
import { contributeSignInMetadata } from '../oauth/sign-in-metadata.ts';
import { endSessionHandler, logoutConfirmHandler } from '../oauth/end-session.ts';
import { consentPageHandler, consentSubmitHandler } from './consent.ts';
import { loginPageHandler, loginSubmitHandler } from './login.ts';
import { registerPageErrors } from './page-errors.ts';
import { loadPageContext } from './page-context.ts';
import { authenticationRoutes } from '../authentication/routes.ts';
import { federationRoutes } from '../federation/routes.ts';

export async function browserRoutes(app: FastifyInstance, ctx: Latchkey): Promise<void> {
  registerPageErrors();
  contributeSignInMetadata();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  // The tenant's brand and default locale, for the page or the error page the route ends with.
  app.addHook('preHandler', async (request) => loadPageContext(ctx, request));
  // No automatic HEAD routes: a HEAD (a link prefetch) must not start an interaction or end a session.
  const noHead = { exposeHeadRoute: false };
  const authorize = authorizeHandler(ctx);
  app.get('/t/:tenant/oauth2/authorize', noHead, authorize);
  app.post('/t/:tenant/oauth2/authorize', authorize);
  const endSession = endSessionHandler(ctx);
  app.get('/t/:tenant/oauth2/logout', noHead, endSession);
  app.post('/t/:tenant/oauth2/logout', endSession);
  app.get('/t/:tenant/login', loginPageHandler(ctx));
  app.post('/t/:tenant/login', loginSubmitHandler(ctx));
  app.get('/t/:tenant/consent', consentPageHandler(ctx));
  app.post('/t/:tenant/consent', consentSubmitHandler(ctx));
  app.post('/t/:tenant/logout/confirm', logoutConfirmHandler(ctx));
  await authenticationRoutes(app, ctx);
  await federationRoutes(app, ctx);
}
