/**
 * Signing keys: the published keys with a countdown to activation for staged ones and the retirement time of
 * replaced ones, and rotation (algorithm, delay). The countdown is text that updates each second, outside any
 * live region, so screen readers are not interrupted every second.
 */
import { call } from '../api.ts';
import type { SigningKey, SigningKeyRotation } from '../api.ts';
import { h } from '../dom.ts';
import { badge, field, form, notice, page, select, table, text, when } from '../ui.ts';
import { canWrite } from '../view.ts';
import type { View } from '../view.ts';

export function countdown(to: string, now = Date.now()): string {
  let seconds = Math.max(0, Math.round((Date.parse(to) - now) / 1000));
  const h_ = Math.floor(seconds / 3600);
  seconds -= h_ * 3600;
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return h_ > 0 ? `${h_} h ${m} min` : m > 0 ? `${m} min ${s} s` : `${s} s`;
}

let ticker: ReturnType<typeof setInterval> | undefined;

function state(key: SigningKey): HTMLElement {
  if (Date.parse(key.activates_at) > Date.now()) {
    const cell = h('span', { 'data-activates': key.activates_at }, `activates in ${countdown(key.activates_at)}`);
    return h('span', {}, badge('staged'), ' ', cell);
  }
  if (key.publish_until) return h('span', {}, badge('retiring', 'off'), ` published until ${when(key.publish_until)}`);
  return badge('signing', 'ok');
}

export async function signingKeysPage(view: View, rotation?: SigningKeyRotation): Promise<void> {
  const [keys, tenant] = await Promise.all([call('listSigningKeys', { path: { tenant: view.tenant } }), call('getTenant', { path: { tenant: view.tenant } })]);
  const algs = Array.isArray(tenant.settings.allowed_signing_algs) ? (tenant.settings.allowed_signing_algs as string[]) : ['RS256'];
  page(
    `Signing keys of ${view.tenant}`,
    rotation ? notice(`Key ${rotation.kid} (${rotation.alg}) activates at ${when(rotation.activates_at)}.`, rotation.signs_until_activation ? ` Until then ${rotation.signs_until_activation.kid} keeps signing.` : '') : null,
    table('Published signing keys', ['Key id', 'Algorithm', 'Activates', 'State'], keys.data.map((k) => [h('code', {}, k.kid), k.alg, when(k.activates_at), state(k)])),
    canWrite(view)
      ? [h('h2', {}, 'Rotate'), form('Rotate the signing key', [
          select('Algorithm', 'alg', algs.map((a) => [a, a] as const), String(tenant.settings.signing_alg ?? 'RS256')),
          field('Activate after (seconds)', 'activate_in', { type: 'number', hint: 'empty: the server\'s default delay, so caches fetch the new key before it signs', attrs: { min: 0 } }),
        ], 'Rotate key', async (values) => {
          const body: Record<string, unknown> = { alg: text(values, 'alg') };
          if (text(values, 'activate_in') !== '') body.activate_in = Number(text(values, 'activate_in'));
          await signingKeysPage(view, await call('rotateSigningKey', { path: { tenant: view.tenant }, body }));
        })]
      : null,
  );
  if (ticker !== undefined) clearInterval(ticker);
  ticker = setInterval(() => {
    const cells = document.querySelectorAll<HTMLElement>('[data-activates]');
    if (cells.length === 0) return void clearInterval(ticker);
    for (const cell of cells) cell.textContent = `activates in ${countdown(cell.dataset.activates ?? '')}`;
  }, 1000);
}
