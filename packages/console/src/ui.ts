/**
 * The console's building blocks, each accessible by construction: a page with one h1 that takes focus on
 * navigation, labelled fields with hints, an error summary in an alert region (GOV.UK pattern), tables with
 * header cells, "next page" buttons for server-side pages, and the shown-once panel for secrets.
 */
import { ApiError } from './api.ts';
import { h, mount, uid } from './dom.ts';
import type { Attrs, Child } from './dom.ts';

export function main(): HTMLElement {
  return document.getElementById('main')!;
}

/** Renders a page: its title (also the document's), then the content; the heading takes focus for screen readers. */
export function page(title: string, ...content: Child[]): void {
  document.title = `${title} · Latchkey console`;
  const heading = h('h1', { tabindex: '-1' }, title);
  mount(main(), heading, ...content);
  heading.focus({ preventScroll: true });
  // When the first page was ready to use (the browser test reports it; browsers' performance tools show it).
  if (performance.getEntriesByName(FIRST_PAGE).length === 0) performance.mark(FIRST_PAGE);
}

const FIRST_PAGE = 'latchkey-console-first-page';

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.status} ${error.code})`;
  return error instanceof Error ? error.message : String(error);
}

export function alertBox(error: unknown): HTMLElement {
  return h('div', { class: 'alert', role: 'alert' }, h('strong', {}, 'There is a problem: '), messageOf(error));
}

export function notice(...content: Child[]): HTMLElement {
  return h('div', { class: 'notice', role: 'status' }, ...content);
}

export interface FieldOptions {
  readonly hint?: string;
  readonly type?: string;
  readonly value?: string;
  readonly required?: boolean;
  readonly autocomplete?: string;
  readonly attrs?: Attrs;
}

/** A labelled input; its hint is tied to it with aria-describedby. */
export function field(label: string, name: string, options: FieldOptions = {}): HTMLElement {
  const id = uid(name);
  const hintId = options.hint ? `${id}-hint` : undefined;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label, options.hint ? h('span', { class: 'hint', id: hintId }, options.hint) : null),
    h('input', { id, name, type: options.type ?? 'text', value: options.value, required: options.required, autocomplete: options.autocomplete ?? 'off', 'aria-describedby': hintId, ...options.attrs }),
  );
}

export function textarea(label: string, name: string, options: FieldOptions = {}): HTMLElement {
  const id = uid(name);
  const hintId = options.hint ? `${id}-hint` : undefined;
  const area = h('textarea', { id, name, rows: 3, 'aria-describedby': hintId });
  area.value = options.value ?? '';
  return h('div', { class: 'field' }, h('label', { for: id }, label, options.hint ? h('span', { class: 'hint', id: hintId }, options.hint) : null), area);
}

export function select(label: string, name: string, choices: ReadonlyArray<readonly [string, string]>, selected?: string, hint?: string): HTMLElement {
  const id = uid(name);
  const hintId = hint ? `${id}-hint` : undefined;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label, hint ? h('span', { class: 'hint', id: hintId }, hint) : null),
    h('select', { id, name, 'aria-describedby': hintId }, choices.map(([value, text]) => h('option', { value, selected: value === selected }, text))),
  );
}

export function checkbox(label: string, name: string, checked: boolean): HTMLElement {
  const id = uid(name);
  return h('div', { class: 'field' }, h('label', { class: 'check', for: id }, h('input', { id, name, type: 'checkbox', checked }), label));
}

/**
 * A form whose submit runs `action` with the form's values; while it runs the button is disabled, and a failure
 * shows an error summary at the top of the form (focused, so keyboard and screen reader users land on it).
 */
export function form(label: string, fields: Child[], submit: string, action: (values: FormData, form: HTMLFormElement) => Promise<void>, attrs: Attrs = {}): HTMLFormElement {
  const errors = h('div', { tabindex: '-1' });
  const button = h('button', { type: 'submit' }, submit);
  const element = h('form', { 'aria-label': label, novalidate: true, ...attrs }, errors, ...fields, button);
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    button.disabled = true;
    mount(errors);
    action(new FormData(element), element)
      .catch((error: unknown) => {
        mount(errors, alertBox(error));
        errors.focus();
      })
      .finally(() => (button.disabled = false));
  });
  return element;
}

export function text(values: FormData, name: string): string {
  const value = values.get(name);
  return typeof value === 'string' ? value.trim() : '';
}

export function list(values: FormData, name: string): string[] {
  return text(values, name).split(/[\s,]+/).filter(Boolean);
}

/** A table with a caption (hidden headings are not enough for screen readers to tell tables apart). */
export function table(caption: string, headings: readonly string[], rows: readonly Child[][]): HTMLElement {
  // Focusable and named: on a narrow screen the table scrolls sideways, and keyboard users must be able to scroll it.
  return h(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: '0' },
    h('table', {}, h('caption', {}, caption), h('thead', {}, h('tr', {}, headings.map((heading) => h('th', { scope: 'col' }, heading)))), h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell) => h('td', {}, cell)))))),
    rows.length === 0 ? h('p', {}, 'Nothing here yet.') : null,
  );
}

/**
 * A server-side paginated list: renders the first page, and a "Next page" button while the server gives a
 * cursor. `load(cursor)` fetches one page; `render(items)` makes the rows.
 */
export function pagedTable<T>(caption: string, headings: readonly string[], load: (cursor: string | undefined) => Promise<{ data: T[]; next_cursor: string | null }>, render: (item: T) => Child[]): HTMLElement {
  const holder = h('div', { 'aria-live': 'polite' });
  const show = async (cursor: string | undefined, trail: string[]) => {
    try {
      const result = await load(cursor);
      const nav = h('div', { class: 'row' },
        trail.length > 0 ? h('button', { type: 'button', class: 'secondary', onclick: () => void show(trail[trail.length - 2], trail.slice(0, -1)) }, 'Previous page') : null,
        result.next_cursor ? h('button', { type: 'button', class: 'secondary', onclick: () => void show(result.next_cursor!, [...trail, result.next_cursor!]) }, 'Next page') : null,
      );
      mount(holder, table(caption, headings, result.data.map(render)), nav);
    } catch (error) {
      mount(holder, alertBox(error));
    }
  };
  void show(undefined, []);
  return holder;
}

/** A secret (client secret, API key) shown once, with a copy button. */
export function shownOnce(label: string, value: string): HTMLElement {
  const id = uid('secret');
  const input = h('input', { id, type: 'text', readonly: true, value });
  const status = h('span', { role: 'status' });
  return h(
    'div',
    { class: 'secret' },
    h('label', { for: id }, label, h('span', { class: 'hint' }, 'Shown only now: copy it to where it is needed. Latchkey keeps only a hash.')),
    input,
    h('button', { type: 'button', class: 'secondary', onclick: () => {
      void navigator.clipboard?.writeText(value).then(() => mount(status, 'Copied.'), () => mount(status, 'Copy failed: select the text and copy it.'));
    } }, 'Copy'),
    status,
  );
}

export function when(iso: string | null): string {
  if (iso === null) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function link(href: string, label: Child): HTMLAnchorElement {
  return h('a', { href }, label);
}

export function badge(label: string, kind: '' | 'ok' | 'off' = ''): HTMLElement {
  return h('span', { class: `badge ${kind}`.trim() }, label);
}

export function facts(pairs: ReadonlyArray<readonly [string, Child]>): HTMLElement {
  return h('dl', { class: 'facts' }, pairs.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}
