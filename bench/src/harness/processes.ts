/**
 * Servers under test run as child processes of the harness, so the load generator (autocannon, in the harness
 * process) never shares an event loop with them and each server's memory is its own. Readiness is polled over
 * HTTP; memory is read from /proc (VmHWM = peak RSS, VmRSS = current RSS), so any server can be measured the same
 * way, the real `latchkey serve` command included.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../../packages/server/src/util/free-port.ts';

export interface ServerProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Milliseconds from spawn until the ready check first passed. */
  readonly startupMs: number;
  /** Peak resident set size so far, in bytes, summed over the process and its children (undefined without /proc). */
  peakRssBytes(): number | undefined;
  /** Current resident set size, in bytes, summed over the process and its children. */
  rssBytes(): number | undefined;
  /** CPU time (user + system, every thread, the process and its live children) used so far, in milliseconds. */
  cpuMs(): number | undefined;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** A URL polled until it answers with any HTTP status, or a check polled until it returns true. */
  readonly ready: string | (() => Promise<boolean>);
  /** Extra Node flags (`--cpu-prof`, …). */
  readonly nodeFlags?: readonly string[];
  readonly timeoutMs?: number;
  /** Pause between ready checks (default 10 ms). */
  readonly pollMs?: number;
}

/** A free TCP port on 127.0.0.1. */
export { freePort };

/** The process and its descendants (a `latchkey serve --workers n` primary and its workers). */
export function processTree(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended between the listing and the read
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i += 1) tree.push(...(parents.get(tree[i]!) ?? []));
  return tree;
}

function sumOverTree(pid: number, read: (pid: number) => number | undefined): number | undefined {
  let total: number | undefined;
  for (const member of processTree(pid)) {
    const value = read(member);
    if (value !== undefined) total = (total ?? 0) + value;
  }
  return total;
}

function procStatusBytes(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function procCpuMs(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in ticks.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** CPU milliseconds per thread name (`node` is the main thread, `libuv-worker` the pool that signs). */
export function threadCpuMs(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
      const label = tid === String(pid) ? 'main thread' : name;
      byName.set(label, (byName.get(label) ?? 0) + ms);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return byName;
}

/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

const live = new Set<ChildProcess>();
// A harness stopped half-way (Ctrl-C, a failed scenario) must not leave servers behind.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

export async function spawnServer(options: SpawnOptions): Promise<ServerProcess> {
  const started = performance.now();
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), ...options.args], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  let exited = false;
  live.add(child);
  const exit = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    live.delete(child);
    resolve();
  }));
  const deadline = started + (options.timeoutMs ?? 30_000);
  const { ready } = options;
  const isReady = typeof ready === 'string' ? () => answers(ready) : ready;
  while (!(await isReady().catch(() => false))) {
    if (exited) throw new Error(`server ${options.args.join(' ')} exited before it was ready:\n${stderr}`);
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server ${options.args.join(' ')} was not ready in time:\n${stderr}`);
    }
    await sleep(options.pollMs ?? 10);
  }
  const startupMs = performance.now() - started;
  const pid = child.pid!;
  return {
    pid,
    child,
    startupMs,
    peakRssBytes: () => sumOverTree(pid, (member) => procStatusBytes(member, 'VmHWM')),
    rssBytes: () => sumOverTree(pid, (member) => procStatusBytes(member, 'VmRSS')),
    cpuMs: () => sumOverTree(pid, procCpuMs),
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    },
  };
}
