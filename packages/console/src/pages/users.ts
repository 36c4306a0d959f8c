/**
 * Users of a tenant: search (server-side, `q`), keyset pages, and creating a person (optionally with an admin
 * role the signed-in admin may grant). A user's own page is `user.ts`.
 */
import { call } from '../api.ts';
import type { User } from '../api.ts';
import { h, mount } from '../dom.ts';
import { badge, field, form, link, notice, page, pagedTable, select, text, when } from '../ui.ts';
import { grantableRoles, tenantPath } from '../view.ts';
import type { View } from '../view.ts';

export function userName(user: User): string {
  return user.display_name ?? user.email ?? user.username ?? user.id;
}

export function statusBadge(user: User): HTMLElement {
  return badge(user.status, user.status === 'active' ? 'ok' : 'off');
}

export function usersPage(view: View, created?: User): void {
  const results = h('div', {});
  const show = (q: string) => mount(results, pagedTable(q === '' ? 'All users' : `Users matching “${q}”`, ['Name', 'Email', 'Kind', 'Status', 'Admin role', 'Created'],
    (cursor) => call('listUsers', { path: { tenant: view.tenant }, query: { cursor, q: q === '' ? undefined : q } }),
    (u) => [link(tenantPath(view, `/users/${encodeURIComponent(u.id)}`), userName(u)), u.email ?? '—', u.kind, statusBadge(u), u.admin_role ?? '—', when(u.created_at)]));
  const roles = grantableRoles(view.me);
  page(
    `Users of ${view.tenant}`,
    created ? notice('User ', link(tenantPath(view, `/users/${encodeURIComponent(created.id)}`), userName(created)), ' created.') : null,
    h('form', { role: 'search', 'aria-label': 'Search users', onsubmit: (event: Event) => {
      event.preventDefault();
      show(text(new FormData(event.target as HTMLFormElement), 'q'));
    } },
      h('div', { class: 'row' },
        field('Search', 'q', { type: 'search', hint: 'part of an email, username or name' }),
        h('button', { type: 'submit' }, 'Search'),
      ),
    ),
    results,
    roles.length > 0
      ? [h('h2', {}, 'New user'), form('New user', [
          field('Email', 'email', { type: 'email', required: true }),
          field('Display name', 'display_name'),
          field('Password', 'password', { type: 'password', autocomplete: 'new-password', hint: 'optional; at least 8 characters. Without one the user cannot sign in with a password yet.' }),
          select('Admin role', 'admin_role', [['', 'None'], ...roles.map((r) => [r, r] as const)], '', 'only roles up to your own'),
        ], 'Create user', async (values) => {
          const body: Record<string, unknown> = { email: text(values, 'email') };
          if (text(values, 'display_name') !== '') body.display_name = text(values, 'display_name');
          if (text(values, 'password') !== '') body.password = text(values, 'password');
          if (text(values, 'admin_role') !== '') body.admin_role = text(values, 'admin_role');
          usersPage(view, await call('createUser', { path: { tenant: view.tenant }, body }));
        })]
      : null,
  );
  show('');
}
