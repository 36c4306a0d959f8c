/**
 * Users of a tenant: search (server-side, `q`), keyset pages, and creating a person (optionally with an admin
 * role the signed-in admin may grant). A user's own page is `user.ts`.
 */
import { call } from '../api.ts';
import type { User } from '../api.ts';
import { h, mount } from '../dom.ts';
import { alertBox, badge, field, form, link, notice, page, pagedTable, select, text, when } from '../ui.ts';
import { canWrite, grantableRoles, tenantPath } from '../view.ts';
import type { View } from '../view.ts';

export function userName(user: User): string {
  return user.display_name ?? user.email ?? user.username ?? user.id;
}

export function statusBadge(user: User): HTMLElement {
  return badge(user.status, user.status === 'active' ? 'ok' : 'off');
}

/** Invitations (docs/accounts.md): the person gets a link by email to choose a password. */
function invitations(view: View, refresh: (message: string) => void): HTMLElement[] {
  const problems = h('div', {});
  const writable = canWrite(view);
  return [
    h('h2', {}, 'Invitations'),
    problems,
    pagedTable('Invitations', ['Email', 'Status', 'Sent', 'Expires', ''], (cursor) => call('listInvitations', { path: { tenant: view.tenant }, query: { cursor } }), (i) => [
      i.email, badge(i.status, i.status === 'accepted' ? 'ok' : i.status === 'pending' ? '' : 'off'), when(i.sent_at), when(i.expires_at),
      writable && i.status === 'pending' ? h('button', { type: 'button', class: 'link', onclick: () =>
        void call('revokeInvitation', { path: { tenant: view.tenant, invitationId: i.id } }).then(() => refresh(`Invitation to ${i.email} withdrawn.`), (error: unknown) => mount(problems, alertBox(error))) }, `Withdraw ${i.email}`) : null,
    ]),
    writable ? form('Invite a person', [field('Email', 'email', { type: 'email', required: true }), field('First name', 'first_name'), field('Last name', 'last_name')], 'Send invitation', async (values) => {
      const invitation = await call('createInvitation', { path: { tenant: view.tenant }, body: { email: text(values, 'email'), first_name: text(values, 'first_name') || null, last_name: text(values, 'last_name') || null } });
      refresh(`Invitation sent to ${invitation.email}.`);
    }) : h('span', {}),
  ];
}

export function usersPage(view: View, created?: User, message?: string): void {
  const results = h('div', {});
  const show = (q: string) => mount(results, pagedTable(q === '' ? 'All users' : `Users matching “${q}”`, ['Name', 'Email', 'Kind', 'Status', 'Admin role', 'Created'],
    (cursor) => call('listUsers', { path: { tenant: view.tenant }, query: { cursor, q: q === '' ? undefined : q } }),
    (u) => [link(tenantPath(view, `/users/${encodeURIComponent(u.id)}`), userName(u)), u.email ?? '—', u.kind, statusBadge(u), u.admin_role ?? '—', when(u.created_at)]));
  const roles = grantableRoles(view.me);
  page(
    `Users of ${view.tenant}`,
    created ? notice('User ', link(tenantPath(view, `/users/${encodeURIComponent(created.id)}`), userName(created)), ' created.') : null,
    message ? notice(message) : null,
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
    invitations(view, (text) => usersPage(view, undefined, text)),
  );
  show('');
}
