/**
 * Tenants: the list an admin may see (all for super admins, its partner's for partner admins, its own
 * otherwise), creating one (super admins), and a tenant's settings: name, token lifetimes, refresh rotation and
 * feature flags (every boolean under `features`, as the API returns them).
 */
import { call } from '../api.ts';
import type { Partner, Tenant } from '../api.ts';
import { h } from '../dom.ts';
import { checkbox, facts, field, form, link, notice, page, pagedTable, select, text, when } from '../ui.ts';
import { canWrite } from '../view.ts';
import type { View } from '../view.ts';

export async function tenantsPage(view: View, created?: Tenant): Promise<void> {
  const partners: Partner[] = view.me.can.manage_partners ? (await call('listPartners', { query: { limit: 200 } })).data : [];
  page(
    'Tenants',
    created ? notice(`Tenant ${created.name} created. Its issuer is ${created.issuer}.`) : null,
    pagedTable('Tenants you can reach', ['Name', 'Slug', 'Partner', 'Issuer', 'Manage'], (cursor) => call('listTenants', { query: { cursor } }), (t) => [
      t.name, h('code', {}, t.slug), partners.find((p) => p.id === t.partner_id)?.name ?? t.partner_id ?? '—', h('code', {}, t.issuer),
      h('span', {}, link(`#/tenants/${encodeURIComponent(t.slug)}`, `Settings of ${t.slug}`), ' · ', link(`#/t/${encodeURIComponent(t.slug)}/users`, `Users of ${t.slug}`)),
    ]),
    view.me.can.manage_partners && view.me.can.write
      ? [h('h2', {}, 'New tenant'), form('New tenant', [
          field('Name', 'name', { required: true }),
          field('Slug', 'slug', { required: true, hint: 'its issuer becomes /t/<slug>; cannot change later' }),
          select('Partner', 'partner_id', [['', 'None (standalone)'], ...partners.map((p) => [p.id, p.name] as const)]),
        ], 'Create tenant', async (values) => {
          const partner = text(values, 'partner_id');
          const tenant = await call('createTenant', { body: { name: text(values, 'name'), slug: text(values, 'slug'), partner_id: partner === '' ? null : partner } });
          await tenantsPage(view, tenant);
        })]
      : null,
  );
}

const LIFETIMES = [
  ['access_token_lifetime', 'Access token lifetime (seconds)'],
  ['id_token_lifetime', 'ID token lifetime (seconds)'],
  ['refresh_token_lifetime', 'Refresh token lifetime (seconds)'],
  ['authorization_code_lifetime', 'Authorization code lifetime (seconds, at most 60)'],
] as const;

/** Every boolean under `features`, with its dotted path (`auth.password_grant_enabled`). */
function featureFlags(features: unknown, prefix = ''): Array<[string, boolean]> {
  if (features === null || typeof features !== 'object') return [];
  return Object.entries(features as Record<string, unknown>).flatMap(([key, value]) =>
    typeof value === 'boolean' ? [[`${prefix}${key}`, value] as [string, boolean]] : featureFlags(value, `${prefix}${key}.`));
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1]!] = value;
}

export async function tenantSettingsPage(view: View, slug: string, saved = false): Promise<void> {
  const [tenant, report] = await Promise.all([call('getTenant', { path: { tenant: slug } }), call('getMfaEnrolmentReport', { path: { tenant: slug } })]);
  const mfa = (settings: Record<string, unknown>) => (settings.mfa ?? {}) as { policy?: string; required_for_admins?: boolean };
  const settings = tenant.settings;
  const flags = featureFlags(settings.features);
  const writable = canWrite(view);
  page(
    `Tenant ${tenant.name}`,
    saved ? notice('Settings saved.') : null,
    h('div', { class: 'panel' }, facts([['Slug', tenant.slug], ['Issuer', h('code', {}, tenant.issuer)], ['Partner', tenant.partner_id ?? '—'], ['Created', when(tenant.created_at)], ['Signing algorithm', String(settings.signing_alg ?? '')]])),
    writable
      ? form('Tenant settings', [
          field('Name', 'name', { value: tenant.name, required: true }),
          h('h2', {}, 'Token lifetimes'),
          LIFETIMES.map(([key, label]) => field(label, key, { type: 'number', value: String(settings[key] ?? ''), attrs: { min: 1 } })),
          checkbox('Rotate refresh tokens on every use', 'refresh_token_rotation', settings.refresh_token_rotation === true),
          h('h2', {}, 'Second factor'),
          select('Second factor policy', 'mfa_policy', [['off', 'Off: never asked'], ['optional', 'Optional: asked of users who set one up'], ['required', 'Required: every user']], mfa(settings).policy ?? 'optional'),
          checkbox('Admins must always use a second factor', 'mfa_required_for_admins', mfa(settings).required_for_admins !== false),
          h('h2', {}, 'Feature flags'),
          flags.length === 0 ? h('p', {}, 'This tenant has no feature flags.') : flags.map(([path, on]) => checkbox(path, `feature:${path}`, on)),
        ], 'Save settings', async (values) => {
          const changes: Record<string, unknown> = {
            refresh_token_rotation: values.get('refresh_token_rotation') === 'on',
            mfa: { policy: text(values, 'mfa_policy'), required_for_admins: values.get('mfa_required_for_admins') === 'on' },
          };
          for (const [key] of LIFETIMES) if (text(values, key) !== '') changes[key] = Number(text(values, key));
          if (flags.length > 0) {
            const features: Record<string, unknown> = {};
            for (const [path] of flags) setPath(features, path, values.get(`feature:${path}`) === 'on');
            changes.features = features;
          }
          await call('updateTenant', { path: { tenant: slug }, body: { name: text(values, 'name'), settings: changes } });
          await tenantSettingsPage(view, slug, true);
        })
      : h('div', { class: 'panel' }, facts([...LIFETIMES.map(([key, label]) => [label, String(settings[key] ?? '')] as const), ...flags.map(([path, on]) => [path, on ? 'on' : 'off'] as const)])),
    h('h2', {}, 'Second factor enrolment'),
    h('div', { class: 'panel' }, facts([
      ['Policy', `${report.policy}${report.required_for_admins ? ', required for admins' : ''}`], ['People', String(report.people)], ['With a second factor', String(report.enrolled)],
      ['Authenticator app', String(report.with_totp)], ['Passkey', String(report.with_passkey)], ['Admins without one', String(report.admins_without_factor.length)],
    ])),
    h('p', {}, link(`#/t/${encodeURIComponent(slug)}/users`, 'Users'), ' · ', link(`#/t/${encodeURIComponent(slug)}/clients`, 'Applications'), ' · ', link(`#/t/${encodeURIComponent(slug)}/signing-keys`, 'Signing keys')),
  );
}
