import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../config/load-config.ts';
import type { Latchkey } from '../context.ts';

/** Wrong use of the command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export interface CommandContext {
  readonly config: Config;
  readonly io: CommandIo;
  /** Opens the database (and migrates it) on first use; commands that need no database never open it. */
  latchkey(): Promise<Latchkey>;
}

/** One `latchkey <noun> <verb>` command. */
export interface Command {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  run(argv: string[], context: CommandContext): Promise<void>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** `parseArgs` with strict checking, turning its errors into UsageError. `--json` is always allowed. */
export function parseCommandArgs<O extends Options>(argv: string[], options: O, positionals = 0) {
  try {
    const parsed = parseArgs({ args: argv, options: { ...options, json: { type: 'boolean' } }, allowPositionals: positionals > 0, strict: true });
    if (parsed.positionals.length > positionals) throw new UsageError(`unexpected argument "${parsed.positionals[positionals]}"`);
    return parsed;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function requireOption(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

/** Prints `value` as JSON with `--json`, otherwise as `key: value` lines (lists as one line each). */
export function print(io: CommandIo, json: boolean | undefined, value: unknown, human?: (value: unknown) => string): void {
  if (json) {
    io.stdout(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  io.stdout(`${human ? human(value) : describe(value)}\n`);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => describe(item)).join('\n---\n') || '(none)';
  if (value !== null && typeof value === 'object') {
    return Object.entries(value)
      .map(([key, v]) => `${key}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
      .join('\n');
  }
  return String(value);
}
