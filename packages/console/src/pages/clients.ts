/**
 * Applications (clients) of a tenant. Creating one starts from a preset (Logto's pattern): single-page app and
 * native app are public clients with code + PKCE; web app is confidential with a secret; machine-to-machine is
 * confidential with client_credentials only. A new secret is shown once; rotating issues another (the old one
 * stops at once).
 */
import { call } from '../api.ts';
import type { Client, ClientWithSecret } from '../api.ts';
import { h, mount } from '../dom.ts';
import { alertBox, facts, field, form, link, list, notice, page, pagedTable, select, shownOnce, text, textarea, when } from '../ui.ts';
import { canWrite, tenantPath } from '../view.ts';
import type { View } from '../view.ts';

export const PRESETS = {
  spa: { label: 'Single-page app (browser, PKCE, no secret)', type: 'public', grant_types: ['authorization_code', 'refresh_token'], redirects: true },
  web: { label: 'Web app with a back end (secret)', type: 'confidential', grant_types: ['authorization_code', 'refresh_token'], redirects: true },
  m2m: { label: 'Machine to machine (client credentials)', type: 'confidential', grant_types: ['client_credentials'], redirects: false },
  native: { label: 'Native or mobile app (PKCE, no secret)', type: 'public', grant_types: ['authorization_code', 'refresh_token'], redirects: true },
} as const;
type Preset = keyof typeof PRESETS;

function secretPanel(client: ClientWithSecret): HTMLElement | null {
  return client.client_secret ? shownOnce(`Client secret of ${client.name}`, client.client_secret) : null;
}

export function clientsPage(view: View, created?: ClientWithSecret): void {
  page(
    `Applications of ${view.tenant}`,
    created ? [notice('Application ', link(tenantPath(view, `/clients/${encodeURIComponent(created.client_id)}`), created.name), ` created. Client id: ${created.client_id}`), secretPanel(created)] : null,
    pagedTable('Applications', ['Name', 'Client id', 'Type', 'Grants', 'Created'], (cursor) => call('listClients', { path: { tenant: view.tenant }, query: { cursor } }),
      (c) => [link(tenantPath(view, `/clients/${encodeURIComponent(c.client_id)}`), c.name), h('code', {}, c.client_id), c.type, c.grant_types.join(', '), when(c.created_at)]),
    canWrite(view)
      ? [h('h2', {}, 'New application'), form('New application', [
          field('Name', 'name', { required: true }),
          select('Kind of application', 'preset', Object.entries(PRESETS).map(([key, p]) => [key, p.label] as const), 'spa'),
          textarea('Redirect URIs', 'redirect_uris', { hint: 'one per line; exact match. Not used by machine-to-machine apps. Native apps: http://127.0.0.1/callback or com.example.app:/callback' }),
          field('Scopes', 'scopes', { value: 'openid profile email offline_access', hint: 'separated by spaces' }),
        ], 'Create application', async (values) => {
          const preset = PRESETS[(text(values, 'preset') as Preset) in PRESETS ? (text(values, 'preset') as Preset) : 'spa'];
          const body = {
            name: text(values, 'name'), type: preset.type, grant_types: [...preset.grant_types],
            redirect_uris: preset.redirects ? list(values, 'redirect_uris') : [], scopes: list(values, 'scopes'),
          };
          clientsPage(view, await call('createClient', { path: { tenant: view.tenant }, body }));
        })]
      : null,
  );
}

export async function clientPage(view: View, clientId: string, rotated?: ClientWithSecret, message?: string): Promise<void> {
  const path = { tenant: view.tenant, clientId };
  const client: Client = await call('getClient', { path });
  const problems = h('div', {});
  const writable = canWrite(view);
  page(
    client.name,
    message ? notice(message) : null,
    rotated ? secretPanel(rotated) : null,
    problems,
    h('div', { class: 'panel' }, facts([
      ['Client id', h('code', {}, client.client_id)], ['Type', client.type], ['Authentication', client.token_endpoint_auth_method],
      ['Grant types', client.grant_types.join(', ')], ['Redirect URIs', client.redirect_uris.join(' ') || '—'], ['Scopes', client.scopes.join(' ')],
      ['Audience', client.audience], ['Created', when(client.created_at)],
    ])),
    writable
      ? [
          client.type === 'confidential' ? h('button', { type: 'button', class: 'secondary', onclick: () =>
            void call('rotateClientSecret', { path }).then((r) => clientPage(view, clientId, r, 'New secret issued; the old one no longer works.'), (error: unknown) => mount(problems, alertBox(error))) }, 'Rotate secret') : null,
          h('h2', {}, 'Change'),
          form('Change application', [
            field('Name', 'name', { value: client.name, required: true }),
            textarea('Redirect URIs', 'redirect_uris', { value: client.redirect_uris.join('\n'), hint: 'one per line; changing them asks every user to consent again' }),
            field('Scopes', 'scopes', { value: client.scopes.join(' ') }),
          ], 'Save application', async (values) => {
            await call('updateClient', { path, body: { name: text(values, 'name'), redirect_uris: list(values, 'redirect_uris'), scopes: list(values, 'scopes') } });
            await clientPage(view, clientId, undefined, 'Application saved.');
          }),
          h('h2', {}, 'Delete'),
          h('button', { type: 'button', class: 'danger', onclick: () => {
            if (!confirm(`Delete ${client.name}? Its tokens stop working.`)) return;
            void call('deleteClient', { path }).then(() => (location.hash = tenantPath(view, '/clients')), (error: unknown) => mount(problems, alertBox(error)));
          } }, 'Delete application'),
        ]
      : null,
  );
}
