/** Scenario 2: scenario 1 with ES256 and EdDSA tenant keys (the ceiling and the peer sign with the same one). */
import { compareTokenEndpoints } from './tokens.ts';
import type { Scenario } from './scenario.ts';

export const algorithmsScenario: Scenario = {
  name: 'algorithms',
  summary: 'scenario 2: client_credentials with ES256 and EdDSA keys',
  async run(options) {
    const algs = options.tiny ? (['ES256'] as const) : (['ES256', 'EdDSA'] as const);
    const reports = [];
    for (const alg of algs) reports.push(await compareTokenEndpoints(alg, options, `Scenario 2: client_credentials, ${alg} JWT access tokens, SQLite`, false));
    return reports;
  },
};
