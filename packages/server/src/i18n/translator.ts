/**
 * The one seam to the ICU MessageFormat library (`intl-messageformat`): turns a catalog message and its values
 * into text, or into escaped HTML where a message marks words with `<strong>`/`<code>`. Plurals, numbers and
 * dates go through the platform's `Intl`, in the page's locale. A key missing in a catalog falls back to English
 * (the catalog test keeps that from happening in a release).
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { escapeHtml, SafeHtml } from '../interaction/html.ts';
import { CATALOGS, REFERENCE_LOCALE } from './catalogs.ts';

export type MessageValues = Readonly<Record<string, string | number | Date>>;

/** The markup a message may carry: each tag becomes the same element, its text escaped. */
const TAGS = ['strong', 'code'] as const;

export interface Translator {
  readonly locale: string;
  /** `ltr` or `rtl`, for `<html dir>`. */
  readonly dir: 'ltr' | 'rtl';
  text(key: string, values?: MessageValues): string;
  html(key: string, values?: MessageValues): SafeHtml;
  number(value: number, options?: Intl.NumberFormatOptions): string;
  date(value: Date, options?: Intl.DateTimeFormatOptions): string;
}

const compiled = new Map<string, IntlMessageFormat>();

function formatOf(locale: string, key: string): IntlMessageFormat {
  const cacheKey = `${locale}\u0000${key}`;
  let format = compiled.get(cacheKey);
  if (format === undefined) {
    const own = CATALOGS.get(locale)?.[key];
    const message = own ?? CATALOGS.get(REFERENCE_LOCALE)?.[key];
    if (message === undefined) throw new Error(`no message "${key}" in any catalog`);
    format = new IntlMessageFormat(message, own === undefined ? REFERENCE_LOCALE : locale);
    compiled.set(cacheKey, format);
  }
  return format;
}

function directionOf(locale: string): 'ltr' | 'rtl' {
  const info = new Intl.Locale(locale) as Intl.Locale & { getTextInfo?: () => { direction?: string }; textInfo?: { direction?: string } };
  const direction = info.getTextInfo?.().direction ?? info.textInfo?.direction;
  return direction === 'rtl' ? 'rtl' : 'ltr';
}

const translators = new Map<string, Translator>();

export function translatorFor(locale: string): Translator {
  let translator = translators.get(locale);
  if (translator !== undefined) return translator;
  const textTags = Object.fromEntries(TAGS.map((tag) => [tag, (chunks: unknown[]) => chunks.join('')]));
  const htmlTags = Object.fromEntries(TAGS.map((tag) => [tag, (chunks: unknown[]) => new SafeHtml(`<${tag}>${chunks.map(escapeChunk).join('')}</${tag}>`)]));
  translator = {
    locale,
    dir: directionOf(locale),
    text: (key, values) => {
      const out = formatOf(locale, key).format<string>({ ...values, ...textTags });
      return Array.isArray(out) ? out.join('') : String(out);
    },
    html: (key, values) => {
      const out = formatOf(locale, key).format<SafeHtml>({ ...values, ...htmlTags });
      return new SafeHtml((Array.isArray(out) ? out : [out]).map(escapeChunk).join(''));
    },
    number: (value, options) => new Intl.NumberFormat(locale, options).format(value),
    date: (value, options) => new Intl.DateTimeFormat(locale, options).format(value),
  };
  translators.set(locale, translator);
  return translator;
}

/** Literal text and values are escaped; only the tags' own elements are markup. */
function escapeChunk(chunk: unknown): string {
  return chunk instanceof SafeHtml ? chunk.toString() : escapeHtml(String(chunk));
}
