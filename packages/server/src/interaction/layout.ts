/**
 * The frame of every hosted page: the tenant's brand (logo, name, colours as CSS custom properties), one heading,
 * a main landmark, the page's language and direction, styles with visible focus that follow the system's dark
 * appearance, and a strict Content-Security-Policy (styles and the one optional script by hash, images only from
 * the brand's logo origin, no framing).
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Brand } from '../branding/brand.ts';
import { brandCss, logoOrigin } from '../branding/brand-css.ts';
import { chooseLocale } from '../i18n/negotiate.ts';
import { translatorFor } from '../i18n/translator.ts';
import type { Translator } from '../i18n/translator.ts';
import { readQueryParams } from '../oauth/request-params.ts';
import { constantMarkup, html } from './html.ts';
import type { SafeHtml } from './html.ts';
import { pageContextOf } from './page-context.ts';

const LIGHT = '--lk-bg:#f3f4f6;--lk-surface:#ffffff;--lk-text:#111827;--lk-muted:#374151;--lk-border:#d1d5db;--lk-field:#6b7280;--lk-field-bg:#ffffff;--lk-link:var(--lk-accent);--lk-focus:#b45309;--lk-alert-bg:#fef2f2;--lk-alert:#7f1d1d;--lk-alert-border:#b91c1c;--lk-notice-bg:#eff6ff;--lk-notice:#1e3a8a;color-scheme:light';
const DARK = '--lk-bg:#111827;--lk-surface:#1f2937;--lk-text:#f9fafb;--lk-muted:#d1d5db;--lk-border:#4b5563;--lk-field:#9ca3af;--lk-field-bg:#111827;--lk-link:#93c5fd;--lk-focus:#fbbf24;--lk-alert-bg:#450a0a;--lk-alert:#fecaca;--lk-alert-border:#f87171;--lk-notice-bg:#172554;--lk-notice:#bfdbfe;color-scheme:dark';

const STYLE = `
:root{--lk-primary:#1d4ed8;--lk-accent:#1d4ed8;--lk-radius:.5rem;--lk-border-width:1px;--lk-max-width:26rem;--lk-font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;${LIGHT};font-family:var(--lk-font-family);line-height:1.5}
@media (prefers-color-scheme:dark){:root:not([data-appearance=light]){${DARK}}}
:root[data-appearance=dark]{${DARK}}
body{margin:0;background:var(--lk-bg);color:var(--lk-text)}
main{max-width:var(--lk-max-width);margin:3rem auto 1rem;padding:2rem;background:var(--lk-surface);border:var(--lk-border-width) solid var(--lk-border);border-top:4px solid var(--lk-accent);border-radius:var(--lk-radius)}
.brand{display:flex;align-items:center;gap:.75rem;margin:0 0 .75rem}
.brand img{max-height:3rem;max-width:10rem}
.tenant{margin:0;font-size:.9rem;color:var(--lk-muted);font-weight:600}
h1{margin:0 0 1rem;font-size:1.5rem}
a{color:var(--lk-link)}
label{display:block;margin:1rem 0 .25rem;font-weight:600}
input[type=text],input[type=email],input[type=password]{box-sizing:border-box;width:100%;padding:.6rem;font-size:1rem;border:var(--lk-border-width) solid var(--lk-field);border-radius:calc(var(--lk-radius) / 2);color:var(--lk-text);background:var(--lk-field-bg)}
input[aria-invalid=true]{border:2px solid var(--lk-alert-border)}
button{margin-top:1.25rem;padding:.6rem 1.2rem;font-size:1rem;border-radius:calc(var(--lk-radius) / 2);border:1px solid var(--lk-primary);background:var(--lk-primary);color:#fff;cursor:pointer}
button.secondary{background:var(--lk-surface);color:var(--lk-text);border-color:var(--lk-field)}
:focus-visible{outline:3px solid var(--lk-focus);outline-offset:2px}
.alert{padding:.75rem;border-radius:.25rem;border:1px solid var(--lk-alert-border);background:var(--lk-alert-bg);color:var(--lk-alert)}
.alert h2{margin:0 0 .25rem;font-size:1rem}
.alert ul{margin:0;padding-left:1.25rem}
.alert a{color:var(--lk-alert)}
.field-error{margin:.25rem 0 0;color:var(--lk-alert);font-weight:600}
.notice{padding:.75rem;border-radius:.25rem;border:1px solid var(--lk-notice);background:var(--lk-notice-bg);color:var(--lk-notice)}
ul.scopes{padding-left:1.25rem}
.actions{display:flex;gap:.75rem;flex-wrap:wrap}
.links{font-size:.9rem}
.links a{margin-right:1rem}
.client-logo{display:block;max-height:3rem;max-width:10rem;margin:0 0 .5rem}
footer{max-width:var(--lk-max-width);margin:0 auto 2rem;padding:0 2rem;font-size:.9rem;color:var(--lk-muted)}
footer a{margin-right:1rem}
.qr svg{display:block;width:13rem;height:13rem;margin:1rem 0}
code.secret,ul.codes{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:1.05rem;letter-spacing:.05em}
ul.codes{columns:2;padding-left:1.25rem}
ul.factors{padding-left:1.25rem}
hr{border:0;border-top:1px solid var(--lk-border);margin:1.5rem 0}
[hidden]{display:none!important}
h2.or{margin:1.75rem 0 0;font-size:1rem;color:var(--lk-muted)}
form.connection button{width:100%;margin-top:.75rem}
`;

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
}

const STYLE_HASH = cspHash(STYLE);

export interface PageContent {
  readonly title: string;
  readonly body: SafeHtml;
}

export interface PageOptions {
  /** The tenant's name, shown above the heading (the brand's display name replaces it). */
  readonly tenantName?: string;
  /** The page in the chosen language. */
  readonly content: (t: Translator) => PageContent;
  /** `ui_locales` of the authorization request the page serves (OpenID Connect Core §3.1.2.1). */
  readonly uiLocales?: string | undefined;
  /** Origins (or schemes) a form on this page may submit or redirect to, besides 'self'. */
  readonly formTargets?: readonly string[];
  /** One inline script, allowed by its hash (the form_post auto-submit). */
  readonly script?: string;
  /** https origins the page shows images from besides the brand's logo (the client's `logo_uri`). */
  readonly imageOrigins?: readonly string[];
  /** Same-origin module scripts (the passkey pages' WebAuthn module): allowed by `script-src 'self'`, nothing inline. */
  readonly moduleScripts?: readonly string[];
}

