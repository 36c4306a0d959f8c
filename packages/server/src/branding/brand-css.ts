/**
 * A brand as CSS custom properties, the only way a brand reaches the page's styles. Every value was validated
 * (hex colours, the closed grammar of custom CSS), and `<` cannot occur in any of them; the text is allowed by
 * its hash in the page's CSP like the base stylesheet.
 */
import type { Brand } from './brand.ts';
import { DARK_LINK } from './palette.ts';

export function brandCss(brand: Brand): string {
  const light: string[] = [];
  if (brand.primary_color) light.push(`--lk-primary:${brand.primary_color}`);
  if (brand.accent_color) light.push(`--lk-accent:${brand.accent_color}`, `--lk-link:${brand.accent_color}`);
  let css = light.length > 0 || brand.custom_css ? `:root{${light.join(';')}${light.length > 0 ? ';' : ''}${brand.custom_css ?? ''}}` : '';
  // The accent was checked against the light surface; in the system's dark appearance links keep a light colour.
  // A dark brand's accent was checked against the dark surface: it colours the links there.
  if (brand.accent_color && brand.appearance === 'dark') css += `:root[data-appearance=dark]{--lk-link:${brand.accent_color}}`;
  if (brand.accent_color && brand.appearance !== 'dark') css += `@media (prefers-color-scheme:dark){:root:not([data-appearance=light]){--lk-link:${DARK_LINK}}}`;
  return css.replace(/</g, '');
}

/** The one origin the page may load the logo from (CSP `img-src`). */
export function logoOrigin(brand: Brand): string | undefined {
  return brand.logo_url === undefined ? undefined : new URL(brand.logo_url).origin;
}
