/** What every scenario gets (the run options) and gives back (reports, printed as tables). */
import type { LoadOptions } from '../harness/load.ts';
import type { Report } from '../harness/table.ts';

export interface RunOptions extends LoadOptions {
  /** Interleaved repetitions per target; the median run is kept. */
  readonly rounds: number;
  /** Tiny mode for the plumbing test: smallest data sets, no optional extras. */
  readonly tiny: boolean;
  /** Scenario 8's tenant counts (`--tenants 1,1000,10000,100000`). */
  readonly tenantCounts?: readonly number[];
  /** Where scenario 8 writes its SVG figure (`--plot path`). */
  readonly plotPath?: string;
  /** Scenario 8's key algorithms (`--algorithms ES256`: skip the slow RSA seeding); default ES256 and RS256. */
  readonly tenantAlgorithms?: readonly ('ES256' | 'RS256')[];
  /** Scenario 8: ask every tenant once before each row's warm-up (`--prewarm`): the steady state, not a fresh process. */
  readonly prewarm?: boolean;
}

export interface Scenario {
  /** The script name: `npm run bench:<name>`. */
  readonly name: string;
  readonly summary: string;
  run(options: RunOptions): Promise<Report[]>;
}
