/**
 * Self-service routes under each tenant's issuer: password reset, email verification, sign-up, invitations and
 * the account page. Hosted pages like the sign-in page: forms parsed from raw bodies, errors as HTML pages.
 */
import type { FastifyInstance } from 'fastify';
import type { Latchkey } from '../context.ts';
import { registerPageErrors } from '../interaction/page-errors.ts';
import { loadPageContext } from '../interaction/page-context.ts';
import { signUpPageHandler, signUpSubmitHandler, verifyEmailPageHandler, verifyEmailSubmitHandler } from './sign-up-routes.ts';
import { invitationPageHandler, invitationSubmitHandler } from './invitation-routes.ts';
import { accountPageHandler, accountSignInHandler, accountSignOutHandler, emailHandler, endOtherSessionsHandler, endSessionHandler, passwordHandler, profileHandler, revokeApplicationHandler } from './account-routes.ts';
import { forgotPasswordPageHandler, forgotPasswordSubmitHandler, resetPasswordPageHandler, resetPasswordSubmitHandler } from './password-reset-routes.ts';

export async function accountRoutes(app: FastifyInstance, ctx: Latchkey): Promise<void> {
  registerPageErrors();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  // The tenant's brand and default locale, for the page or the error page the route ends with.
  app.addHook('preHandler', async (request) => loadPageContext(ctx, request));
  app.get('/t/:tenant/forgot-password', forgotPasswordPageHandler(ctx));
  app.post('/t/:tenant/forgot-password', forgotPasswordSubmitHandler(ctx));
  app.get('/t/:tenant/reset-password', resetPasswordPageHandler(ctx));
  app.post('/t/:tenant/reset-password', resetPasswordSubmitHandler(ctx));
  app.get('/t/:tenant/sign-up', signUpPageHandler(ctx));
  app.post('/t/:tenant/sign-up', signUpSubmitHandler(ctx));
  app.get('/t/:tenant/verify-email', verifyEmailPageHandler(ctx));
  app.post('/t/:tenant/verify-email', verifyEmailSubmitHandler(ctx));
  app.get('/t/:tenant/invitation', invitationPageHandler(ctx));
  app.post('/t/:tenant/invitation', invitationSubmitHandler(ctx));
  app.get('/t/:tenant/account', accountPageHandler(ctx));
  app.post('/t/:tenant/account/sign-in', accountSignInHandler(ctx));
  app.post('/t/:tenant/account/sign-out', accountSignOutHandler(ctx));
  app.post('/t/:tenant/account/profile', profileHandler(ctx));
  app.post('/t/:tenant/account/email', emailHandler(ctx));
  app.post('/t/:tenant/account/password', passwordHandler(ctx));
  app.post('/t/:tenant/account/sessions/end', endSessionHandler(ctx));
  app.post('/t/:tenant/account/sessions/end-others', endOtherSessionsHandler(ctx));
  app.post('/t/:tenant/account/applications/revoke', revokeApplicationHandler(ctx));
}
