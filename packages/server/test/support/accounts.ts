/**
 * Helpers for self-service tests: a server with a real SMTP server behind it, page fetching with a cookie jar,
 * and refresh-token checks over HTTP.
 */
import { startTestServer } from './server.ts';
import type { TestServer } from './server.ts';
import { startSmtpServer } from './smtp.ts';
import type { TestSmtpServer } from './smtp.ts';
import { CookieJar, fetchWithJar, postFormWithJar, readForm } from './sign-in.ts';
import type { DialectName } from '../../src/db/database.ts';

export interface MailedServer {
  readonly server: TestServer;
  readonly smtp: TestSmtpServer;
  stop(): Promise<void>;
}

export async function startMailedServer(dialect: DialectName, env: Record<string, string> = {}): Promise<MailedServer> {
  const smtp = await startSmtpServer();
  const server = await startTestServer(dialect, { LATCHKEY_SMTP_URL: smtp.url, LATCHKEY_MAIL_RETRY_BASE_SECONDS: '1', LATCHKEY_MAIL_POLL_INTERVAL_MS: '100', ...env });
  return {
    server,
    smtp,
    async stop() {
      await server.stop();
      await smtp.stop();
    },
  };
}

export interface Page {
  readonly status: number;
  readonly body: string;
  readonly response: Response;
}

export async function getPage(jar: CookieJar, url: string): Promise<Page> {
  const response = await fetchWithJar(jar, url);
  return { status: response.status, body: await response.text(), response };
}

/** Fetches a page, fills its first form with `fields` (over the hidden ones) and posts it. */
export async function submitForm(jar: CookieJar, url: string, fields: Record<string, string>): Promise<Page> {
  const page = await getPage(jar, url);
  if (page.status !== 200) throw new Error(`GET ${url} answered ${page.status}: ${page.body.slice(0, 300)}`);
  const form = readForm(page.body);
  const response = await postFormWithJar(jar, new URL(form.action, url).href, { ...form.fields, ...fields });
  return { status: response.status, body: await response.text(), response };
}

/** The text of a page's alert or notice paragraph. */
export function messageOf(body: string): string {
  return /<p class="(?:alert|notice)"[^>]*>([^<]*)</.exec(body)?.[1] ?? '';
}

export async function refresh(issuer: string, clientId: string, clientSecret: string, refreshToken: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${issuer}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, client_secret: clientSecret }).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export { CookieJar };
