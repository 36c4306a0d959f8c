/** Loopback HTTP servers for the demo products. */
import { createServer } from 'node:http';
import type { RequestListener } from 'node:http';
import { freePort } from '../../../packages/server/src/util/free-port.ts';

export interface RunningProduct {
  readonly url: string;
  close(): Promise<void>;
}

/** A free port on 127.0.0.1: every URL must be known before the clients that redirect to it are registered. */
export { freePort };

export async function listen(listener: RequestListener, port: number): Promise<RunningProduct> {
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
