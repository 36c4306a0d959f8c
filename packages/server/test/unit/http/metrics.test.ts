import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countRequest, createMetrics } from '../../../src/http/metrics.ts';

test('responses counted between scrapes reach the counter exactly, scrape after scrape', async () => {
  const metrics = createMetrics();
  const value = async (status: string) => {
    const { values } = await metrics.httpRequests.get();
    return values.find((v) => v.labels.status === status && v.labels.route === '/oauth2/token')?.value ?? 0;
  };
  for (let i = 0; i < 3; i += 1) countRequest(metrics, 'POST', '/oauth2/token', 200);
  countRequest(metrics, 'POST', '/oauth2/token', 401);
  assert.equal(await value('200'), 3);
  assert.equal(await value('401'), 1);
  countRequest(metrics, 'POST', '/oauth2/token', 200);
  countRequest(metrics, 'POST', '/oauth2/token', 200);
  assert.match(await metrics.registry.metrics(), /latchkey_http_requests_total\{method="POST",route="\/oauth2\/token",status="200"\} 5/);
  assert.equal(await value('200'), 5);
});
