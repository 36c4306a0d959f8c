/**
 * A tenant's brand (docs/branding.md): how its hosted sign-in pages look. Each field left empty is inherited from
 * the tenant's partner (shown as the hint); saving replaces the tenant's whole brand, and the API names every
 * refused field (colours must keep WCAG AA contrast, URLs must be https).
 */
import { call } from '../api.ts';
import type { Brand } from '../api.ts';
import { h, mount } from '../dom.ts';
import { alertBox, facts, field, form, notice, page, select, text, textarea } from '../ui.ts';
import { canWrite } from '../view.ts';
import type { View } from '../view.ts';

const FIELDS = [
  ['display_name', 'Display name', 'shown above every page heading instead of the tenant name'],
  ['logo_url', 'Logo URL', 'https'],
  ['logo_alt', 'Logo text alternative', 'needed with a logo'],
  ['primary_color', 'Button colour', '#rrggbb; white text on it must reach 4.5:1'],
  ['accent_color', 'Link colour', '#rrggbb; must reach 4.5:1 on the page'],
  ['support_email', 'Support email', 'shown in the page footer'],
  ['terms_url', 'Terms of service URL', 'https'],
  ['privacy_url', 'Privacy policy URL', 'https'],
] as const;

export async function brandingPage(view: View, message?: string): Promise<void> {
  const branding = await call('getTenantBranding', { path: { tenant: view.tenant } });
  const own = branding.brand;
  const inherited = (key: keyof Brand) => (branding.inherited[key] ? `; inherited: ${branding.inherited[key]}` : '');
  const problems = h('div', {});
  page(
    `Branding of ${view.tenant}`,
    message ? notice(message) : null,
    problems,
    canWrite(view)
      ? [
          form('Brand', [
            FIELDS.map(([key, label, hint]) => field(label, key, { value: own[key] ?? '', hint: `${hint}${inherited(key)}` })),
            select('Appearance', 'appearance', [['', 'Inherit'], ['auto', 'Follow the system'], ['light', 'Light'], ['dark', 'Dark']], own.appearance ?? ''),
            textarea('Custom CSS', 'custom_css', { value: own.custom_css ?? '', hint: 'declarations of --lk-radius, --lk-border-width, --lk-max-width, --lk-font-family only' }),
          ], 'Save brand', async (values) => {
            const brand: Record<string, string> = {};
            for (const key of [...FIELDS.map(([k]) => k), 'appearance', 'custom_css']) if (text(values, key) !== '') brand[key] = text(values, key);
            await call('putTenantBranding', { path: { tenant: view.tenant }, body: brand });
            await brandingPage(view, 'Brand saved: the hosted pages show it from now on.');
          }),
          h('button', { type: 'button', class: 'secondary', onclick: () =>
            void call('deleteTenantBranding', { path: { tenant: view.tenant } }).then(() => brandingPage(view, 'The tenant\'s own brand is removed; it shows its partner\'s.'), (error: unknown) => mount(problems, alertBox(error))) }, 'Remove the tenant\'s brand'),
        ]
      : null,
    h('h2', {}, 'What the pages show'),
    h('div', { class: 'panel' }, facts(Object.entries(branding.effective).map(([key, value]) => [key, String(value)] as const))),
  );
}
