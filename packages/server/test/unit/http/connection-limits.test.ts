import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../../src/config/load-config.ts';
import { connectionTimeouts } from '../../../src/http/connection-limits.ts';

describe('connectionTimeouts', () => {
  it('closes silent connections after 10 s by default, and keeps idle kept-alive ones longer than a load balancer (AWS ALB: 60 s)', () => {
    const config = loadConfig({});
    const options = connectionTimeouts(config);
    assert.equal(options.http.headersTimeout, 10_000);
    assert.ok(options.http.connectionsCheckingInterval! <= 1000);
    assert.equal(options.requestTimeout, 30_000);
    assert.ok(options.keepAliveTimeout > 60_000);
    assert.equal(config.maxConnections, 4000);
  });

  it('sweeps for expired connections at least twice per headers timeout', () => {
    const options = connectionTimeouts(loadConfig({ LATCHKEY_HEADERS_TIMEOUT_SECONDS: '1' }));
    assert.equal(options.http.connectionsCheckingInterval, 500);
  });

  it('refuses a request timeout shorter than the headers timeout', () => {
    assert.throws(() => loadConfig({ LATCHKEY_HEADERS_TIMEOUT_SECONDS: '40' }), (error: unknown) => error instanceof ConfigError && /LATCHKEY_REQUEST_TIMEOUT_SECONDS \(30\)/.test(error.message));
    assert.equal(loadConfig({ LATCHKEY_HEADERS_TIMEOUT_SECONDS: '40', LATCHKEY_REQUEST_TIMEOUT_SECONDS: '40' }).requestTimeout, 40);
  });
});
