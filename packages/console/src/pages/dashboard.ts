/** The dashboard: who you are, and for operators this instance's sign-ins, tokens and failures (GET /metrics/summary). */
import { call } from '../api.ts';
import { h, mount } from '../dom.ts';
import { alertBox, facts, link, page } from '../ui.ts';
import { tenantPath } from '../view.ts';
import type { View } from '../view.ts';

export async function dashboardPage(view: View): Promise<void> {
  const metrics = h('div', { 'aria-live': 'polite' });
  page(
    'Dashboard',
    h('div', { class: 'panel' },
      facts([['Signed in as', view.me.email ?? view.me.id], ['Role', view.me.role], ['Home tenant', view.me.tenant_slug], ['Access', view.me.can.write ? 'read and change' : 'read only']]),
    ),
    h('h2', {}, 'Go to'),
    h('ul', {},
      view.me.can.see_other_tenants ? h('li', {}, link('#/tenants', 'Tenants')) : null,
      h('li', {}, link(tenantPath(view, '/users'), `Users of ${view.tenant}`)),
      h('li', {}, link(tenantPath(view, '/clients'), `Applications of ${view.tenant}`)),
      h('li', {}, link('#/audit', 'Audit log')),
    ),
    view.me.can.read_metrics ? [h('h2', {}, 'This instance since it started'), metrics] : null,
  );
  if (!view.me.can.read_metrics) return;
  try {
    const m = await call('getMetricsSummary');
    const tokens = Object.values(m.tokens_issued).reduce((a, b) => a + b, 0);
    mount(metrics, h('ul', { class: 'stats' },
      h('li', {}, h('strong', {}, String(m.sign_ins.succeeded)), 'sign-ins'),
      h('li', {}, h('strong', {}, String(m.sign_ins.failed)), 'failed sign-ins'),
      h('li', {}, h('strong', {}, String(tokens)), 'tokens issued'),
      h('li', {}, h('strong', {}, String(m.token_failures)), 'token endpoint failures'),
      h('li', {}, h('strong', {}, String(m.requests['5xx'] ?? 0)), 'server errors'),
      h('li', {}, h('strong', {}, `${Math.round(m.uptime_seconds / 60)} min`), 'uptime'),
    ));
  } catch (error) {
    mount(metrics, alertBox(error));
  }
}
