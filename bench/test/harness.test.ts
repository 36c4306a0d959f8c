/**
 * The harness plumbing in tiny mode (1 s runs, 2 connections), so the benchmarks cannot rot unnoticed: the
 * scenario table prints with every target and ratio, and the ceiling, the peer and Latchkey answer with tokens
 * that verify against their published keys. No timing is asserted: the machine is shared.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { load } from '../src/harness/load.ts';
import { formatReport } from '../src/harness/table.ts';
import { parseInvocation } from '../src/options.ts';
import { tokensScenario } from '../src/scenarios/tokens.ts';
import { prepareLatchkey, startLatchkey } from '../src/servers/latchkey.ts';
import { refreshChains } from '../src/servers/refresh-chains.ts';
import { benchUser, seedRefreshTokens } from '../src/servers/seed.ts';
import { ceilingTarget, latchkeyTarget, peerTarget, requestToken } from '../src/servers/targets.ts';
import type { Target } from '../src/harness/measure.ts';

const { options } = parseInvocation(['--tiny'], {});

async function verifiedToken(target: Target) {
  const { server, request, jwksUrl } = await target.start();
  try {
    const token = await requestToken(request);
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(jwksUrl)), { typ: 'at+jwt' });
    return { header: decodeProtectedHeader(token), payload, peakRss: server.peakRssBytes() };
  } finally {
    await server.stop();
  }
}

describe('bench harness (tiny mode)', () => {
  it('parses the tiny options: short runs, few connections, no warm-up', () => {
    assert.deepEqual(options, { durationSeconds: 1, warmupSeconds: 0, connections: 2, rounds: 1, tiny: true });
  });

  it('measures three interleaved rounds by default, and flags and environment override it', () => {
    assert.equal(parseInvocation([], {}).options.rounds, 3);
    assert.equal(parseInvocation([], { BENCH_ROUNDS: '5' }).options.rounds, 5);
    assert.equal(parseInvocation(['--rounds', '1'], { BENCH_ROUNDS: '5' }).options.rounds, 1);
    assert.throws(() => parseInvocation(['--rounds', '0'], {}), /--rounds must be a number >= 1/);
  });

  it('the ceiling, the peer and Latchkey answer with RS256 access tokens that verify against their JWKS', async () => {
    const prepared = await prepareLatchkey();
    try {
      const latchkey = await verifiedToken(latchkeyTarget('latchkey', prepared));
      assert.equal(latchkey.header.alg, 'RS256');
      assert.equal(latchkey.payload.client_id, prepared.clientId);
      assert.ok(latchkey.peakRss !== undefined && latchkey.peakRss > 0);
      const ceiling = await verifiedToken(ceilingTarget('RS256', () => ({ ...latchkey.payload })));
      assert.equal(ceiling.header.alg, 'RS256');
      assert.equal(ceiling.header.typ, 'at+jwt');
      // The ceiling signs Latchkey's claims, with its own iat, exp and jti.
      assert.equal(ceiling.payload.iss, latchkey.payload.iss);
      assert.deepEqual(ceiling.payload.groups, latchkey.payload.groups);
      assert.notEqual(ceiling.payload.jti, latchkey.payload.jti);
      const peer = await verifiedToken(peerTarget('RS256'));
      assert.equal(peer.header.alg, 'RS256');
      assert.equal(peer.payload.client_id, 'bench-peer-client');
    } finally {
      await prepared.drop();
    }
  });

  it('scenario 1 prints one table with the three targets and both ratios, every request answered', async () => {
    const [report] = await tokensScenario.run(options);
    assert.ok(report);
    assert.equal(report.rows.length, 3);
    for (const row of report.rows) {
      assert.ok(row.ok > 0, `${row.name} served requests`);
      assert.equal(row.errors, 0, `${row.name} answered every request with 2xx`);
    }
    const table = formatReport(report);
    for (const text of ['req/s', 'p50', 'p99', 'errors', 'peak RSS', 'latchkey (RS256, sqlite)', 'ceiling (bare jose RS256)', 'peer (oidc-provider RS256)', 'Latchkey / ceiling:', 'Latchkey / peer:']) {
      assert.ok(table.includes(text), `the table shows "${text}":\n${table}`);
    }
  });

  it('refresh chains never replay a token: every request of a run is answered 200', async () => {
    const prepared = await prepareLatchkey({ seed: async ({ ctx, tenant, client }) => seedRefreshTokens(ctx, tenant, client, await benchUser(ctx, tenant), 4) });
    const server = await startLatchkey(prepared);
    try {
      // Runs of 1 s over the same chains until they went on past the 4 seeded tokens (no throughput is assumed:
      // a busy machine only takes more runs), every request answered 200.
      const pool = [...prepared.seeded];
      let ok = 0;
      for (const deadline = Date.now() + 120_000; ok <= 4; ) {
        assert.ok(Date.now() < deadline, `the chains did not get past the seeded tokens within 120 s (${ok} refreshes)`);
        const result = await load(refreshChains(prepared, pool), { durationSeconds: 1, warmupSeconds: 0, connections: 2 });
        assert.equal(result.errors, 0);
        ok += result.ok;
      }
    } finally {
      await server.stop();
      await prepared.drop();
    }
  });
});
