/**
 * The frame of every hosted page: tenant name, one heading, a main landmark, high-contrast styles with visible
 * focus, and a strict Content-Security-Policy (no script unless a page brings a hashed one, no framing).
 */
import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { constantMarkup, html } from './html.ts';
import type { SafeHtml } from './html.ts';

const STYLE = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5}
body{margin:0;background:#f3f4f6;color:#111827}
main{max-width:26rem;margin:3rem auto;padding:2rem;background:#fff;border:1px solid #d1d5db;border-radius:.5rem}
.tenant{margin:0 0 .25rem;font-size:.9rem;color:#374151;font-weight:600}
h1{margin:0 0 1rem;font-size:1.5rem}
label{display:block;margin:1rem 0 .25rem;font-weight:600}
input[type=text],input[type=email],input[type=password]{box-sizing:border-box;width:100%;padding:.6rem;font-size:1rem;border:1px solid #6b7280;border-radius:.25rem;color:#111827;background:#fff}
button{margin-top:1.25rem;padding:.6rem 1.2rem;font-size:1rem;border-radius:.25rem;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#1f2937;border-color:#6b7280}
:focus-visible{outline:3px solid #b45309;outline-offset:2px}
.alert{padding:.75rem;border-radius:.25rem;border:1px solid #b91c1c;background:#fef2f2;color:#7f1d1d}
.notice{padding:.75rem;border-radius:.25rem;border:1px solid #1d4ed8;background:#eff6ff;color:#1e3a8a}
ul.scopes{padding-left:1.25rem}
.actions{display:flex;gap:.75rem;flex-wrap:wrap}
h2.or{margin:1.75rem 0 0;font-size:1rem;color:#374151}form.connection button{width:100%;margin-top:.75rem}
`;

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
}

const STYLE_HASH = cspHash(STYLE);

export interface PageOptions {
  readonly title: string;
  /** The tenant's display name, shown above the heading. */
  readonly tenantName?: string;
  readonly body: SafeHtml;
  /** Origins (or schemes) a form on this page may submit or redirect to, besides 'self'. */
  readonly formTargets?: readonly string[];
  /** One inline script, allowed by its hash (the form_post auto-submit). */
  readonly script?: string;
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

export function contentSecurityPolicy(options: Pick<PageOptions, 'formTargets' | 'script'>): string {
  const targets = (options.formTargets ?? []).filter((t) => /^[A-Za-z0-9+.:/\[\]-]+$/.test(t));
  return [
    "default-src 'none'",
    `style-src ${STYLE_HASH}`,
    options.script === undefined ? undefined : `script-src ${cspHash(options.script)}`,
    "img-src 'self'",
    `form-action 'self'${targets.map((t) => ` ${t}`).join('')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ]
    .filter(Boolean)
    .join('; ');
}

export function renderPage(options: PageOptions): string {
  return `<!doctype html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${options.title}${options.tenantName ? ` · ${options.tenantName}` : ''}</title>
<style>${constantMarkup(STYLE)}</style>
</head>
<body>
<main>
${options.tenantName ? html`<p class="tenant">${options.tenantName}</p>` : ''}
${options.body}
</main>
${options.script === undefined ? '' : constantMarkup(`<script>${options.script}</script>`)}
</body>
</html>`}`;
}

/** Sends a hosted page with its CSP, no caching, and no framing. */
export function sendPage(reply: FastifyReply, options: PageOptions, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('Content-Security-Policy', contentSecurityPolicy(options))
    .header('X-Frame-Options', 'DENY')
    .header('Cache-Control', 'no-store')
    .header('Pragma', 'no-cache')
    .type('text/html; charset=utf-8')
    .send(renderPage(options));
}
