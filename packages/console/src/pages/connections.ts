/**
 * Connections to upstream identity providers (docs/federation.md): the list with the callback URL to register
 * upstream, enabling and disabling, and creating an OpenID Connect connection or a GitHub, Google or Entra ID
 * preset. SAML connections and the finer settings are made through the API or `latchkey connection`.
 */
import { call } from '../api.ts';
import { h, mount } from '../dom.ts';
import { alertBox, badge, field, form, list, notice, page, pagedTable, select, text } from '../ui.ts';
import { canWrite } from '../view.ts';
import type { View } from '../view.ts';

export function connectionsPage(view: View, message?: string): void {
  const writable = canWrite(view);
  const problems = h('div', {});
  page(
    `Connections of ${view.tenant}`,
    message ? notice(message) : null,
    problems,
    pagedTable('Connections to identity providers', ['Name', 'Kind', 'Domains', 'Callback URL to register', 'State'], (cursor) => call('listConnections', { path: { tenant: view.tenant }, query: { cursor } }), (c) => [
      c.name, c.preset ?? c.type, c.domains.join(' ') || '—', h('code', {}, c.callback_url),
      h('span', {}, c.enabled ? badge('enabled', 'ok') : badge('disabled', 'off'), ' ', writable ? h('button', { type: 'button', class: 'link', onclick: () =>
        void call('updateConnection', { path: { tenant: view.tenant, connection: c.id }, body: { enabled: !c.enabled } })
          .then(() => connectionsPage(view, `${c.name} ${c.enabled ? 'disabled' : 'enabled'}.`), (error: unknown) => mount(problems, alertBox(error))) }, `${c.enabled ? 'Disable' : 'Enable'} ${c.name}`) : null),
    ]),
    writable
      ? [h('h2', {}, 'New connection'), form('New connection', [
          select('Identity provider', 'kind', [['oidc', 'OpenID Connect provider'], ['github', 'GitHub'], ['google', 'Google'], ['entra', 'Microsoft Entra ID']], 'oidc'),
          field('Name', 'name', { required: true, hint: 'the sign-in button says "Continue with <name>"' }),
          field('Slug', 'slug', { required: true, hint: 'used in URLs and idp_hint' }),
          field('Issuer', 'issuer', { hint: 'OpenID Connect only: the provider\'s issuer URL' }),
          field('Client id', 'client_id', { required: true, hint: 'the client registered at the provider' }),
          field('Client secret', 'client_secret', { type: 'password', autocomplete: 'off', hint: 'sealed at rest and never shown again' }),
          field('Email domains', 'domains', { hint: 'optional; users with these email domains go straight to this provider' }),
        ], 'Create connection', async (values) => {
          const kind = text(values, 'kind');
          const settings: Record<string, unknown> = { client_id: text(values, 'client_id') };
          if (kind === 'oidc') settings.issuer = text(values, 'issuer');
          const body: Record<string, unknown> = {
            slug: text(values, 'slug'), name: text(values, 'name'), domains: list(values, 'domains'), settings,
            ...(kind === 'oidc' ? { type: 'oidc' } : { preset: kind }),
            ...(text(values, 'client_secret') === '' ? {} : { secrets: { client_secret: text(values, 'client_secret') } }),
          };
          const connection = await call('createConnection', { path: { tenant: view.tenant }, body });
          connectionsPage(view, `Connection ${connection.name} created. Register ${connection.callback_url} at the provider.`);
        })]
      : null,
  );
}
