/** Partners (super admins only): the service providers that own tenants. */
import { call } from '../api.ts';
import type { Partner } from '../api.ts';
import { h } from '../dom.ts';
import { field, form, link, notice, page, pagedTable, text, when } from '../ui.ts';
import type { View } from '../view.ts';

export function partnersPage(view: View, created?: Partner): void {
  page(
    'Partners',
    created ? notice(`Partner ${created.name} created. Create its tenants on the Tenants page.`) : null,
    pagedTable('Partners', ['Name', 'Slug', 'Id', 'Created'], (cursor) => call('listPartners', { query: { cursor } }), (p) => [p.name, p.slug, h('code', {}, p.id), when(p.created_at)]),
    view.me.can.manage_partners && view.me.can.write
      ? [h('h2', {}, 'New partner'), form('New partner', [field('Name', 'name', { required: true }), field('Slug', 'slug', { required: true, hint: 'lower-case letters, digits and hyphens' })], 'Create partner', async (values) => {
          const partner = await call('createPartner', { body: { name: text(values, 'name'), slug: text(values, 'slug') } });
          partnersPage(view, partner);
        })]
      : null,
    h('p', {}, link('#/tenants', 'Tenants')),
  );
}
