/**
 * Groups as a tree (a group may sit under several parents: it appears under each), creating groups, and a
 * group's page: its parents (pick one; the API refuses a cycle with 409 and the page says so), members and roles.
 */
import { call } from '../api.ts';
import type { Group, GroupEdge } from '../api.ts';
import { h, mount } from '../dom.ts';
import type { Child } from '../dom.ts';
import { alertBox, field, form, link, notice, page, pagedTable, select, text } from '../ui.ts';
import { canWrite, tenantPath } from '../view.ts';
import type { View } from '../view.ts';
import { userName } from './users.ts';

async function all<T>(load: (cursor: string | undefined) => Promise<{ data: T[]; next_cursor: string | null }>, max = 2000): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await load(cursor);
    items.push(...page.data);
    cursor = page.next_cursor ?? undefined;
  } while (cursor !== undefined && items.length < max);
  return items;
}

function tree(view: View, groups: Group[], edges: GroupEdge[]): HTMLElement {
  const byId = new Map(groups.map((g) => [g.id, g]));
  const children = new Map<string, string[]>();
  const hasParent = new Set<string>();
  for (const edge of edges) {
    if (!byId.has(edge.child_group_id) || !byId.has(edge.parent_group_id)) continue;
    children.set(edge.parent_group_id, [...(children.get(edge.parent_group_id) ?? []), edge.child_group_id]);
    hasParent.add(edge.child_group_id);
  }
  const node = (id: string, seen: ReadonlySet<string>): Child => {
    const group = byId.get(id)!;
    const kids = (children.get(id) ?? []).filter((kid) => !seen.has(kid));
    return h('li', {}, link(tenantPath(view, `/groups/${encodeURIComponent(id)}`), group.name), kids.length > 0 ? h('ul', {}, kids.map((kid) => node(kid, new Set([...seen, kid])))) : null);
  };
  const roots = groups.filter((g) => !hasParent.has(g.id));
  return h('ul', { class: 'tree', 'aria-label': 'Groups, nested' }, roots.length === 0 ? h('li', {}, 'No groups yet.') : roots.map((g) => node(g.id, new Set([g.id]))));
}

export async function groupsPage(view: View, message?: string): Promise<void> {
  const [groups, edges] = await Promise.all([
    all((cursor) => call('listGroups', { path: { tenant: view.tenant }, query: { cursor, limit: 200 } })),
    all((cursor) => call('listGroupEdges', { path: { tenant: view.tenant }, query: { cursor, limit: 200 } })),
  ]);
  page(
    `Groups of ${view.tenant}`,
    message ? notice(message) : null,
    tree(view, groups, edges),
    canWrite(view)
      ? [h('h2', {}, 'New group'), form('New group', [
          field('Name', 'name', { required: true }),
          select('Inside group', 'parent', [['', 'None (top level)'], ...groups.map((g) => [g.id, g.name] as const)]),
        ], 'Create group', async (values) => {
          const group = await call('createGroup', { path: { tenant: view.tenant }, body: { name: text(values, 'name') } });
          if (text(values, 'parent') !== '') await call('addGroupParent', { path: { tenant: view.tenant, groupId: group.id, parentId: text(values, 'parent') } });
          await groupsPage(view, `Group ${group.name} created.`);
        })]
      : null,
  );
}

/** The group with exactly this name (the server filters by part of the name; any number of groups). */
async function groupNamed(view: View, name: string): Promise<Group> {
  const found = await all((cursor) => call('listGroups', { path: { tenant: view.tenant }, query: { name, cursor, limit: 200 } }));
  const group = found.find((g) => g.name.toLowerCase() === name.toLowerCase());
  if (!group) throw new Error(`no group named ${name} in ${view.tenant}`);
  return group;
}

export async function groupPage(view: View, groupId: string, message?: string): Promise<void> {
  const path = { tenant: view.tenant, groupId };
  const [group, parents, roles, allRoles] = await Promise.all([
    call('getGroup', { path }), call('listGroupParents', { path }), call('listGroupRoles', { path }),
    call('listRoles', { path: { tenant: view.tenant }, query: { limit: 200 } }),
  ]);
  const writable = canWrite(view);
  const problems = h('div', {});
  const again = (text: string) => groupPage(view, groupId, text);
  const remove = (label: string, work: () => Promise<unknown>, done: string) => writable
    ? h('button', { type: 'button', class: 'link', onclick: () => void work().then(() => again(done), (error: unknown) => mount(problems, alertBox(error))) }, label)
    : null;
  page(
    `Group ${group.name}`,
    message ? notice(message) : null,
    problems,
    h('h2', {}, 'Inside groups'),
    h('ul', {}, parents.data.length === 0 ? h('li', {}, 'Top level') : parents.data.map((p) => h('li', {}, link(tenantPath(view, `/groups/${encodeURIComponent(p.id)}`), p.name), ' ',
      remove(`Take out of ${p.name}`, () => call('removeGroupParent', { path: { ...path, parentId: p.id } }), `Taken out of ${p.name}.`)))),
    writable ? form('Put inside a group', [field('Parent group', 'parent', { required: true, hint: 'its exact name' })], 'Add parent', async (values) => {
      const parent = await groupNamed(view, text(values, 'parent'));
      await call('addGroupParent', { path: { ...path, parentId: parent.id } });
      await again(`Put inside ${parent.name}.`);
    }) : null,
    h('h2', {}, 'Roles'),
    h('ul', {}, roles.data.length === 0 ? h('li', {}, 'None') : roles.data.map((r) => h('li', {}, r.name, ' ', h('span', { class: 'hint' }, r.permissions.join(' ')), ' ',
      remove(`Remove role ${r.name}`, () => call('unassignGroupRole', { path: { ...path, roleId: r.id } }), `Role ${r.name} removed.`)))),
    writable ? form('Give the group a role', [select('Role', 'role', allRoles.data.map((r) => [r.id, r.name] as const))], 'Add role', async (values) => {
      await call('assignGroupRole', { path: { ...path, roleId: text(values, 'role') } });
      await again('Role added: every member, also through nested groups, holds it.');
    }) : null,
    h('h2', {}, 'Members'),
    pagedTable('Direct members', ['Member', 'Email', ''], (cursor) => call('listGroupMembers', { path, query: { cursor } }), (u) => [
      link(tenantPath(view, `/users/${encodeURIComponent(u.id)}`), userName(u)), u.email ?? '—',
      remove(`Remove ${userName(u)}`, () => call('removeGroupMember', { path: { ...path, userId: u.id } }), `${userName(u)} removed.`),
    ]),
    writable ? form('Add a member', [field('Member email', 'email', { type: 'email', required: true })], 'Add member', async (values) => {
      const found = await call('listUsers', { path: { tenant: view.tenant }, query: { email: text(values, 'email'), limit: 1 } });
      const user = found.data[0];
      if (!user) throw new Error(`no user with email ${text(values, 'email')} in ${view.tenant}`);
      await call('addGroupMember', { path: { ...path, userId: user.id } });
      await again(`${userName(user)} added.`);
    }) : null,
  );
}
