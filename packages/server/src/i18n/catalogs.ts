/**
 * The message catalogs: one JSON file per language in `catalogs/` (`<BCP 47 tag>.json`, a flat object of key ->
 * ICU MessageFormat message), read once at start. Adding a language is adding one file; English is the reference
 * every other catalog must match (see test/unit/i18n/catalogs.test.ts). Keys are namespaced by where they are
 * used (`page.…` for the hosted pages; mails will add `mail.…`), so one loader serves every surface.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REFERENCE_LOCALE = 'en';

export type Catalog = Readonly<Record<string, string>>;

const CATALOG_DIR = join(import.meta.dirname, 'catalogs');

function readCatalogs(): ReadonlyMap<string, Catalog> {
  const catalogs = new Map<string, Catalog>();
  for (const file of readdirSync(CATALOG_DIR).filter((name) => name.endsWith('.json')).sort()) {
    const locale = file.slice(0, -'.json'.length);
    // A file name that is not a canonical language tag would be a locale nobody can ask for.
    if (Intl.getCanonicalLocales(locale)[0] !== locale) throw new Error(`catalog ${file}: the file name must be a canonical BCP 47 tag`);
    const parsed: unknown = JSON.parse(readFileSync(join(CATALOG_DIR, file), 'utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || !Object.values(parsed).every((m) => typeof m === 'string')) {
      throw new Error(`catalog ${file}: must be a flat JSON object of strings`);
    }
    catalogs.set(locale, Object.freeze({ ...(parsed as Record<string, string>) }));
  }
  if (!catalogs.has(REFERENCE_LOCALE)) throw new Error(`the ${REFERENCE_LOCALE} catalog is missing`);
  return catalogs;
}

export const CATALOGS: ReadonlyMap<string, Catalog> = readCatalogs();

/** The languages the hosted pages speak, reference first (discovery's `ui_locales_supported`). */
export const SUPPORTED_LOCALES: readonly string[] = [REFERENCE_LOCALE, ...[...CATALOGS.keys()].filter((l) => l !== REFERENCE_LOCALE)];

export function isSupportedLocale(locale: unknown): locale is string {
  return typeof locale === 'string' && CATALOGS.has(locale);
}
