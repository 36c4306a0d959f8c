/**
 * Browser helpers for the self-service tests: headless Chromium (playwright-core on /usr/bin/chromium), axe-core
 * run inside a page (through the DevTools protocol, so the page's CSP stays as it is), and screenshots of pages
 * and mails into docs/accounts/ for docs/accounts.md.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import type { ReceivedMail } from './smtp.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page (WCAG 2.x A/AA and best practices), as readable lines. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(', ')}`);
}

export const ACCOUNT_SCREENSHOTS = join(import.meta.dirname, '../../../../docs/accounts');

export async function screenshotPage(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(ACCOUNT_SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(ACCOUNT_SCREENSHOTS, `${name}.png`), fullPage });
}

/** A received mail's HTML part, rendered in its own page (scripts off) and captured with its subject above it. */
export async function screenshotMail(browser: Browser, mail: ReceivedMail, name: string): Promise<void> {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 700, height: 360 } });
  try {
    const page = await context.newPage();
    const header = `<div style="font:14px system-ui;border-bottom:1px solid #ccc;padding:8px;margin-bottom:8px"><b>To:</b> ${escape(mail.to)}<br><b>Subject:</b> ${escape(mail.subject)}</div>`;
    await page.setContent(mail.html.replace(/<body([^>]*)>/, `<body$1>${header}`));
    await screenshotPage(page, `mail-${name}`);
  } finally {
    await context.close();
  }
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
