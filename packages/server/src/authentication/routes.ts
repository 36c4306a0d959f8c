/**
 * Routes of strong sign-in, registered with the other hosted pages (same form parsing, HTML error pages):
 * the second step and step-up, enrolment, the account's security page, passkey sign-in and the WebAuthn scripts.
 */
import type { FastifyInstance } from 'fastify';
import type { Latchkey } from '../context.ts';
import { accountSecurityPageHandler, accountSecuritySubmitHandler } from './account-security.ts';
import { passkeyEnrolSubmitHandler, totpEnrolPageHandler, totpEnrolSubmitHandler } from './enrolment.ts';
import { passkeySignInHandler } from './passkey-sign-in.ts';
import { cancelHandler, passkeyAnswerHandler, recoveryAnswerHandler, secondFactorPageHandler, totpAnswerHandler } from './second-factor.ts';
import { webauthnAssetRoutes } from './webauthn-assets.ts';

export async function authenticationRoutes(app: FastifyInstance, ctx: Latchkey): Promise<void> {
  app.get('/t/:tenant/mfa', secondFactorPageHandler(ctx));
  app.post('/t/:tenant/mfa/totp', totpAnswerHandler(ctx));
  app.post('/t/:tenant/mfa/recovery', recoveryAnswerHandler(ctx));
  app.post('/t/:tenant/mfa/passkey', passkeyAnswerHandler(ctx));
  app.post('/t/:tenant/mfa/cancel', cancelHandler(ctx));
  app.get('/t/:tenant/mfa/enrol/totp', totpEnrolPageHandler(ctx));
  app.post('/t/:tenant/mfa/enrol/totp', totpEnrolSubmitHandler(ctx));
  app.post('/t/:tenant/mfa/enrol/passkey', passkeyEnrolSubmitHandler(ctx));
  app.get('/t/:tenant/account/security', accountSecurityPageHandler(ctx));
  app.post('/t/:tenant/account/security', accountSecuritySubmitHandler(ctx));
  app.post('/t/:tenant/login/passkey', passkeySignInHandler(ctx));
  await webauthnAssetRoutes(app, ctx);
}
