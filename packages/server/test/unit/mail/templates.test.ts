import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderMail } from '../../../src/mail/templates.ts';

describe('mail templates', () => {
  const params = { tenant: 'Acme <b>', link: 'https://id.example/t/acme/reset-password?token=a&b=1', minutes: '30' };

  it('fills the messages into a text part with the link and an HTML part with the values escaped', () => {
    const mail = renderMail('password_reset', 'en', params);
    assert.equal(mail.subject, 'Reset your Acme <b> password');
    assert.match(mail.text, /Choose a new password:\nhttps:\/\/id\.example\/t\/acme\/reset-password\?token=a&b=1\n/);
    assert.match(mail.html, /<a href="https:\/\/id\.example\/t\/acme\/reset-password\?token=a&amp;b=1">Choose a new password<\/a>/);
    assert.match(mail.html, /Acme &lt;b&gt;/);
    assert.doesNotMatch(mail.html, /Acme <b>/);
  });

  it('speaks the locale asked for, and English for one there is no catalog of', () => {
    assert.equal(renderMail('invitation', 'fr', { tenant: 'Acme', link: 'https://x.example/', days: '7' }).subject, 'Vous êtes invité chez Acme');
    assert.match(renderMail('invitation', 'fr', { tenant: 'Acme', link: 'https://x.example/', days: '7' }).html, /<html lang="fr"/);
    assert.equal(renderMail('invitation', 'tlh', { tenant: 'Acme', link: 'https://x.example/', days: '7' }).subject, 'You are invited to Acme');
  });

  it('keeps a header injection out of the subject', () => {
    assert.equal(renderMail('invitation', 'en', { tenant: 'Acme\r\nBcc: victim@example.com', link: 'https://x.example/', days: '7' }).subject, 'You are invited to Acme Bcc: victim@example.com');
  });

  it('refuses to render a mail with a call to action but no link', () => {
    assert.throws(() => renderMail('registration', 'en', { tenant: 'Acme', hours: '24' }), /needs a link/);
  });
});
