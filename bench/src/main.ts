/**
 * `npm run bench` runs every scenario; `npm run bench:<name>` (or `node bench/src/main.ts <name> …`) runs some.
 * Prints each scenario's table as soon as it is measured, then the machine it ran on.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { formatReport } from './harness/table.ts';
import { parseInvocation } from './options.ts';
import { scenarios } from './scenarios/index.ts';

function machine(): string {
  const cpu = cpus();
  return `${cpu.length} x ${cpu[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}

const { scenarios: names, options } = parseInvocation(process.argv.slice(2), process.env);
const unknown = names.filter((name) => !scenarios.some((s) => s.name === name));
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const selected = names.length === 0 ? scenarios : scenarios.filter((s) => names.includes(s.name));
console.log(`# Latchkey benchmarks, ${new Date().toISOString()}`);
console.log(`machine: ${machine()}`);
console.log(`load: ${options.connections} connections, ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s per run, ${options.rounds} round(s)`);
for (const scenario of selected) {
  for (const report of await scenario.run(options)) console.log(formatReport(report));
}
console.log(`\nload average after the run: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
