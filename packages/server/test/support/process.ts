/**
 * Latchkey as a child process (`latchkey serve …`), for tests that need real signals: SIGTERM drains, SIGKILL,
 * `--workers`. Its JSON log lines are parsed so a test can wait for an event ("worker listening") instead of
 * sleeping.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { latchkeyCommand } from './launcher.ts';

/** Guards against a hang, never a timing assertion: generous on a loaded 2-core machine. */
const WAIT_LIMIT_MS = 60_000;

export type LogLine = Record<string, unknown> & { msg?: string };

export interface LatchkeyProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly logs: LogLine[];
  /** Resolves with the first log line (already seen or still to come) that matches. */
  waitForLog(matches: (line: LogLine) => boolean, what: string, from?: number): Promise<LogLine>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Sends SIGKILL if still running and waits for the exit. */
  stop(): Promise<void>;
}

export function runLatchkey(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, latchkeyCommand(...args), { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function spawnLatchkey(args: string[], env: Record<string, string> & { PORT: string }): Promise<LatchkeyProcess> {
  const child = runLatchkey(args, { LATCHKEY_LOG_LEVEL: 'info', ...env });
  const logs: LogLine[] = [];
  const waiters = new Set<() => void>();
  const stderr: string[] = [];
  let running = true;
  createInterface({ input: child.stdout! }).on('line', (text) => {
    try {
      logs.push(JSON.parse(text) as LogLine);
    } catch {
      logs.push({ msg: text });
    }
    for (const wake of waiters) wake();
  });
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      for (const wake of waiters) wake();
      resolve({ code, signal });
    });
  });
  const waitForLog = (matches: (line: LogLine) => boolean, what: string, from = 0) =>
    new Promise<LogLine>((resolve, reject) => {
      const check = () => {
        const found = logs.slice(from).find(matches);
        if (found) return done(() => resolve(found));
        if (!running) return done(() => reject(new Error(`latchkey exited before "${what}"; stderr: ${stderr.join('').slice(-2000)}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no "${what}" in the log`))), WAIT_LIMIT_MS);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });
  return {
    child,
    url: `http://127.0.0.1:${env.PORT}`,
    logs,
    waitForLog,
    exited,
    stderr: () => stderr.join(''),
    async stop() {
      if (running) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls `/readyz` until it answers 200 (bounded). */
export async function waitUntilReady(url: string, attempts = 300): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} never became ready`);
}

/** Whether a process with this pid still exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface SlowRequest {
  /** Sends the rest of the body; resolves with the status and body text. */
  finish(): Promise<{ status: number; body: string }>;
  readonly request: ClientRequest;
  /** Its `X-Request-Id`: Latchkey logs it as `reqId`. */
  readonly requestId: string;
}

/** Matches the server's log line saying this request has arrived (headers read, body still coming). */
export function arrived(slow: SlowRequest): (line: LogLine) => boolean {
  return (line) => line.msg === 'incoming request' && line.reqId === slow.requestId;
}

/** A form POST whose headers and first body bytes are sent now and the rest on `finish()`: a request in flight. */
export function startSlowPost(url: string, form: Record<string, string>): SlowRequest {
  const body = Buffer.from(new URLSearchParams(form).toString());
  // A request id of its own, so a test can wait for this request's log line and not an earlier one's.
  const requestId = `slow-${randomUUID()}`;
  const request = httpRequest(url, {
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length), 'x-request-id': requestId },
  });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  response.catch(() => {});
  request.flushHeaders();
  request.write(body.subarray(0, 5));
  return {
    request,
    requestId,
    async finish() {
      request.end(body.subarray(5));
      const res = await response;
      let text = '';
      for await (const chunk of res) text += String(chunk);
      return { status: res.statusCode ?? 0, body: text };
    },
  };
}
