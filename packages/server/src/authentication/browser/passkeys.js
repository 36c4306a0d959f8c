// Runs the WebAuthn ceremony of each passkey form on a hosted page (served as /assets/webauthn/passkeys.js).
// The forms carry their options in data-options and post the response as an ordinary field, so the server
// sees a normal form submission with its CSRF token. Pages without JavaScript never show these forms.
import { browserSupportsWebAuthn, browserSupportsWebAuthnAutofill, startAuthentication, startRegistration } from './simplewebauthn/index.js';

function showError(form, error) {
  const box = form.querySelector('[data-webauthn-error]');
  if (!box) return;
  // The page's words, in its language (data attributes written by the server).
  box.textContent = error && error.name === 'NotAllowedError' ? form.dataset.msgCancelled : `${form.dataset.msgFailed} ${error && error.message ? error.message : error}`;
  box.hidden = false;
}

async function run(form, autofill) {
  const optionsJSON = JSON.parse(form.dataset.options);
  const response = form.dataset.webauthn === 'register'
    ? await startRegistration({ optionsJSON })
    : await startAuthentication({ optionsJSON, useBrowserAutofill: autofill });
  form.elements.response.value = JSON.stringify(response);
  form.submit();
}

if (browserSupportsWebAuthn()) {
  for (const form of document.querySelectorAll('form[data-webauthn]')) {
    form.hidden = false;
    const button = form.querySelector('[data-webauthn-start]');
    button.addEventListener('click', () => run(form, false).catch((error) => showError(form, error)));
    if (form.dataset.webauthn === 'autofill') {
      browserSupportsWebAuthnAutofill().then((supported) => {
        if (supported) run(form, true).catch(() => {});
      });
    }
  }
}
