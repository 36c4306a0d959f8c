/**
 * Regression (issue 14, item 6): with Redis configured but down, the limiter failed open and brute-force
 * protection vanished. While Redis is away each instance now counts in its own memory, and when Redis returns
 * the counters are shared again. Redis is taken away for real: Latchkey talks to it through a TCP proxy that
 * the test cuts (connections reset, new ones refused) and restores.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { postForm } from '../support/http.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { uniqueRedisPrefix } from '../support/instances.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';

const REDIS_URL = process.env.LATCHKEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('brute-force limits while Redis is down (issue 14, item 6)', () => {
  const prefix = uniqueRedisPrefix();
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  let proxy: TcpProxy;
  let server: TestServer;
  let shop: SignInFixture;

  before(async () => {
    const target = new URL(REDIS_URL);
    proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    const port = await proxy.start();
    server = await startTestServer('sqlite', {
      LATCHKEY_REDIS_URL: `redis://127.0.0.1:${port}`,
      LATCHKEY_REDIS_KEY_PREFIX: prefix,
      LATCHKEY_SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '3',
      LATCHKEY_SIGN_IN_MAX_FAILURES_PER_IP: '0',
    });
    shop = await createSignInFixture(server, 'shop', {
      client: { grantTypes: ['authorization_code', 'refresh_token', 'password'] },
      settings: { features: { auth: { password_grant_enabled: true } } },
    });
    await redis.connect();
  });
  after(async () => {
    await server.stop();
    await proxy.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  const passwordGrant = (username: string, password: string) =>
    postForm(`${shop.issuer}/oauth2/token`, { grant_type: 'password', username, password, client_id: shop.clientId, client_secret: shop.clientSecret, scope: 'openid' });
  const accountKeysInRedis = () => redis.keys(`${prefix}*signin:fail:account:*`);
  const failureKeysInRedis = async (login: string) => (await accountKeysInRedis()).filter((key) => key.endsWith(login)).length;

  it('locks an account while Redis is unreachable, and counts in Redis again once it is back', async () => {
    // Redis up: a failure is counted in Redis.
    assert.equal((await passwordGrant('before@shop.example', 'wrong password')).status, 400);
    assert.equal(await failureKeysInRedis('before@shop.example'), 1);

    proxy.cut('refuse');
    for (let i = 0; i < 3; i++) assert.equal((await passwordGrant(shop.login, 'wrong password')).status, 400);
    const locked = await passwordGrant(shop.login, shop.password);
    assert.equal(locked.status, 429, 'the account is locked although Redis is down');
    assert.ok(Number(locked.headers.get('retry-after')) >= 1);
    assert.equal((await accountKeysInRedis()).length, 1, 'the failures were counted in the process, not in Redis');

    proxy.restore();
    let attempt = 0;
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; attempt++) {
      const login = `after-${attempt}@shop.example`;
      assert.equal((await passwordGrant(login, 'wrong password')).status, 400);
      if ((await failureKeysInRedis(login)) === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(await failureKeysInRedis(`after-${attempt}@shop.example`), 1, 'failures are counted in Redis again');
    // The lock earned during the outage still holds after Redis's return.
    assert.equal((await passwordGrant(shop.login, shop.password)).status, 429);
  });
});
