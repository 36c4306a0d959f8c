/**
 * The Express/Connect middleware and the node:http listener over a real Latchkey server: the guard sets
 * `req.principal` or answers 401/403 itself; web handlers fall through to `next` for paths they do not own.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createTenantWithClient, issuerOf, startTestServer } from '../../server/test/support/server.ts';
import type { TenantWithClient, TestServer } from '../../server/test/support/server.ts';
import { postForm } from '../../server/test/support/http.ts';
import { createVerifier, expressGuard, expressHandler, requireScope, routeTable } from '../src/index.ts';
import type { Middleware } from '../src/index.ts';

/** A three-line Connect: run middlewares in order. */
function connect(...stack: Middleware[]): Server {
  return createServer((req, res) => {
    let index = 0;
    const next = (error?: unknown) => {
      const layer = stack[index++];
      if (error || !layer) {
        res.writeHead(error ? 500 : 404);
        res.end();
        return;
      }
      layer(req, res, next);
    };
    next();
  });
}

describe('Express/Connect adapter', () => {
  let server: TestServer;
  let acme: TenantWithClient;
  let app: Server;
  let url: string;

  before(async () => {
    server = await startTestServer('sqlite');
    acme = await createTenantWithClient(server, 'acme', { scopes: ['openid', 'mail:read'] });
    const verifier = createVerifier({ issuer: issuerOf(server, 'acme'), audience: acme.clientId });
    app = connect(
      expressHandler(routeTable([['GET', '/public', async () => Response.json({ public: true })]])),
      expressGuard(verifier, requireScope('mail:read')),
      (req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sub: req.principal?.sub }));
      },
    );
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const address = app.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => app.close(() => resolve()));
    await server.stop();
  });

  const token = async (scope: string) => {
    const response = await postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: acme.clientId, client_secret: acme.clientSecret, scope });
    return ((await response.json()) as { access_token: string }).access_token;
  };

  it('web handlers answer their paths; others fall through to the guard', async () => {
    assert.deepEqual(await (await fetch(`${url}/public`)).json(), { public: true });
    const refused = await fetch(`${url}/private`);
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer');
  });

  it('the guard sets req.principal, or answers 403 for a missing scope', async () => {
    const ok = await fetch(`${url}/private`, { headers: { authorization: `Bearer ${await token('openid mail:read')}` } });
    assert.equal(ok.status, 200);
    assert.match(((await ok.json()) as { sub: string }).sub, /^usr_/);
    const lacking = await fetch(`${url}/private`, { headers: { authorization: `Bearer ${await token('openid')}` } });
    assert.equal(lacking.status, 403);
    assert.match(lacking.headers.get('www-authenticate') ?? '', /error="insufficient_scope", error_description="[^"]+", scope="mail:read"/);
  });
});
