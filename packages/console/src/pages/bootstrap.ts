/** First start: the one-time link from `latchkey serve` / `latchkey admin bootstrap` opens this page to create the first super admin. */
import { call } from '../api.ts';
import { signIn } from '../auth.ts';
import { h } from '../dom.ts';
import { field, form, notice, page, text } from '../ui.ts';

export function bootstrapPage(token: string): void {
  page(
    'Create the first super admin',
    h('p', {}, 'This link works once. The account you create here manages everything on this server; choose a strong password (at least 8 characters).'),
    form('Create the first super admin', [
      field('Email', 'email', { type: 'email', required: true, autocomplete: 'username' }),
      field('Password', 'password', { type: 'password', required: true, autocomplete: 'new-password' }),
      field('Password again', 'confirm', { type: 'password', required: true, autocomplete: 'new-password' }),
    ], 'Create super admin', async (values) => {
      if (text(values, 'password') !== text(values, 'confirm')) throw new Error('the two passwords differ');
      const result = await call('bootstrapSuperAdmin', { anonymous: true, body: { token, email: text(values, 'email'), password: text(values, 'password') } });
      history.replaceState(null, '', '/console/#/');
      page('Super admin created', notice(`${result.email} is the super admin of this server.`), h('button', { type: 'button', onclick: () => void signIn(null) }, 'Sign in now'));
    }),
  );
}
