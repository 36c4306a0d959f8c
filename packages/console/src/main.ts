/**
 * The console's entry point: finish a sign-in coming back from Latchkey, ask /admin/v1/me who is signed in, draw
 * the shell (header, navigation showing only what this admin may use) and route `#/…` addresses to pages.
 * Tokens live in memory, so navigation stays inside this page (hash routes) and never reloads it.
 */
import { ApiError, call } from './api.ts';
import type { Me } from './api.ts';
import { finishSignIn, forgetTenant, rememberedTenant, signIn, signOut } from './auth.ts';
import { h, mount } from './dom.ts';
import { alertBox, main, messageOf, page } from './ui.ts';
import type { View } from './view.ts';
import { apiKeysPage } from './pages/api-keys.ts';
import { apiResourcesPage } from './pages/api-resources.ts';
import { auditPage } from './pages/audit.ts';
import { brandingPage } from './pages/branding.ts';
import { bootstrapPage } from './pages/bootstrap.ts';
import { clientPage, clientsPage } from './pages/clients.ts';
import { connectionsPage } from './pages/connections.ts';
import { dashboardPage } from './pages/dashboard.ts';
import { groupPage, groupsPage } from './pages/groups.ts';
import { partnersPage } from './pages/partners.ts';
import { rolesPage } from './pages/roles.ts';
import { signInPage } from './pages/sign-in.ts';
import { signingKeysPage } from './pages/signing-keys.ts';
import { tenantSettingsPage, tenantsPage } from './pages/tenants.ts';
import { userPage } from './pages/user.ts';
import { usersPage } from './pages/users.ts';

type Route = readonly [RegExp, (view: View, ...parts: string[]) => unknown];

const ROUTES: readonly Route[] = [
  [/^\/$/, (view) => dashboardPage(view)],
  [/^\/partners$/, (view) => partnersPage(view)],
  [/^\/tenants$/, (view) => tenantsPage(view)],
  [/^\/tenants\/([^/]+)$/, (view, slug) => tenantSettingsPage(view, slug!)],
  [/^\/t\/[^/]+\/users$/, (view) => usersPage(view)],
  [/^\/t\/[^/]+\/users\/([^/]+)$/, (view, id) => userPage(view, id!)],
  [/^\/t\/[^/]+\/clients$/, (view) => clientsPage(view)],
  [/^\/t\/[^/]+\/clients\/([^/]+)$/, (view, id) => clientPage(view, id!)],
  [/^\/t\/[^/]+\/groups$/, (view) => groupsPage(view)],
  [/^\/t\/[^/]+\/groups\/([^/]+)$/, (view, id) => groupPage(view, id!)],
  [/^\/t\/[^/]+\/roles$/, (view) => rolesPage(view)],
  [/^\/t\/[^/]+\/api-keys$/, (view) => apiKeysPage(view)],
  [/^\/t\/[^/]+\/signing-keys$/, (view) => signingKeysPage(view)],
  [/^\/t\/[^/]+\/branding$/, (view) => brandingPage(view)],
  [/^\/t\/[^/]+\/api-resources$/, (view) => apiResourcesPage(view)],
  [/^\/t\/[^/]+\/connections$/, (view) => connectionsPage(view)],
  [/^\/audit$/, (view) => auditPage(view)],
];

function currentPath(): string {
  return location.hash.startsWith('#/') ? location.hash.slice(1) : '/';
}

function tenantOf(me: Me, path: string): string {
  const match = /^\/(?:t|tenants)\/([^/]+)/.exec(path);
  return match ? decodeURIComponent(match[1]!) : me.tenant_slug;
}

function navigation(me: Me, tenant: string, path: string): HTMLElement {
  const item = (href: string, label: string) => h('li', {}, h('a', { href, 'aria-current': `#${path}` === href ? 'page' : undefined }, label));
  const t = `#/t/${encodeURIComponent(tenant)}`;
  return h('nav', { class: 'side', 'aria-label': 'Console' },
    h('ul', {},
      item('#/', 'Dashboard'),
      me.can.manage_partners ? item('#/partners', 'Partners') : null,
      item('#/tenants', me.can.see_other_tenants ? 'Tenants' : 'Tenant'),
      item('#/audit', 'Audit log'),
    ),
    h('h2', {}, `Tenant ${tenant}`),
    h('ul', {},
      item(`#/tenants/${encodeURIComponent(tenant)}`, 'Settings'),
      item(`${t}/clients`, 'Applications'),
      item(`${t}/users`, 'Users'),
      item(`${t}/groups`, 'Groups'),
      item(`${t}/roles`, 'Roles'),
      item(`${t}/api-keys`, 'API keys'),
      item(`${t}/api-resources`, 'API resources'),
      item(`${t}/connections`, 'Connections'),
      item(`${t}/signing-keys`, 'Signing keys'),
      item(`${t}/branding`, 'Branding'),
    ),
  );
}

function shell(me: Me, tenant: string, path: string): void {
  const app = document.getElementById('app')!;
  mount(app,
    h('header', { class: 'top' },
      h('span', { class: 'brand' }, 'Latchkey console'),
      h('span', { class: 'who' }, `${me.email ?? me.id} · ${me.role}${me.can.write ? '' : ' (read only)'}`),
      h('button', { type: 'button', class: 'secondary', onclick: () => void signOut() }, 'Sign out'),
    ),
    h('div', { class: 'shell' }, navigation(me, tenant, path), h('main', { id: 'main', tabindex: '-1' })),
  );
}

async function route(me: Me): Promise<void> {
  const path = currentPath();
  const tenant = tenantOf(me, path);
  shell(me, tenant, path);
  const view: View = { me, tenant };
  for (const [pattern, render] of ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    try {
      await render(view, ...match.slice(1).map(decodeURIComponent));
    } catch (error) {
      page(error instanceof ApiError && error.status === 404 ? 'Not found' : 'Something went wrong', alertBox(error));
    }
    return;
  }
  page('Not found', h('p', {}, 'There is no console page at this address.'));
}

async function start(): Promise<void> {
  const bootstrap = /^#\/bootstrap\/([A-Za-z0-9_-]+)$/.exec(location.hash);
  if (bootstrap) return bootstrapPage(bootstrap[1]!);
  let returned = false;
  try {
    returned = await finishSignIn();
  } catch (error) {
    return signInPage(`Sign-in did not finish: ${messageOf(error)}`);
  }
  if (!returned) {
    // Tokens are kept in memory only: after a reload, sign in again at the same tenant (silently while its session lasts).
    const tenant = rememberedTenant();
    if (tenant !== null) {
      return signIn(tenant).catch((error: unknown) => {
        forgetTenant();
        signInPage(messageOf(error));
      });
    }
    return signInPage();
  }
  let me: Me;
  try {
    me = await call('getMe');
  } catch (error) {
    forgetTenant();
    return signInPage(error instanceof ApiError && error.status === 403 ? 'This account holds no admin role. Ask an admin of your tenant for one.' : messageOf(error));
  }
  window.addEventListener('hashchange', () => {
    if (location.hash === '' || location.hash.startsWith('#/')) void route(me);
  });
  await route(me);
}

start().catch((error: unknown) => mount(main(), alertBox(error)));
