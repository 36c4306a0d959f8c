import { variables, ConfigError } from './definitions.ts';
import type { Variables } from './definitions.ts';

type Parsed = { readonly [K in keyof Variables]: ReturnType<Variables[K]['parse']> };

export interface Config extends Omit<Parsed, 'baseUrl'> {
  /** Always set: `LATCHKEY_BASE_URL` or `http://HOST:PORT`. */
  readonly baseUrl: string;
  /** Where the server's own requests come from in tests: `true` when `baseUrl` is https (Secure cookies). */
  readonly secureCookies: boolean;
}

/**
 * Reads the environment once, validates every variable and returns a frozen config. Nothing else in Latchkey
 * reads `process.env`; everything gets this object (or a part of it) as an argument.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env, overrides: Partial<Config> = {}): Config {
  const problems: string[] = [];
  const parsed: Record<string, unknown> = {};
  for (const [key, definition] of Object.entries(variables)) {
    try {
      parsed[key] = (definition.parse as (raw: string | undefined, env: Readonly<Record<string, string | undefined>>) => unknown)(env[definition.name], env);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  const merged = { ...(parsed as unknown as Parsed), ...overrides };
  const baseUrl = merged.baseUrl ?? `http://${formatHost(merged.host)}:${merged.port}`;
  return Object.freeze({ ...merged, baseUrl, secureCookies: baseUrl.startsWith('https:') });
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export { ConfigError };
