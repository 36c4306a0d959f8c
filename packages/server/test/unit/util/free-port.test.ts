import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { ephemeralPortRange, freePort } from '../../../src/util/free-port.ts';

describe('freePort', () => {
  it('hands out distinct ports that a server can then bind on 127.0.0.1', async () => {
    const ports = await Promise.all(Array.from({ length: 40 }, () => freePort()));
    assert.equal(new Set(ports).size, ports.length);
    for (const port of ports.slice(0, 5)) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
      await new Promise((resolve) => server.close(resolve));
    }
  });

  // Regression (CI, 2026-12-01): a port found with listen(0) lies in the ephemeral range, where another process's
  // outgoing connection took it before the demo's server bound it (EADDRINUSE).
  it('picks ports below the kernel ephemeral range, which outgoing connections never use', async () => {
    const range = ephemeralPortRange();
    assert.ok(range !== undefined, 'the test machines are Linux: /proc/sys/net/ipv4/ip_local_port_range is readable');
    for (let i = 0; i < 40; i++) {
      const port = await freePort();
      assert.ok(port >= 10_000 && port < range[0], `port ${port} is outside [10000, ${range[0]})`);
    }
  });
});
