/**
 * One user: profile and status (disable, enable), admin role, sign out of every session, the sessions, direct
 * roles and groups, and the effective permissions explained: each permission with the role that gives it and
 * the group path the role comes through.
 */
import { call } from '../api.ts';
import type { ExplainedAccess, RoleSource, User } from '../api.ts';
import { h, mount } from '../dom.ts';
import { alertBox, badge, facts, form, link, notice, page, pagedTable, select, table, text, when } from '../ui.ts';
import { canWrite, grantableRoles, tenantPath } from '../view.ts';
import type { View } from '../view.ts';
import { statusBadge, userName } from './users.ts';

function sourceText(source: RoleSource): string {
  return source.group_path.length === 0 ? `${source.role} (held directly)` : `${source.role} via ${source.group_path.join(' → ')}`;
}

function permissionsTable(access: ExplainedAccess): HTMLElement {
  return table('Effective permissions and where each comes from', ['Permission', 'Sources'], access.permissions.map((p) => [
    h('code', {}, p.permission),
    h('ul', {}, p.sources.map((s) => h('li', {}, sourceText(s)))),
  ]));
}

export async function userPage(view: View, userId: string, message?: string): Promise<void> {
  const path = { tenant: view.tenant, userId };
  const [user, access, groups, direct, factors] = await Promise.all([
    call('getUser', { path }), call('explainUserPermissions', { path }), call('listUserGroups', { path }), call('listUserRoles', { path }), call('listUserFactors', { path }),
  ]);
  const writable = canWrite(view);
  const actions = h('div', {});
  const refresh = (text: string) => userPage(view, userId, text);
  const act = (label: string, work: () => Promise<string>, kind = 'secondary') =>
    h('button', { type: 'button', class: kind, onclick: () => void work().then(refresh, (error: unknown) => mount(actions, alertBox(error))) }, label);
  page(
    userName(user),
    message ? notice(message) : null,
    h('div', { class: 'panel' }, facts([
      ['Email', user.email ?? '—'], ['Username', user.username ?? '—'], ['Kind', user.kind], ['Status', statusBadge(user)],
      ['Admin role', user.admin_role ?? 'none'], ['Password', user.has_password ? 'set' : 'not set'], ['Id', h('code', {}, user.id)], ['Created', when(user.created_at)],
    ])),
    writable ? [actions, h('div', { class: 'row' },
      user.status === 'active'
        ? act('Disable user', async () => (await call('updateUser', { path, body: { status: 'disabled' } }), 'User disabled.'), 'danger')
        : act('Enable user', async () => (await call('updateUser', { path, body: { status: 'active' } }), 'User enabled.')),
      act('Sign out everywhere', async () => {
        const out = await call('signOutUser', { path });
        return `Signed out: ${out.sessions_ended} sessions ended, ${out.grants_revoked} grants revoked.`;
      }),
    ), adminRoleForm(view, user)] : null,
    h('h2', {}, 'Second factors'),
    table('Second factors (never their secrets)', ['Kind', 'Name', 'Added', 'Last used'], factors.data.map((f) => [f.type === 'totp' ? 'authenticator app' : 'passkey', f.name, when(f.created_at), when(f.last_used_at)])),
    h('p', {}, `Recovery codes left: ${factors.recovery_codes_left}`),
    writable && factors.data.length > 0 ? act('Reset second factors', async () => {
      const reset = await call('resetUserFactors', { path });
      return `${reset.factors_removed} second factor(s) removed; the user sets one up again where the policy asks.`;
    }, 'danger') : null,
    h('h2', {}, 'Effective permissions'),
    h('p', { class: 'hint' }, `Roles: ${access.roles.map(sourceText).join('; ') || 'none'}`),
    permissionsTable(access),
    h('h2', {}, 'Groups (direct)'),
    h('ul', {}, groups.data.length === 0 ? h('li', {}, 'None') : groups.data.map((g) => h('li', {}, link(tenantPath(view, `/groups/${encodeURIComponent(g.id)}`), g.name)))),
    h('h2', {}, 'Roles held directly'),
    h('ul', {}, direct.data.length === 0 ? h('li', {}, 'None') : direct.data.map((r) => h('li', {}, r.name, ' ', writable ? h('button', { type: 'button', class: 'link', onclick: () =>
      void call('unassignUserRole', { path: { ...path, roleId: r.id } }).then(() => refresh(`Role ${r.name} taken away.`), (error: unknown) => mount(actions, alertBox(error))) }, `Remove ${r.name}`) : null))),
    writable ? await assignRoleForm(view, user, direct.data.map((r) => r.id)) : null,
    h('h2', {}, 'Sessions'),
    pagedTable('Browser sessions, newest first', ['Started', 'Signed in', 'Expires', 'State'], (cursor) => call('listUserSessions', { path, query: { cursor } }),
      (s) => [when(s.created_at), when(s.auth_time), when(s.expires_at), s.live ? badge('live', 'ok') : badge(s.ended_at ? 'ended' : 'expired', 'off')]),
  );
}

function adminRoleForm(view: View, user: User): HTMLElement | null {
  const roles = grantableRoles(view.me);
  if (user.kind !== 'person' || roles.length === 0) return null;
  return form('Admin role', [select('Admin role', 'admin_role', [['', 'None'], ...roles.map((r) => [r, r] as const)], user.admin_role ?? '', 'only roles up to your own')], 'Change admin role', async (values) => {
    const role = text(values, 'admin_role');
    await call('updateUser', { path: { tenant: view.tenant, userId: user.id }, body: { admin_role: role === '' ? null : role } });
    await userPage(view, user.id, 'Admin role changed.');
  });
}

async function assignRoleForm(view: View, user: User, held: string[]): Promise<HTMLElement> {
  const roles = (await call('listRoles', { path: { tenant: view.tenant }, query: { limit: 200 } })).data.filter((r) => !held.includes(r.id));
  if (roles.length === 0) return h('p', {}, 'No other roles to assign.');
  return form('Assign a role', [select('Role', 'role', roles.map((r) => [r.id, r.name] as const))], 'Assign role', async (values) => {
    await call('assignUserRole', { path: { tenant: view.tenant, userId: user.id, roleId: text(values, 'role') } });
    await userPage(view, user.id, 'Role assigned.');
  });
}
