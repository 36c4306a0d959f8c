/** The signed-out screen: sign in to the system tenant, or to the tenant an admin belongs to (typed, never listed). */
import { signIn } from '../auth.ts';
import { h } from '../dom.ts';
import { form, page, text } from '../ui.ts';

export function signInPage(problem?: string): void {
  page(
    'Sign in to the Latchkey console',
    problem ? h('div', { class: 'alert', role: 'alert' }, problem) : null,
    h('div', { class: 'panel' },
      h('h2', {}, 'Operators'),
      h('p', {}, 'Super admins sign in at the system tenant.'),
      h('button', { type: 'button', onclick: () => void signIn(null).catch((error: unknown) => signInPage(error instanceof Error ? error.message : String(error))) }, 'Sign in'),
    ),
    h('div', { class: 'panel' },
      h('h2', {}, 'Partner and tenant admins, auditors'),
      form('Sign in to your tenant', [
        h('label', { for: 'tenant-slug' }, 'Your tenant', h('span', { class: 'hint' }, 'The short name in your tenant\'s address: /t/<tenant>')),
        h('input', { id: 'tenant-slug', name: 'tenant', type: 'text', required: true, autocomplete: 'organization', pattern: '[a-z0-9-]+' }),
      ], 'Continue', async (values) => signIn(text(values, 'tenant'))),
    ),
  );
}
