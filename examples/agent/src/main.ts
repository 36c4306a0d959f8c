/**
 * Runnable example of the agent flow (docs/agents.md):
 *
 *   node examples/agent/src/main.ts api   --issuer http://127.0.0.1:9000/t/acme --port 8787
 *   node examples/agent/src/main.ts agent --api http://127.0.0.1:8787/mcp
 *
 * The first serves the notes API (resource http://127.0.0.1:<port>/mcp). The second discovers everything from
 * the API's 401, registers itself dynamically, prints the sign-in URL to open in a browser, waits for the
 * redirect on a loopback port, redeems the code for a token bound to the API, and calls it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { nodeListener } from '@latchkey/relying-party';
import { authorizationRequest, discover, redeemCallback, registerDynamically } from './agent-client.ts';
import { notesApi } from './notes-api.ts';

async function serveApi(issuer: string, port: number): Promise<void> {
  const resource = `http://127.0.0.1:${port}/mcp`;
  createServer(nodeListener(notesApi({ issuer, resource }))).listen(port, '127.0.0.1', () => {
    console.log(`notes API on ${resource} (resource identifier ${resource}, issuer ${issuer})`);
  });
}

async function runAgent(api: string): Promise<void> {
  const discovered = await discover(api);
  console.log(`resource ${discovered.resource.resource} -> authorization server ${discovered.server.issuer}`);
  const callbacks = createServer();
  await new Promise<void>((resolve) => callbacks.listen(0, '127.0.0.1', resolve));
  const redirectUri = `http://127.0.0.1:${(callbacks.address() as AddressInfo).port}/callback`;
  const clientId = await registerDynamically(discovered.server, redirectUri);
  console.log(`registered as ${clientId}`);
  const request = authorizationRequest(discovered, clientId, redirectUri);
  console.log(`\nOpen this URL to sign in:\n\n  ${request.url}\n`);
  const callback = await new Promise<URL>((resolve) => {
    callbacks.on('request', (req, res) => {
      res.end('Signed in; you can close this window.');
      resolve(new URL(req.url ?? '/', redirectUri));
    });
  });
  callbacks.close();
  const tokens = await redeemCallback(discovered, clientId, redirectUri, request, callback);
  const response = await fetch(api, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  console.log(`GET ${api} -> ${response.status} ${await response.text()}`);
}

const [command, ...rest] = process.argv.slice(2);
const { values } = parseArgs({ args: rest, options: { issuer: { type: 'string' }, port: { type: 'string' }, api: { type: 'string' } } });
if (command === 'api' && values.issuer) await serveApi(values.issuer, Number(values.port ?? 8787));
else if (command === 'agent' && values.api) await runAgent(values.api);
else {
  console.error('usage: main.ts api --issuer <issuer> [--port 8787] | main.ts agent --api <url>');
  process.exitCode = 2;
}
