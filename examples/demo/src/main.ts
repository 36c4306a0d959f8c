/**
 * `npm run demo`: Latchkey plus the sample products on loopback ports, seeded, with a table of URLs and
 * credentials to try by hand. Ctrl-C stops everything.
 */
import { startDemo } from './start-demo.ts';

const basePort = Number(process.env.DEMO_BASE_PORT ?? 4000);
const demo = await startDemo({ basePort, logLevel: process.env.LATCHKEY_LOG_LEVEL ?? 'warn' });
const { urls, seed } = demo;

const rows: Array<[string, string, string]> = [
  ['Latchkey (issuer)', seed.issuer, `discovery: ${seed.issuer}/.well-known/openid-configuration`],
  ['Browser SDK', `${urls.latchkey}/sdk/latchkey.js`, 'initOIDC(), login(), apiFetch()'],
  ['Mail API (seed 000)', urls.mail, 'GET /v1/me, GET /v1/mailboxes (bearer)'],
  ['Mail UI back end (seed 000, cookies)', urls.mailUi, 'GET /auth/login, GET /auth/session, GET /v1/mailboxes'],
  ['Chat (seed 001)', urls.chat, '/v1/auth/config, login, token, refresh, register'],
  ['Sending (seed 003)', urls.sending, '/v3/auth/login, callback, refresh, logout, me; POST /v3/messages'],
  ['Flow editor (seed 004)', urls.flow, '/api/v1/auth/config, exchange, refresh; GET /v1/me'],
  ['Mail SPA (browser SDK)', urls.spa, 'open in a browser and sign in'],
];
const width = (i: number) => Math.max(...rows.map((row) => row[i]?.length ?? 0));
console.log('\nLatchkey demo is running\n');
for (const row of rows) console.log(`  ${row[0].padEnd(width(0))}  ${row[1].padEnd(width(1))}  ${row[2]}`);
console.log('\nCredentials');
console.log(`  user              ${seed.user.email} / ${seed.user.password}  (groups mail-users < staff; roles developer, reporter)`);
console.log(`  API key (Ada)     ${seed.apiKey}`);
console.log(`  agent client      ${seed.agent.clientId} / ${seed.agent.clientSecret}`);
for (const [name, client] of [['chat client', seed.chat], ['sending client', seed.sending], ['flow client', seed.flow], ['mail UI client', seed.mailUi]] as const) {
  console.log(`  ${name.padEnd(16)}  ${client.clientId} / ${client.clientSecret}`);
}
console.log(`  SPA client        ${seed.spaClientId} (public, PKCE)`);
console.log('\nTry seed 000:');
console.log(`  TOKEN=$(curl -s -X POST ${urls.latchkey}/application/o/token/ -d grant_type=client_credentials -d client_id=${seed.agent.clientId} -d client_secret=${seed.agent.clientSecret} -d scope=openid | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`);
console.log(`  curl -H "Authorization: Bearer $TOKEN" ${urls.mail}/v1/mailboxes\n`);

const stop = () => {
  demo.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
