/**
 * A brand as data: what a tenant (or a partner, for all its tenants) may change on the hosted pages, validated
 * field by field so every value that reaches a page is inert: colours are hex, URLs are https, custom CSS is a
 * list of declarations of the brand's own custom properties with values from a closed grammar (no `url(`,
 * `expression(`, `</style>`, braces or at-rules can pass). Every problem is named at once, by field.
 */
import { InvalidRequest } from '../errors/oauth-error.ts';
import { AA_TEXT_CONTRAST, HEX_COLOUR, contrastRatio } from './contrast.ts';
import { DARK_SURFACE, LIGHT_SURFACE, ON_PRIMARY } from './palette.ts';

export type Appearance = 'light' | 'dark' | 'auto';
export const APPEARANCES: readonly Appearance[] = ['light', 'dark', 'auto'];

export interface Brand {
  readonly display_name?: string;
  readonly logo_url?: string;
  readonly logo_alt?: string;
  readonly primary_color?: string;
  readonly accent_color?: string;
  readonly appearance?: Appearance;
  readonly support_email?: string;
  readonly terms_url?: string;
  readonly privacy_url?: string;
  /** Declarations of the custom properties in CUSTOM_PROPERTIES only, e.g. `--lk-radius: 12px;`. */
  readonly custom_css?: string;
}

/** The custom properties a brand's CSS may set, each with the grammar its value must match. */
export const CUSTOM_PROPERTIES: Readonly<Record<string, RegExp>> = {
  '--lk-radius': /^\d{1,3}(?:\.\d{1,2})?(?:px|rem|em)$/,
  '--lk-border-width': /^\d(?:\.\d{1,2})?px$/,
  '--lk-max-width': /^\d{1,3}(?:\.\d{1,2})?(?:rem|em|px)$/,
  '--lk-font-family': /^(?:[A-Za-z][A-Za-z0-9 -]{0,40})(?:, ?[A-Za-z][A-Za-z0-9 -]{0,40}){0,5}$/,
};

const BRAND_KEYS = ['display_name', 'logo_url', 'logo_alt', 'primary_color', 'accent_color', 'appearance', 'support_email', 'terms_url', 'privacy_url', 'custom_css'] as const;

type Problems = string[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function text(problems: Problems, input: Record<string, unknown>, field: string, max: number): string | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  // Control characters have no place in a name; a newline in a title is a rendering trick.
  if (typeof value !== 'string' || value.trim() === '' || value.length > max || /[\u0000-\u001f\u007f]/.test(value)) {
    problems.push(`${field} must be text of 1 to ${max} characters without control characters`);
    return undefined;
  }
  return value.trim();
}

function httpsUrl(problems: Problems, input: Record<string, unknown>, field: string): string | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = typeof value === 'string' && value.length <= 2000 ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || url.protocol !== 'https:' || url.username !== '' || url.password !== '' || url.hostname === '') {
    problems.push(`${field} must be an https URL (without user name or password)`);
    return undefined;
  }
  return url.href;
}

function colour(problems: Problems, input: Record<string, unknown>, field: string): string | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !HEX_COLOUR.test(value)) {
    problems.push(`${field} must be a hex colour like #1d4ed8`);
    return undefined;
  }
  return value.toLowerCase();
}

/** Parses custom CSS into checked declarations; returns them re-serialised (so what is stored is what passed). */
export function parseCustomCss(problems: Problems, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 2000) {
    problems.push('custom_css must be text of at most 2000 characters');
    return undefined;
  }
  const declarations: string[] = [];
  for (const raw of value.split(';')) {
    const declaration = raw.trim();
    if (declaration === '') continue;
    const match = /^(--[a-z-]{1,40})\s*:\s*(.{1,200})$/s.exec(declaration);
    const grammar = match ? CUSTOM_PROPERTIES[match[1]!] : undefined;
    if (!match || grammar === undefined) {
      problems.push(`custom_css may only set the brand's custom properties (${Object.keys(CUSTOM_PROPERTIES).join(', ')}); "${declaration.slice(0, 40)}" is not one`);
      continue;
    }
    const propertyValue = match[2]!.trim();
    if (!grammar.test(propertyValue)) {
      problems.push(`custom_css: the value of ${match[1]} is not allowed ("${propertyValue.slice(0, 40)}")`);
      continue;
    }
    declarations.push(`${match[1]}: ${propertyValue};`);
  }
  return declarations.join(' ');
}

