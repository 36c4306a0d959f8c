/**
 * A TCP proxy of the test's own (node:net) between Latchkey and PostgreSQL, to take the database away and give
 * it back without touching the real server:
 * - `cut('refuse')`: every connection is reset and new ones are closed at once (the server is down);
 * - `cut('blackhole')`: nothing passes any more, in either direction, and nothing is closed (a network
 *   partition or a dropped firewall state). Connections blackholed stay dead even after `restore()`, as
 *   they would behind a NAT that forgot them; only new connections work again.
 */
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

type Mode = 'open' | 'refuse' | 'blackhole';

export class TcpProxy {
  readonly #server: Server;
  readonly #pairs = new Set<[Socket, Socket]>();
  readonly #held = new Set<Socket>();
  #mode: Mode = 'open';
  port = 0;

  constructor(targetHost: string, targetPort: number) {
    this.#server = createServer((client) => {
      client.on('error', () => {});
      if (this.#mode === 'refuse') return void client.destroy();
      if (this.#mode === 'blackhole') {
        this.#held.add(client);
        client.pause();
        return;
      }
      const upstream = connect(targetPort, targetHost);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      const pair: [Socket, Socket] = [client, upstream];
      this.#pairs.add(pair);
      const forget = () => this.#pairs.delete(pair);
      client.on('close', forget);
      upstream.on('close', forget);
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this.port;
  }

  cut(mode: 'refuse' | 'blackhole'): void {
    this.#mode = mode;
    for (const [client, upstream] of this.#pairs) {
      if (mode === 'refuse') {
        client.destroy();
        upstream.destroy();
      } else {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    }
  }

  restore(): void {
    this.#mode = 'open';
  }

  async close(): Promise<void> {
    for (const [client, upstream] of this.#pairs) {
      client.destroy();
      upstream.destroy();
    }
    for (const socket of this.#held) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
