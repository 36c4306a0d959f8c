/**
 * What `npm run demo` prints: the URLs, both tenants, every credential, and for each seed the commands to try it
 * as the seed documents it. `test/printout.test.ts` runs these very lines against a running demo, so what is
 * printed is what works.
 */
import { randomBytes } from 'node:crypto';
import type { Demo } from './start-demo.ts';

/** A value as a shell word: quoted when it needs to be (passwords have spaces). */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

const ACCESS_TOKEN = `node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token'`;
const AUDIENCE = `node -pe 'JSON.parse(Buffer.from(process.argv[1].split(".")[1], "base64url")).aud'`;

function table(rows: ReadonlyArray<readonly string[]>): string[] {
  const width = (i: number) => Math.max(...rows.map((row) => row[i]?.length ?? 0));
  return rows.map((row) => `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(width(i)))).join('  ')}`.trimEnd());
}

export function demoPrintout(demo: Demo): string {
  const { urls, seed, flowUnconfigured } = demo;
  const token = `${urls.latchkey}/application/o/token/`;
  const other = seed.defaultTenant;
  const partner = seed.partnerApp;
  const state = randomBytes(12).toString('base64url');
  const authorize = `${seed.issuer}/oauth2/authorize?response_type=code&client_id=${partner.clientId}&redirect_uri=${encodeURIComponent(partner.redirectUri)}&scope=profile%20organization&state=${state}`;
  const exchange = JSON.stringify({ grant_type: 'authorization_code', code: 'CODE', redirect_uri: partner.redirectUri, client_id: partner.clientId, client_secret: partner.clientSecret }).replace('"CODE"', `"'"$CODE"'"`);
  const password = (person: { password: string }) => shellWord(`password=${person.password}`);

  return [
    '',
    'Latchkey demo is running',
    '',
    ...table([
      ['Latchkey (issuer)', seed.issuer, `discovery: ${seed.issuer}/.well-known/openid-configuration`],
      ['Browser SDK', `${urls.latchkey}/sdk/latchkey.js`, 'initOIDC(), login(), apiFetch()'],
      ['Mail API (seed 000)', urls.mail, 'GET /v1/me, GET /v1/mailboxes (bearer; scope mail:read or group mail-users)'],
      ['Mail UI back end (seed 000, cookies)', urls.mailUi, 'GET /auth/login, GET /auth/session, GET /v1/mailboxes'],
      ['Chat (seed 001)', urls.chat, '/v1/auth/config, login, token, refresh, register'],
      ['Sending (seed 003)', urls.sending, '/v3/auth/login, callback, refresh, logout, me; POST /v3/messages'],
      ['Flow editor (seed 004)', urls.flow, '/api/v1/auth/config, exchange, refresh; GET /v1/me'],
      ['Flow editor, not configured (seed 004)', flowUnconfigured, 'no Latchkey configuration: /api/v1/auth/* answer 503'],
      ['Mail SPA (browser SDK)', urls.spa, 'open in a browser and sign in'],
    ]),
    '',
    'Tenants',
    ...table([
      [seed.slug, seed.issuer, 'password grant ON (features.auth.password_grant_enabled = true, for seed 001\'s /v1/auth/token)'],
      [other.slug, other.issuer, 'password grant off (the default)'],
    ]),
    '',
    `Credentials (tenant ${seed.slug}; passwords quoted, they have spaces)`,
    ...table([
      ['user', `${seed.user.email} / ${shellWord(seed.user.password)}`, '(groups mail-users < staff; roles developer, reporter)'],
      ['user outside mail-users', `${seed.outsideUser.email} / ${shellWord(seed.outsideUser.password)}`, '(in no group: the mail API answers 403, seed 000)'],
      ['API key (Ada, live)', seed.apiKey, ''],
      ['API key (Ada, test)', seed.testApiKey, ''],
      ['seed 000 client', `${seed.seed000.clientId} / ${seed.seed000.clientSecret}`, '(default audience: aud = its client_id, as seed 000 checks)'],
      ['agent client', `${seed.agent.clientId} / ${seed.agent.clientSecret}`, `(audience-bound: aud = ${seed.mailAudience})`],
      ['outside agent', `${seed.outsider.clientId} / ${seed.outsider.clientSecret}`, '(audience-bound, in no group: 403 at the mail API)'],
      ['partner app (seed 002)', `${partner.clientId} / ${partner.clientSecret}`, `(may ask for profile organization; redirect URI ${partner.redirectUri})`],
      ['chat client', `${seed.chat.clientId} / ${seed.chat.clientSecret}`, ''],
      ['sending client', `${seed.sending.clientId} / ${seed.sending.clientSecret}`, ''],
      ['flow client', `${seed.flow.clientId} / ${seed.flow.clientSecret}`, ''],
      ['mail UI client', `${seed.mailUi.clientId} / ${seed.mailUi.clientSecret}`, ''],
      ['SPA client', seed.spaClientId, '(public, PKCE)'],
    ]),
    '',
    `Credentials (tenant ${other.slug})`,
    ...table([
      ['user', `${other.user.email} / ${shellWord(other.user.password)}`, ''],
      ['password-grant client', `${other.client.clientId} / ${other.client.clientSecret}`, '(registered for the password grant, which this tenant refuses)'],
    ]),
    '',
    'Try seed 000 (client_credentials: aud is the client_id; the mail API answers 200, and 403 to a user outside mail-users):',
    `  TOKEN=$(curl -s -X POST ${token} -d grant_type=client_credentials -d client_id=${seed.seed000.clientId} -d client_secret=${seed.seed000.clientSecret} -d scope=openid | ${ACCESS_TOKEN})`,
    `  ${AUDIENCE} "$TOKEN"   # the client_id`,
    `  curl -s -H "Authorization: Bearer $TOKEN" ${urls.mail}/v1/me`,
    `  curl -s -H "Authorization: Bearer $TOKEN" ${urls.mail}/v1/mailboxes`,
    `  USER_TOKEN=$(curl -s -X POST ${token} -d grant_type=password -d client_id=${seed.seed000.clientId} -d client_secret=${seed.seed000.clientSecret} --data-urlencode username=${seed.outsideUser.email} --data-urlencode ${password(seed.outsideUser)} | ${ACCESS_TOKEN})`,
    `  curl -si -H "Authorization: Bearer $USER_TOKEN" ${urls.mail}/v1/mailboxes   # 403: not in mail-users`,
    '',
    `Try seed 001 (the password grant: on for tenant ${seed.slug}, off by default, as on tenant ${other.slug}):`,
    `  curl -s -X POST ${urls.chat}/v1/auth/token -H "Content-Type: application/x-www-form-urlencoded" -d grant_type=password --data-urlencode username=${seed.user.email} --data-urlencode ${password(seed.user)}`,
    `  curl -s -X POST ${other.issuer}/oauth2/token -d grant_type=password -d client_id=${other.client.clientId} -d client_secret=${other.client.clientSecret} --data-urlencode username=${other.user.email} --data-urlencode ${password(other.user)}   # refused: off by default`,
    '',
    `Try seed 002 (a third-party app: open the URL, sign in as ${seed.user.email}, authorize, check state=${state} on the redirect, then exchange its code as JSON):`,
    `  # ${authorize}`,
    '  CODE=the-code-from-the-redirect',
    `  curl -s -X POST ${urls.latchkey}/oauth2/token -H "Content-Type: application/json" -d '${exchange}'`,
    '',
    'Try seed 003 (an API key in test mode, told from a JWT by its prefix):',
    `  curl -s -H "Authorization: Bearer ${seed.testApiKey}" ${urls.sending}/v3/auth/me`,
    `  curl -s -X POST -H "Authorization: Bearer ${seed.testApiKey}" ${urls.sending}/v3/messages`,
    '',
    'Try seed 004 (a flow editor whose server has no Latchkey configuration answers 503):',
    `  curl -si -X POST ${flowUnconfigured}/api/v1/auth/exchange -H "Content-Type: application/json" -d '{"code":"c","code_verifier":"v","redirect_uri":"${flowUnconfigured}/auth/callback"}'`,
    '',
  ].join('\n');
}