function checkContrast(problems: Problems, brand: Brand): void {
  const pair = (field: string, fg: string, bg: string, what: string) => {
    const ratio = contrastRatio(fg, bg);
    if (ratio < AA_TEXT_CONTRAST) problems.push(`${field}: ${what} has a contrast of ${ratio.toFixed(2)}:1; WCAG AA needs at least ${AA_TEXT_CONTRAST}:1`);
  };
  if (brand.primary_color !== undefined) pair('primary_color', ON_PRIMARY, brand.primary_color, `white button text (${ON_PRIMARY}) on primary_color ${brand.primary_color}`);
  if (brand.accent_color !== undefined) {
    // The accent colours links: on the light surface unless the brand is dark only, and on the dark one when it is.
    if (brand.appearance !== 'dark') pair('accent_color', brand.accent_color, LIGHT_SURFACE, `accent_color ${brand.accent_color} as link text on the light page background (${LIGHT_SURFACE})`);
    if (brand.appearance === 'dark') pair('accent_color', brand.accent_color, DARK_SURFACE, `accent_color ${brand.accent_color} as link text on the dark page card (${DARK_SURFACE})`);
  }
}

/** Validates a whole brand (a replacement, not a patch). Throws one `invalid_request` naming every field at fault. */
export function validateBrand(input: unknown): Brand {
  if (!isRecord(input)) throw new InvalidRequest('the brand must be a JSON object');
  const problems: Problems = [];
  for (const key of Object.keys(input)) if (!(BRAND_KEYS as readonly string[]).includes(key)) problems.push(`unknown brand field "${key}"`);
  const appearance = input.appearance;
  if (appearance !== undefined && !APPEARANCES.includes(appearance as Appearance)) problems.push(`appearance must be one of ${APPEARANCES.join(', ')}`);
  const email = input.support_email;
  if (email !== undefined && (typeof email !== 'string' || email.length > 254 || !/^[^\s@<>"'()\\,;:]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/.test(email))) problems.push('support_email must be an email address');
  const entries: Partial<Record<keyof Brand, string | undefined>> = {
    display_name: text(problems, input, 'display_name', 100),
    logo_url: httpsUrl(problems, input, 'logo_url'),
    logo_alt: text(problems, input, 'logo_alt', 200),
    primary_color: colour(problems, input, 'primary_color'),
    accent_color: colour(problems, input, 'accent_color'),
    appearance: APPEARANCES.includes(appearance as Appearance) ? (appearance as Appearance) : undefined,
    support_email: problems.some((p) => p.startsWith('support_email')) ? undefined : (email as string | undefined),
    terms_url: httpsUrl(problems, input, 'terms_url'),
    privacy_url: httpsUrl(problems, input, 'privacy_url'),
    custom_css: parseCustomCss(problems, input.custom_css),
  };
  if (entries.logo_url !== undefined && entries.logo_alt === undefined && input.logo_alt === undefined) problems.push('logo_alt is needed with logo_url (the logo\'s text for screen readers)');
  const brand = Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined && v !== '')) as Brand;
  checkContrast(problems, brand);
  if (problems.length > 0) throw new InvalidRequest(`invalid brand: ${problems.join('; ')}`);
  return brand;
}

/** Reads a stored brand; a value that no longer validates is dropped rather than rendered. */
export function parseStoredBrand(json: string | undefined): Brand {
  if (json === undefined) return {};
  try {
    return validateBrand(JSON.parse(json));
  } catch {
    return {};
  }
}
