/**
 * Driving the admin console in Chromium (playwright-core on Debian's /usr/bin/chromium): sign-in through the
 * hosted pages, an axe-core check (its source injected, serious and critical violations fail), viewport
 * screenshots at desktop and 390 px into docs/console/, and a record of every CSP refusal the page logs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { totpCode } from './mfa.ts';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const DESKTOP = { width: 1280, height: 800 };
export const NARROW = { width: 390, height: 844 };
export const SCREENSHOTS = fileURLToPath(new URL('../../../../docs/console/', import.meta.url));

const AXE_SOURCE = readFileSync(createRequire(fileURLToPath(new URL('../../../console/package.json', import.meta.url))).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: ReadonlyArray<{ readonly target: readonly unknown[] }>;
}

export interface ConsolePage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** CSP refusals and page errors seen so far. */
  readonly problems: string[];
}

export async function openConsolePage(browser: Browser): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { page, context, problems };
}

/** axe-core on the page as it is: no serious or critical violation. */
export async function assertAccessible(page: Page, name: string): Promise<void> {
  // evaluate() runs through the DevTools protocol, so the page's CSP (no inline script) does not block axe itself.
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate('window.axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)')) as AxeViolation[];
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], `axe on ${name}`);
}

/**
 * Checks the page at desktop width and at 390 px (accessible, nothing wider than the screen) and saves a
 * viewport screenshot of each into docs/console/<name>.png and <name>-390.png.
 */
export async function checkPage(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await assertAccessible(page, name);
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png` });
  await page.setViewportSize(NARROW);
  await assertAccessible(page, `${name} at 390 px`);
  await page.evaluate('window.scrollTo(0, 0)');
  const overflow = await page.evaluate('document.documentElement.scrollWidth');
  assert.ok(Number(overflow) <= NARROW.width, `${name} is ${String(overflow)} px wide at 390 px`);
  await page.screenshot({ path: `${SCREENSHOTS}${name}-390.png` });
  await page.setViewportSize(DESKTOP);
}

/** From the console's sign-in screen through the tenant's hosted sign-in and consent, back to the dashboard. */
export async function signInToConsole(page: Page, baseUrl: string, tenant: string | null, login: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByRole('heading', { name: 'Sign in to the Latchkey console' }).waitFor();
  if (tenant === null) await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  else {
    await page.getByRole('textbox', { name: /^Your tenant/ }).fill(tenant);
    await page.getByRole('button', { name: 'Continue' }).click();
  }
  await fillHostedSignIn(page, login, password);
}

/**
 * The hosted sign-in. Admins must use a second factor (`mfa.required_for_admins`, on by default), so a first
 * sign-in enrols an authenticator app on the way (the code computed from the key the page shows).
 */
export async function fillHostedSignIn(page: Page, login: string, password: string): Promise<void> {
  await page.waitForURL(/\/login\?/);
  await page.getByLabel('Email or username').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(/\/mfa\?|\/consent\?|\/console\//);
  if (page.url().includes('/mfa?')) {
    await page.getByRole('link', { name: 'Set up an authenticator app' }).click();
    const secret = (await page.locator('code.secret').innerText()).replace(/ /g, '');
    await page.getByLabel('Then type the 6-digit code the app shows').fill(totpCode(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.waitForSelector('ul.codes');
    await page.getByRole('link', { name: /continue/ }).click();
    await page.waitForURL(/\/consent\?|\/console\//);
  }
  if (page.url().includes('/consent?')) await page.getByRole('button', { name: 'Authorize' }).click();
  await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
}
