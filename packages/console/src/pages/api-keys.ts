/** API keys: list with last use, create for a user (live or test; the key is shown once), revoke. */
import { call } from '../api.ts';
import type { CreatedApiKey } from '../api.ts';
import { h, mount } from '../dom.ts';
import { alertBox, badge, field, form, notice, page, pagedTable, select, shownOnce, text, when } from '../ui.ts';
import { canWrite } from '../view.ts';
import type { View } from '../view.ts';

export function apiKeysPage(view: View, created?: CreatedApiKey, message?: string): void {
  const writable = canWrite(view);
  const problems = h('div', {});
  page(
    `API keys of ${view.tenant}`,
    message ? notice(message) : null,
    created ? shownOnce(`API key ${created.name}`, created.key) : null,
    problems,
    pagedTable('API keys', ['Name', 'Starts with', 'Mode', 'Owner', 'Last used', 'State', ''], (cursor) => call('listApiKeys', { path: { tenant: view.tenant }, query: { cursor } }), (k) => [
      k.name, h('code', {}, k.display_prefix), k.mode, h('code', {}, k.owner_user_id), when(k.last_used_at),
      k.revoked_at ? badge('revoked', 'off') : badge('active', 'ok'),
      writable && !k.revoked_at ? h('button', { type: 'button', class: 'link', onclick: () =>
        void call('revokeApiKey', { path: { tenant: view.tenant, keyId: k.id } }).then(() => apiKeysPage(view, undefined, `API key ${k.name} revoked.`), (error: unknown) => mount(problems, alertBox(error))) }, `Revoke ${k.name}`) : null,
    ]),
    writable
      ? [h('h2', {}, 'New API key'), form('New API key', [
          field('Owner email', 'owner', { type: 'email', required: true, hint: 'the key acts as this user, with at most the user\'s permissions' }),
          field('Name', 'name', { required: true }),
          select('Mode', 'mode', [['live', 'live'], ['test', 'test']], 'live'),
        ], 'Create API key', async (values) => {
          const owner = (await call('listUsers', { path: { tenant: view.tenant }, query: { email: text(values, 'owner'), limit: 1 } })).data[0];
          if (!owner) throw new Error(`no user with email ${text(values, 'owner')} in ${view.tenant}`);
          apiKeysPage(view, await call('createApiKey', { path: { tenant: view.tenant }, body: { owner_user_id: owner.id, name: text(values, 'name'), mode: text(values, 'mode') } }));
        })]
      : null,
  );
}
