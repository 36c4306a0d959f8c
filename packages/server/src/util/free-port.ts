/**
 * A TCP port on 127.0.0.1 that is free now, for a server whose URL must be known before it starts (an issuer, a
 * redirect URI): tests, benchmarks and the demo.
 *
 * The port is picked below the kernel's ephemeral range. The kernel hands out ports from that range to
 * `listen(0)` and to every outgoing connection, so a port found by `listen(0)` could be taken by another
 * process's client socket before our server binds it. That was an EADDRINUSE flake in CI. Below the range only
 * another explicit bind can take it. No port is handed out twice by one process.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const handedOut = new Set<number>();
const LOWEST = 10_000;

/** The kernel's ephemeral range (Linux), or undefined where it cannot be read. */
export function ephemeralPortRange(): readonly [number, number] | undefined {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return Number.isInteger(low) && Number.isInteger(high) ? [low!, high!] : undefined;
  } catch {
    return undefined;
  }
}

function bindable(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(undefined));
    probe.listen(port, '127.0.0.1', () => {
      const address = probe.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      probe.close(() => resolve(bound));
    });
  });
}

export async function freePort(): Promise<number> {
  const range = ephemeralPortRange();
  const below = range !== undefined && range[0] - LOWEST >= 1_000 ? range[0] : undefined;
  for (let attempt = 0; attempt < 200; attempt++) {
    const candidate = below === undefined ? 0 : LOWEST + Math.floor(Math.random() * (below - LOWEST));
    if (handedOut.has(candidate)) continue;
    const port = await bindable(candidate);
    if (port !== undefined && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free TCP port on 127.0.0.1');
}
