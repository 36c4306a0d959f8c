/**
 * Scenario 1: client_credentials with RS256 JWT access tokens on SQLite, against the bare signing ceiling and
 * oidc-provider, measured in the same run. Targets: >= 0.85 of the ceiling, >= 1.5x the peer.
 */
import { availableParallelism } from 'node:os';
import type { SigningAlgorithm } from '../../../packages/server/src/tokens/jose.ts';
import { measureAll } from '../harness/measure.ts';
import type { Report } from '../harness/table.ts';
import { claimsTemplate } from '../servers/claims.ts';
import { prepareLatchkey } from '../servers/latchkey.ts';
import { ceilingTarget, decodePayload, latchkeyTarget, peerTarget } from '../servers/targets.ts';
import type { RunOptions, Scenario } from './scenario.ts';

/**
 * Latchkey, the ceiling and the peer for one algorithm, as one report. Each is one process; with `workers`,
 * Latchkey is also measured as `latchkey serve --workers <n>` (a row of its own, outside the ratios).
 */
export async function compareTokenEndpoints(alg: SigningAlgorithm, options: RunOptions, title: string, withTargets: boolean, workers = 0): Promise<Report> {
  const prepared = await prepareLatchkey({ alg });
  const clustered = workers > 1 ? { ...prepared, env: { ...prepared.env, LATCHKEY_WORKERS: String(workers) } } : undefined;
  try {
    let claims: Record<string, unknown> | undefined;
    const latchkey = `latchkey (${alg}, sqlite)`;
    const ceiling = ceilingTarget(alg, () => claims);
    const peer = peerTarget(alg);
    const rows = await measureAll(
      [
        latchkeyTarget(latchkey, prepared, { onToken: (token) => (claims = claimsTemplate(decodePayload(token))) }),
        ceiling,
        peer,
        ...(clustered ? [latchkeyTarget(`latchkey --workers ${workers}`, clustered)] : []),
      ],
      options,
    );
    return {
      title,
      rows,
      ratios: [
        { label: 'Latchkey / ceiling', numerator: latchkey, denominator: ceiling.name, ...(withTargets ? { target: { atLeast: 0.85 } } : {}) },
        { label: 'Latchkey / peer', numerator: latchkey, denominator: peer.name, ...(withTargets ? { target: { atLeast: 1.5 } } : {}) },
      ],
    };
  } finally {
    await prepared.drop();
  }
}

export const tokensScenario: Scenario = {
  name: 'tokens',
  summary: 'scenario 1: client_credentials, RS256 JWT, SQLite vs ceiling and peer',
  async run(options) {
    const workers = options.tiny ? 0 : availableParallelism();
    return [await compareTokenEndpoints('RS256', options, 'Scenario 1: client_credentials, RS256 JWT access tokens, SQLite', true, workers)];
  },
};
