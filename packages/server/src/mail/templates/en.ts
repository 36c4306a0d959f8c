/**
 * English mail templates, as data: a subject, a plain-text part and an HTML part per mail. `{{name}}` is
 * replaced by a parameter (escaped in the HTML part); a translation is another file of the same shape.
 */
import type { TemplateSet } from '../templates.ts';

export const en: TemplateSet = {
  password_reset: {
    subject: 'Reset your {{tenant}} password',
    text: 'Someone (we hope you) asked to reset the password of your {{tenant}} account.\n\nChoose a new password here (the link works once, for {{minutes}} minutes):\n{{link}}\n\nIf you did not ask for this, ignore this mail: your password stays as it is.\n',
    html: '<p>Someone (we hope you) asked to reset the password of your {{tenant}} account.</p><p><a href="{{link}}">Choose a new password</a> (the link works once, for {{minutes}} minutes).</p><p>If you did not ask for this, ignore this mail: your password stays as it is.</p>',
  },
  password_reset_unknown: {
    subject: 'Password reset requested at {{tenant}}',
    text: 'Someone asked to reset the password of a {{tenant}} account for this address, but there is no account with this address.\n\nIf it was you, maybe you signed up with another address. If not, ignore this mail.\n',
    html: '<p>Someone asked to reset the password of a {{tenant}} account for this address, but there is no account with this address.</p><p>If it was you, maybe you signed up with another address. If not, ignore this mail.</p>',
  },
  email_verification: {
    subject: 'Confirm your email address for {{tenant}}',
    text: 'Confirm that this is your email address for your {{tenant}} account (the link works once, for {{hours}} hours):\n{{link}}\n',
    html: '<p>Confirm that this is your email address for your {{tenant}} account.</p><p><a href="{{link}}">Confirm my email address</a> (the link works once, for {{hours}} hours).</p>',
  },
  email_change: {
    subject: 'Confirm your new email address for {{tenant}}',
    text: 'You asked to use this address ({{email}}) for your {{tenant}} account. It takes effect when you confirm it (the link works once, for {{hours}} hours):\n{{link}}\n\nIf you did not ask for this, ignore this mail.\n',
    html: '<p>You asked to use this address ({{email}}) for your {{tenant}} account. It takes effect when you confirm it.</p><p><a href="{{link}}">Confirm my new email address</a> (the link works once, for {{hours}} hours).</p><p>If you did not ask for this, ignore this mail.</p>',
  },
  registration: {
    subject: 'Finish creating your {{tenant}} account',
    text: 'Confirm your email address to finish creating your {{tenant}} account (the link works once, for {{hours}} hours):\n{{link}}\n\nIf you did not sign up, ignore this mail: no account is created.\n',
    html: '<p>Confirm your email address to finish creating your {{tenant}} account.</p><p><a href="{{link}}">Confirm and create my account</a> (the link works once, for {{hours}} hours).</p><p>If you did not sign up, ignore this mail: no account is created.</p>',
  },
  registration_existing: {
    subject: 'You already have a {{tenant}} account',
    text: 'Someone tried to sign up at {{tenant}} with this address, but you already have an account. Sign in with it, or reset your password if you forgot it:\n{{link}}\n',
    html: '<p>Someone tried to sign up at {{tenant}} with this address, but you already have an account.</p><p>Sign in with it, or <a href="{{link}}">reset your password</a> if you forgot it.</p>',
  },
  invitation: {
    subject: 'You are invited to {{tenant}}',
    text: '{{inviter}} invited you to an account at {{tenant}}. Choose your password to accept (the link works once, for {{days}} days):\n{{link}}\n',
    html: '<p>{{inviter}} invited you to an account at {{tenant}}.</p><p><a href="{{link}}">Accept the invitation and choose a password</a> (the link works once, for {{days}} days).</p>',
  },
};
