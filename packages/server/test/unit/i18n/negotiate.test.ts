import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chooseLocale, parseAcceptLanguage } from '../../../src/i18n/negotiate.ts';
import { translatorFor } from '../../../src/i18n/translator.ts';

describe('locale choice', () => {
  it('prefers the first supported ui_locales entry over Accept-Language and the tenant default', () => {
    assert.deepEqual(chooseLocale({ uiLocales: 'ja fr-CA de', acceptLanguage: 'es', tenantDefault: 'de' }), { locale: 'fr', source: 'ui_locales' });
    assert.deepEqual(chooseLocale({ uiLocales: 'en', tenantDefault: 'de' }), { locale: 'en', source: 'ui_locales' });
  });
  it('falls back to Accept-Language by q-value, then to the tenant default, then English', () => {
    assert.deepEqual(chooseLocale({ uiLocales: 'ja', acceptLanguage: 'ja, es;q=0.5, de-AT;q=0.8' }), { locale: 'de', source: 'accept-language' });
    assert.deepEqual(chooseLocale({ acceptLanguage: 'ja, *;q=0.1', tenantDefault: 'es' }), { locale: 'es', source: 'tenant' });
    assert.deepEqual(chooseLocale({}), { locale: 'en', source: 'default' });
  });
  it('ignores malformed tags and q=0 entries', () => {
    assert.deepEqual(parseAcceptLanguage('de;q=0, fr;q=abc, es ;q=0.3, ,,'), ['es']);
    assert.deepEqual(chooseLocale({ uiLocales: '%% <b> ---', acceptLanguage: '"><script>' }), { locale: 'en', source: 'default' });
  });
});

describe('translator', () => {
  it('formats plurals and numbers through Intl in the page language', () => {
    assert.match(translatorFor('de').text('page.login.locked', { minutes: 1 }), /1 Minute und/);
    assert.match(translatorFor('de').text('page.login.locked', { minutes: 2 }), /2 Minuten/);
    assert.equal(translatorFor('fr').number(1234.5), '1\u202f234,5');
    assert.equal(translatorFor('de').date(new Date(Date.UTC(2026, 11, 2)), { dateStyle: 'long', timeZone: 'UTC' }), '2. Dezember 2026');
    assert.equal(translatorFor('en').dir, 'ltr');
  });
  it('escapes values and literal text; only the message tags become markup', () => {
    const out = translatorFor('en').html('page.consent.intro', { user: '</strong><script>x</script>', client: 'A & B' }).toString();
    assert.equal(out, 'You are signed in as <strong>&lt;/strong&gt;&lt;script&gt;x&lt;/script&gt;</strong>. <strong>A &amp; B</strong> asks to:');
  });
});
