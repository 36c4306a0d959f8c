/**
 * Scenario 8 (tenants at scale, issue 21) in tiny mode, so it cannot rot: bulk-seeded tenants each get tokens
 * through their own client and signing key, every row is answered with 2xx, the cache hit rates come from
 * /metrics, and the SVG figure is written. The Zipf picker is checked by counting draws. No timing asserted.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { formatReport } from '../src/harness/table.ts';
import { parseInvocation } from '../src/options.ts';
import { cacheHitRates, rowName, runTenantsAtScale } from '../src/scenarios/tenants.ts';
import { basicAuth, prepareLatchkey, startLatchkey } from '../src/servers/latchkey.ts';
import { seedTenantFleet } from '../src/servers/tenant-fleet.ts';
import { tenantPicker } from '../src/servers/tenant-load.ts';

describe('tenants at scale (scenario 8)', () => {
  it('parses --tenants with k suffixes, and refuses nonsense', () => {
    assert.deepEqual(parseInvocation(['--tenants', '1,1k,10000'], {}).options.tenantCounts, [1, 1000, 10000]);
    assert.deepEqual(parseInvocation([], { BENCH_TENANTS: '100k' }).options.tenantCounts, [100000]);
    assert.equal(parseInvocation([], {}).options.tenantCounts, undefined);
    assert.throws(() => parseInvocation(['--tenants', '0,abc'], {}), /--tenants takes counts/);
    assert.deepEqual(parseInvocation(['--algorithms', 'es256'], {}).options.tenantAlgorithms, ['ES256']);
    assert.deepEqual(parseInvocation(['--algorithms', 'RS256'], {}).options.tenantAlgorithms, ['ES256', 'RS256']);
    assert.throws(() => parseInvocation(['--algorithms', 'HS256'], {}), /--algorithms takes/);
  });

  it('draws tenants uniformly, or Zipf-skewed with the first the hottest and every one reachable', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const count = (pick: () => number, n: number) => {
      const hits = new Array<number>(n).fill(0);
      for (let i = 0; i < 100_000; i += 1) hits[pick()]! += 1;
      return hits;
    };
    const uniform = count(tenantPicker(10, 'uniform', random), 10);
    assert.ok(Math.min(...uniform) > 9000 && Math.max(...uniform) < 11000, `uniform: ${uniform}`);
    const zipf = count(tenantPicker(1000, 'zipf', random), 1000);
    // Zipf (s = 1) over 1,000: the first takes 1/H(1000) = 13 % of draws, the tenth about 1.3 %.
    assert.ok(zipf[0]! > 12_000 && zipf[0]! < 15_000, `the hottest: ${zipf[0]}`);
    assert.ok(zipf[0]! > 5 * zipf[9]!, 'a long tail');
    assert.ok(zipf.slice(500).reduce((a, b) => a + b, 0) > 0, 'the tail is drawn too');
  });

  it('reads hit rates per cache from the Prometheus text', () => {
    const text = ['latchkey_cache_requests_total{cache="tenants",result="hit"} 3', 'latchkey_cache_requests_total{cache="tenants",result="miss"} 1', 'latchkey_cache_requests_total{cache="clients",result="miss"} 0'].join('\n');
    assert.deepEqual(cacheHitRates(text), { tenants: '75.0 %' });
  });

  it('seeds tenants in bulk whose clients get tokens signed by their own tenant\'s key', async () => {
    const prepared = await prepareLatchkey({ alg: 'ES256', seed: ({ ctx }) => seedTenantFleet(ctx, 3, 'ES256') });
    const server = await startLatchkey(prepared);
    try {
      assert.equal(prepared.seeded.tenants.length, 3);
      const kids = new Set<string>();
      for (const tenant of prepared.seeded.tenants) {
        const response = await fetch(`${prepared.baseUrl}/oauth2/token`, {
          method: 'POST',
          headers: { authorization: basicAuth(tenant.clientId, tenant.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        });
        assert.equal(response.status, 200);
        const { access_token: token } = (await response.json()) as { access_token: string };
        const jwks = (await (await fetch(`${prepared.baseUrl}/t/${tenant.slug}/jwks`)).json()) as { keys: { kid: string }[] };
        assert.equal(jwks.keys.length, 1);
        const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]), { issuer: `${prepared.baseUrl}/t/${tenant.slug}` });
        assert.equal(payload.client_id, tenant.clientId);
        assert.equal(protectedHeader.alg, 'ES256');
        kids.add(protectedHeader.kid!);
      }
      assert.equal(kids.size, 3, 'one key per tenant');
    } finally {
      await server.stop();
      await prepared.drop();
    }
  });

  it('prints every row answered with 2xx, the ratios against one tenant, hit rates, and writes the figure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-tenants-'));
    try {
      const plotPath = join(dir, 'tenants.svg');
      const report = await runTenantsAtScale({ ...parseInvocation(['--tiny', '--tenants', '1,5'], {}).options, plotPath });
      const names = report.rows.map((r) => r.name);
      for (const expected of [rowName('ES256', 5, 'uniform'), rowName('ES256', 5, 'zipf'), rowName('ES256', 5, 'discovery+jwks'), rowName('RS256', 5, 'uniform'), rowName('ES256', 1, 'uniform')]) {
        assert.ok(names.includes(expected), `a row "${expected}" in ${names}`);
      }
      for (const row of report.rows) {
        assert.ok(row.ok > 0, `${row.name} served requests`);
        assert.equal(row.errors, 0, `${row.name} answered every request with 2xx`);
        assert.ok(row.extra?.tenants !== undefined, `${row.name} has a tenants cache hit rate`);
      }
      const table = formatReport(report);
      for (const text of ['ES256 uniform, 5 / 1 tenant:', 'RS256 uniform, 5 / 1 tenant:', 'seeded in', 'CPU per key', 'cache hits, ES256, 5 tenants, uniform: tenants']) {
        assert.ok(table.includes(text), `the report shows "${text}":\n${table}`);
      }
      const svg = readFileSync(plotPath, 'utf8');
      assert.match(svg, /^<svg /);
      assert.equal((svg.match(/<polyline /g) ?? []).length, 8, 'four series in each of two panels');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with --prewarm asks every tenant once first, so the measured rows find every tenant cached', async () => {
    const options = parseInvocation(['--tiny', '--tenants', '1,5', '--algorithms', 'ES256', '--prewarm'], {}).options;
    assert.equal(options.prewarm, true);
    const dir = mkdtempSync(join(tmpdir(), 'bench-prewarm-'));
    const report = await runTenantsAtScale({ ...options, plotPath: join(dir, 'tenants.svg') }).finally(() => rmSync(dir, { recursive: true, force: true }));
    for (const kind of ['uniform', 'zipf'] as const) {
      const row = report.rows.find((r) => r.name === rowName('ES256', 5, kind));
      assert.equal(row?.errors, 0);
      // Counted from after the pre-warm: without it, each tenant's first token misses the clients cache.
      assert.equal(row?.extra?.clients, '100.0 %', `${kind}: ${JSON.stringify(row?.extra)}`);
    }
    assert.ok(formatReport(report).includes('pre-warmed (--prewarm)'));
  });
});
