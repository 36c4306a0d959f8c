/** The dashboard's numbers from a Prometheus exposition: tokens by grant, sign-ins by outcome, failures. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseExposition, summarize } from '../../../src/admin/metrics-summary.ts';

const TEXT = `# HELP latchkey_tokens_issued_total Token responses by grant type
# TYPE latchkey_tokens_issued_total counter
latchkey_tokens_issued_total{grant_type="client_credentials"} 7
latchkey_tokens_issued_total{grant_type="authorization_code"} 2
latchkey_http_requests_total{method="POST",route="/t/:tenant/login",status="303"} 3
latchkey_http_requests_total{method="POST",route="/t/:tenant/login",status="401"} 2
latchkey_http_requests_total{method="POST",route="/t/:tenant/oauth2/token",status="400"} 4
latchkey_http_requests_total{method="GET",route="/healthz",status="200"} 10
latchkey_http_requests_total{method="GET",route="say \\"hi\\"",status="500"} 1
`;

describe('metrics summary', () => {
  it('reads labels, escaped quotes included', () => {
    const samples = parseExposition(TEXT);
    assert.equal(samples.length, 7);
    assert.deepEqual(samples[6]!.labels, { method: 'GET', route: 'say "hi"', status: '500' });
  });

  it('sums tokens, sign-ins, token failures and status classes', () => {
    const summary = summarize(parseExposition(TEXT));
    assert.deepEqual(summary.tokens_issued, { client_credentials: 7, authorization_code: 2 });
    assert.deepEqual(summary.sign_ins, { succeeded: 3, failed: 2 });
    assert.equal(summary.token_failures, 4);
    assert.deepEqual(summary.requests, { '3xx': 3, '4xx': 6, '2xx': 10, '5xx': 1 });
  });
});
