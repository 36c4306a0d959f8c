/** Roles and their permission strings; creating a role and replacing its permissions. */
import { call } from '../api.ts';
import type { Role } from '../api.ts';
import { h } from '../dom.ts';
import { field, form, list, notice, page, pagedTable, text } from '../ui.ts';
import { canWrite } from '../view.ts';
import type { View } from '../view.ts';

export function rolesPage(view: View, message?: string): void {
  const writable = canWrite(view);
  const editForm = (role: Role) => form(`Permissions of ${role.name}`, [field(`Permissions of ${role.name}`, 'permissions', { value: role.permissions.join(' ') })], 'Save', async (values) => {
    await call('updateRole', { path: { tenant: view.tenant, roleId: role.id }, body: { permissions: list(values, 'permissions') } });
    rolesPage(view, `Role ${role.name} saved.`);
  });
  page(
    `Roles of ${view.tenant}`,
    message ? notice(message) : null,
    pagedTable('Roles', ['Role', 'Description', 'Permissions'], (cursor) => call('listRoles', { path: { tenant: view.tenant }, query: { cursor } }),
      (r) => [r.name, r.description ?? '—', writable ? editForm(r) : h('span', {}, r.permissions.map((p) => h('code', {}, p, ' ')))]),
    writable
      ? [h('h2', {}, 'New role'), form('New role', [
          field('Name', 'name', { required: true }),
          field('Description', 'description'),
          field('Permissions', 'permissions', { hint: 'separated by spaces, e.g. mail.send mail.read' }),
        ], 'Create role', async (values) => {
          const role = await call('createRole', { path: { tenant: view.tenant }, body: { name: text(values, 'name'), description: text(values, 'description') || null, permissions: list(values, 'permissions') } });
          rolesPage(view, `Role ${role.name} created.`);
        })]
      : null,
  );
}
