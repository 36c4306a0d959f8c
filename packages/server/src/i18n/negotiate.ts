/**
 * The language of a hosted page: the first supported entry of the request's `ui_locales` (OpenID Connect Core
 * §3.1.2.1, a space-separated list in order of preference), else the best of the browser's `Accept-Language`
 * (RFC 9110 §12.5.4, by q-value), else the tenant's `default_locale`, else English. A regional tag falls back to
 * its language (`de-CH` -> `de`).
 */
import { REFERENCE_LOCALE, isSupportedLocale } from './catalogs.ts';

export type LocaleSource = 'ui_locales' | 'accept-language' | 'tenant' | 'default';

export interface LocaleRequest {
  readonly uiLocales?: string | undefined;
  readonly acceptLanguage?: string | undefined;
  readonly tenantDefault?: string | undefined;
}

/** The supported locale a language tag asks for, if any. */
export function supportedLocaleOf(tag: string): string | undefined {
  let canonical: string;
  try {
    canonical = Intl.getCanonicalLocales(tag)[0]!;
  } catch {
    return undefined;
  }
  if (isSupportedLocale(canonical)) return canonical;
  const language = new Intl.Locale(canonical).language;
  return isSupportedLocale(language) ? language : undefined;
}

function firstSupported(tags: readonly string[]): string | undefined {
  for (const tag of tags) {
    const locale = supportedLocaleOf(tag);
    if (locale !== undefined) return locale;
  }
  return undefined;
}

/** `Accept-Language` entries by preference (stable for equal q), without `*` and q=0. */
export function parseAcceptLanguage(header: string): string[] {
  const entries: Array<{ tag: string; q: number; index: number }> = [];
  header.split(',').slice(0, 50).forEach((part, index) => {
    const [tag = '', ...params] = part.trim().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (tag.trim() !== '' && tag.trim() !== '*' && Number.isFinite(q) && q > 0) entries.push({ tag: tag.trim(), q, index });
  });
  return entries.sort((a, b) => b.q - a.q || a.index - b.index).map((e) => e.tag);
}

export function chooseLocale(request: LocaleRequest): { locale: string; source: LocaleSource } {
  const fromUi = request.uiLocales ? firstSupported(request.uiLocales.trim().split(/\s+/).slice(0, 20)) : undefined;
  if (fromUi !== undefined) return { locale: fromUi, source: 'ui_locales' };
  const fromBrowser = request.acceptLanguage ? firstSupported(parseAcceptLanguage(request.acceptLanguage)) : undefined;
  if (fromBrowser !== undefined) return { locale: fromBrowser, source: 'accept-language' };
  if (request.tenantDefault !== undefined && isSupportedLocale(request.tenantDefault)) return { locale: request.tenantDefault, source: 'tenant' };
  return { locale: REFERENCE_LOCALE, source: 'default' };
}
