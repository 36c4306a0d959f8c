/**
 * The `latchkey` command. Reads the same environment as the server (LATCHKEY_DATABASE_URL, …), so it can
 * manage a deployment while the server runs. Exit codes: 0 success, 1 the request was refused, 2 bad usage.
 */
import { ConfigError, loadConfig } from '../config/load-config.ts';
import { createLatchkey } from '../context.ts';
import type { Latchkey } from '../context.ts';
import { OAuthError } from '../errors/oauth-error.ts';
import { createLogger } from '../http/logger.ts';
import { UsageError } from './command.ts';
import type { CommandIo } from './command.ts';
import { commands } from './commands/index.ts';

function usage(): string {
  return ['usage: latchkey <command> …', '', ...commands.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`), '', 'latchkey <command> --help shows a command\'s usage.'].join('\n');
}

export async function runCli(argv: string[], io: CommandIo, env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`latchkey: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`usage: ${command.usage}\n`);
    return 0;
  }
  let ctx: Latchkey | undefined;
  try {
    const config = loadConfig(env);
    await command.run(rest, {
      config,
      io,
      latchkey: async () => {
        // Commands log only warnings to stderr so `--json` output on stdout stays machine-readable.
        ctx ??= await createLatchkey(config, { logger: createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr as never) });
        return ctx;
      },
    });
    if (command.name === 'serve') ctx = undefined; // the server owns its context now
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`latchkey ${command.name}: ${error.message}\nusage: ${command.usage}\n`);
      return 2;
    }
    if (error instanceof OAuthError && error.status < 500) {
      io.stderr(`latchkey ${command.name}: ${error.message}\n`);
      return 1;
    }
    if (error instanceof ConfigError) {
      io.stderr(`latchkey: ${error.message}\n`);
      return 2;
    }
    io.stderr(`latchkey ${command.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    if (ctx) await ctx.close();
  }
}

/** Runs the command named by the process's arguments; `bin/latchkey.js` (the shipped entry) calls it. */
export async function runFromProcess(): Promise<void> {
  const code = await runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
  // `serve` keeps running; other commands finish here.
  if (process.argv[2] !== 'serve' || code !== 0) process.exitCode = code;
}

if (import.meta.main) await runFromProcess();
