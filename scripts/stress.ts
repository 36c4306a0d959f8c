/**
 * Acceptance check of issue 22: `npm test` passes three times in a row while another process keeps every core
 * busy, with no retries. Starts one busy-loop child per core (os.availableParallelism()), runs `npm test`
 * LATCHKEY_STRESS_RUNS times (default 3) one after the other, stops at the first failure, and always stops the
 * busy loops. Prints each run's outcome and duration.
 */
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const runs = Number(process.env.LATCHKEY_STRESS_RUNS ?? 3);
const burners = Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
const stopBurners = () => {
  for (const burner of burners) burner.kill('SIGKILL');
};
process.on('SIGINT', () => {
  stopBurners();
  process.exit(130);
});

let failed = false;
try {
  for (let run = 1; run <= runs && !failed; run++) {
    const started = Date.now();
    const result = spawnSync('npm', ['test'], { stdio: 'inherit' });
    failed = result.status !== 0;
    console.log(`\nstress run ${run}/${runs}: ${failed ? 'FAILED' : 'passed'} in ${((Date.now() - started) / 60_000).toFixed(1)} min with ${burners.length} busy cores`);
  }
} finally {
  stopBurners();
}
process.exit(failed ? 1 : 0);
