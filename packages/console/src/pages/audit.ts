/**
 * The audit log: filters (action, actor, target, outcome, time), newest first with older pages, live follow
 * (polls for events after the newest one shown), and CSV export of the filtered events.
 */
import { call, operationUrl } from '../api.ts';
import type { AuditEvent } from '../api.ts';
import { h, mount } from '../dom.ts';
import { alertBox, badge, field, form, page, select, table, text, when } from '../ui.ts';
import type { View } from '../view.ts';
import { getAccessToken } from '../sdk.ts';

type Filters = Record<string, string | undefined>;

function filtersOf(values: FormData): Filters {
  const iso = (name: string) => (text(values, name) === '' ? undefined : new Date(text(values, name)).toISOString());
  return {
    tenant_id: text(values, 'tenant_id') || undefined, action: text(values, 'action') || undefined, actor_id: text(values, 'actor_id') || undefined, target_id: text(values, 'target_id') || undefined,
    outcome: text(values, 'outcome') || undefined, since: iso('since'), until: iso('until'),
  };
}

function rows(events: AuditEvent[]) {
  return events.map((e) => [when(e.occurred_at), h('code', {}, e.action), e.outcome === 'success' ? badge('success', 'ok') : badge('failure', 'off'),
    `${e.actor_type ?? ''} ${e.actor_id ?? ''}`.trim() || '—', `${e.target_type ?? ''} ${e.target_id ?? ''}`.trim() || '—', h('code', { class: 'hide-narrow' }, JSON.stringify(e.details))]);
}

let follower: ReturnType<typeof setInterval> | undefined;

export function auditPage(view: View): void {
  const results = h('div', {});
  const status = h('p', { role: 'status' });
  let events: AuditEvent[] = [];
  let older: string | null = null;
  let filters: Filters = {};
  const draw = () => mount(results,
    table('Audit events, newest first', ['When', 'Action', 'Outcome', 'Actor', 'Target', 'Details'], rows(events)),
    older ? h('button', { type: 'button', class: 'secondary', onclick: () => void more() }, 'Older events') : null);
  const load = async () => {
    const page = await call('listAuditEvents', { query: { ...filters, order: 'desc', limit: 50 } });
    events = page.data;
    older = page.next_cursor;
    draw();
  };
  const more = async () => {
    const page = await call('listAuditEvents', { query: { ...filters, order: 'desc', limit: 50, cursor: older ?? undefined } });
    events = [...events, ...page.data];
    older = page.next_cursor;
    draw();
  };
  const follow = async () => {
    const newest = events[0]?.id;
    const page = await call('listAuditEvents', { query: { ...filters, order: 'asc', limit: 200, cursor: newest } });
    if (page.data.length === 0) return;
    events = [...page.data.reverse(), ...events];
    mount(status, `${page.data.length} new event${page.data.length === 1 ? '' : 's'}.`);
    draw();
  };
  const followBox = h('input', { id: 'audit-follow', type: 'checkbox', onchange: (event: Event) => {
    if (follower !== undefined) clearInterval(follower);
    follower = (event.target as HTMLInputElement).checked ? setInterval(() => void follow().catch((error: unknown) => mount(status, alertBox(error))), 3000) : undefined;
    mount(status, follower ? 'Following new events.' : 'Stopped following.');
  } });
  const exportCsv = async () => {
    const response = await fetch(operationUrl('exportAuditEvents', { query: { ...filters, order: 'desc' } }), { headers: { authorization: `Bearer ${await getAccessToken()}` } });
    if (!response.ok) throw new Error(`export failed (${response.status})`);
    const url = URL.createObjectURL(await response.blob());
    const anchor = h('a', { href: url, download: 'audit-events.csv' }, 'download');
    document.body.append(anchor);
    anchor.click();
    anchor.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    mount(status, 'CSV exported.');
  };
  if (follower !== undefined) clearInterval(follower);
  follower = undefined;
  page(
    'Audit log',
    form('Filter audit events', [
      h('div', { class: 'row' },
        view.me.can.see_other_tenants ? field('Tenant id', 'tenant_id', { hint: view.me.role === 'super_admin' ? 'empty: every tenant' : 'empty: your own tenant' }) : null,
        field('Action', 'action', { hint: 'e.g. user.update' }), field('Actor id', 'actor_id'), field('Target id', 'target_id'),
        select('Outcome', 'outcome', [['', 'Any'], ['success', 'Success'], ['failure', 'Failure']]),
        field('From', 'since', { type: 'datetime-local' }), field('Until', 'until', { type: 'datetime-local' }),
      ),
    ], 'Apply filters', async (values) => {
      filters = filtersOf(values);
      await load();
    }),
    h('div', { class: 'row' },
      h('label', { class: 'check', for: 'audit-follow' }, followBox, 'Follow new events live'),
      h('button', { type: 'button', class: 'secondary', onclick: () => void exportCsv().catch((error: unknown) => mount(status, alertBox(error))) }, 'Export CSV'),
    ),
    status,
    results,
  );
  void load().catch((error: unknown) => mount(results, alertBox(error)));
}