/** A CSP source for a redirect target: its origin for http(s), its scheme for a native app's private-use URI. */
export function formTargetFor(uri: string): string | undefined {
  try {
    const url = new URL(uri);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
    return /^[a-z][a-z0-9+.-]*:$/i.test(url.protocol) && !/^(javascript|data|vbscript|file|blob):$/i.test(url.protocol) ? url.protocol : undefined;
  } catch {
    return undefined;
  }
}

const CSP_SOURCE = /^[A-Za-z0-9+.:/\[\]-]+$/;

export function contentSecurityPolicy(options: Pick<PageOptions, 'formTargets' | 'script' | 'moduleScripts'>, extra: { styles?: readonly string[]; imageOrigins?: readonly string[] } = {}): string {
  const targets = (options.formTargets ?? []).filter((t) => CSP_SOURCE.test(t));
  const images = (extra.imageOrigins ?? []).filter((o) => CSP_SOURCE.test(o) && o.startsWith('https://'));
  return [
    "default-src 'none'",
    `style-src ${[STYLE_HASH, ...(extra.styles ?? []).map(cspHash)].join(' ')}`,
    options.script === undefined ? undefined : `script-src ${cspHash(options.script)}`,
    options.moduleScripts === undefined || options.script !== undefined ? undefined : "script-src 'self'",
    `img-src 'self'${images.map((o) => ` ${o}`).join('')}`,
    `form-action 'self'${targets.map((t) => ` ${t}`).join('')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ]
    .filter(Boolean)
    .join('; ');
}

function brandHeader(brand: Brand, name: string | undefined): SafeHtml | '' {
  if (name === undefined && brand.logo_url === undefined) return '';
  return html`<header class="brand">${brand.logo_url ? html`<img src="${brand.logo_url}" alt="${brand.logo_alt ?? ''}">` : ''}${name ? html`<p class="tenant">${name}</p>` : ''}</header>`;
}

function brandFooter(brand: Brand, t: Translator): SafeHtml | '' {
  if (!brand.support_email && !brand.privacy_url && !brand.terms_url) return '';
  return html`<footer>${brand.support_email ? html`<a href="mailto:${brand.support_email}">${t.text('page.footer.support', { email: brand.support_email })}</a>` : ''}${
    brand.privacy_url ? html`<a href="${brand.privacy_url}">${t.text('page.footer.privacy')}</a>` : ''
  }${brand.terms_url ? html`<a href="${brand.terms_url}">${t.text('page.footer.terms')}</a>` : ''}</footer>`;
}

export interface RenderedPage {
  readonly markup: string;
  readonly csp: string;
  readonly locale: string;
}

export function renderPage(options: PageOptions, t: Translator, brand: Brand = {}): RenderedPage {
  const { title, body } = options.content(t);
  const name = brand.display_name ?? options.tenantName;
  const css = brandCss(brand);
  const appearance = brand.appearance === 'light' || brand.appearance === 'dark' ? brand.appearance : undefined;
  const logo = logoOrigin(brand);
  const markup = `<!doctype html>\n${html`<html lang="${t.locale}" dir="${t.dir}"${appearance ? html` data-appearance="${appearance}"` : ''}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}${name ? ` · ${name}` : ''}</title>
<style>${constantMarkup(STYLE)}</style>
${css === '' ? '' : html`<style>${constantMarkup(css)}</style>`}
</head>
<body>
<main>
${brandHeader(brand, name)}
${body}
</main>
${brandFooter(brand, t)}
${options.script === undefined ? '' : constantMarkup(`<script>${options.script}</script>`)}
${(options.moduleScripts ?? []).map((src) => html`<script type="module" src="${src}"></script>`)}
</body>
</html>`}`;
  return { markup, csp: contentSecurityPolicy(options, { styles: css === '' ? [] : [css], imageOrigins: [...(logo === undefined ? [] : [logo]), ...(options.imageOrigins ?? [])] }), locale: t.locale };
}

/** The page's language: `ui_locales` (of the authorization, or of this request), Accept-Language, the tenant's default. */
export function pageTranslator(request: FastifyRequest, uiLocales: string | undefined): Translator {
  const tenant = pageContextOf(request)?.tenant;
  let fromRequest: string | undefined;
  try {
    fromRequest = uiLocales ?? readQueryParams(request.url).get('ui_locales');
  } catch {
    fromRequest = undefined;
  }
  return translatorFor(chooseLocale({ uiLocales: fromRequest, acceptLanguage: request.headers['accept-language'], tenantDefault: tenant?.settings.default_locale }).locale);
}

/** Sends a hosted page with its CSP, its language, no caching, and no framing. */
export function sendPage(reply: FastifyReply, options: PageOptions, status = 200): FastifyReply {
  const page = renderPage(options, pageTranslator(reply.request, options.uiLocales), pageContextOf(reply.request)?.brand);
  return reply
    .code(status)
    .header('Content-Security-Policy', page.csp)
    .header('Content-Language', page.locale)
    .header('Vary', 'Accept-Language')
    .header('X-Frame-Options', 'DENY')
    .header('Cache-Control', 'no-store')
    .header('Pragma', 'no-cache')
    .type('text/html; charset=utf-8')
    .send(page.markup);
}
