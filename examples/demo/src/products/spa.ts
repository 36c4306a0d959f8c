/**
 * A single-page app on its own origin that signs in with the browser SDK loaded from Latchkey
 * (`/sdk/latchkey.js`) and calls the mail API with `apiFetch`.
 */
import { listen } from '../serve.ts';
import type { RunningProduct } from '../serve.ts';

export interface SpaOptions {
  readonly latchkeyUrl: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly mailApiUrl: string;
  readonly port: number;
  /** Passed to initOIDC (the browser test shortens it to watch a token expire). */
  readonly refreshBeforeSeconds?: number;
}

function page(options: SpaOptions): string {
  const settings = JSON.stringify({ issuer: options.issuer, clientId: options.clientId, mail: options.mailApiUrl, refreshBeforeSeconds: options.refreshBeforeSeconds ?? 30 });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mail SPA (Latchkey demo)</title></head>
<body>
<h1>Mail SPA</h1>
<p id="who">Not signed in.</p>
<button id="login">Sign in</button> <button id="mailboxes">Load mailboxes</button> <button id="logout">Sign out</button>
<pre id="out"></pre>
<script type="module">
import * as sdk from '${options.latchkeyUrl}/sdk/latchkey.js';
const settings = ${settings};
sdk.initOIDC({ issuer: settings.issuer, clientId: settings.clientId, redirectUri: location.origin + '/callback', postLogoutRedirectUri: location.origin + '/', refreshBeforeSeconds: settings.refreshBeforeSeconds });
const show = (value) => (document.getElementById('out').textContent = JSON.stringify(value, null, 2));
window.latchkey = sdk;
window.callApi = async (path) => {
  const response = await sdk.apiFetch(settings.mail + path);
  return { status: response.status, body: await response.json() };
};
document.getElementById('login').onclick = () => sdk.login();
document.getElementById('mailboxes').onclick = async () => show(await window.callApi('/v1/mailboxes'));
document.getElementById('logout').onclick = () => sdk.logout();
if (location.pathname === '/callback') {
  try {
    const user = await sdk.handleRedirectCallback();
    document.getElementById('who').textContent = 'Signed in as ' + (user?.email ?? user?.sub);
    document.body.dataset.user = user?.sub ?? '';
  } catch (error) {
    document.body.dataset.error = error.code ?? String(error);
    show({ error: error.code, message: error.message });
  }
}
document.body.dataset.ready = '1';
</script>
</body></html>`;
}

export async function startSpa(options: SpaOptions): Promise<RunningProduct> {
  const html = page(options);
  return listen((req, res) => {
    const path = new URL(req.url ?? '/', 'http://spa').pathname;
    if (path === '/' || path === '/callback') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }, options.port);
}
