/**
 * CPU contention for race tests: busy child processes, one per core (at most four), so that requests which race
 * are preempted at arbitrary points, as on a loaded machine, instead of running in the order they were sent.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';

export async function withBusyCores<T>(work: () => Promise<T>): Promise<T> {
  const children = Array.from({ length: Math.min(availableParallelism(), 4) }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  try {
    return await work();
  } finally {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }),
    );
  }
}
