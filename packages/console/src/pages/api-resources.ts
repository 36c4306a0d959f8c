/**
 * API resources (RFC 8707, docs/agents.md): the APIs a tenant's tokens can be minted for (the `resource`
 * parameter, the token's `aud`), the scopes each defines, and which clients may ask for it.
 */
import { call } from '../api.ts';
import { h } from '../dom.ts';
import { checkbox, field, form, list, notice, page, pagedTable, text } from '../ui.ts';
import { canWrite } from '../view.ts';
import type { View } from '../view.ts';

export function apiResourcesPage(view: View, message?: string): void {
  const writable = canWrite(view);
  page(
    `API resources of ${view.tenant}`,
    message ? notice(message) : null,
    pagedTable('API resources', ['Name', 'Identifier (aud)', 'Scopes', 'Clients'], (cursor) => call('listApiResources', { path: { tenant: view.tenant }, query: { cursor } }),
      (r) => [r.name, h('code', {}, r.identifier), r.scopes.join(' ') || '—', r.all_clients ? 'every client' : 'clients granted it']),
    writable
      ? [
          h('h2', {}, 'New API resource'),
          form('New API resource', [
            field('Name', 'name', { required: true }),
            field('Identifier', 'identifier', { required: true, hint: 'an absolute URI, e.g. https://api.example.com; tokens for it carry it as aud' }),
            field('Scopes', 'scopes', { hint: 'the permissions it defines, separated by spaces' }),
            checkbox('Every client of the tenant may ask for it', 'all_clients', false),
          ], 'Create API resource', async (values) => {
            const resource = await call('createApiResource', { path: { tenant: view.tenant }, body: { name: text(values, 'name'), identifier: text(values, 'identifier'), scopes: list(values, 'scopes'), all_clients: values.get('all_clients') === 'on' } });
            apiResourcesPage(view, `API resource ${resource.name} created.`);
          }),
          h('h2', {}, 'Let a client use an API resource'),
          form('Grant an API resource', [field('API resource identifier', 'identifier', { required: true }), field('Client id', 'client_id', { required: true })], 'Grant access', async (values) => {
            const resources = (await call('listApiResources', { path: { tenant: view.tenant }, query: { limit: 200 } })).data;
            const resource = resources.find((r) => r.identifier === text(values, 'identifier'));
            if (!resource) throw new Error(`no API resource ${text(values, 'identifier')} in ${view.tenant}`);
            await call('grantApiResource', { path: { tenant: view.tenant, resourceId: resource.id, clientId: text(values, 'client_id') } });
            apiResourcesPage(view, `Client ${text(values, 'client_id')} may now ask for ${resource.name}.`);
          }),
        ]
      : null,
  );
}
