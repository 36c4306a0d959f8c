/**
 * `npm run demo`: Latchkey plus the sample products on loopback ports, seeded, with the URLs, credentials and
 * per-seed commands to try by hand (`printout.ts`). Ctrl-C stops everything.
 */
import { demoPrintout } from './printout.ts';
import { startDemo } from './start-demo.ts';

const basePort = Number(process.env.DEMO_BASE_PORT ?? 4000);
const demo = await startDemo({ basePort, logLevel: process.env.LATCHKEY_LOG_LEVEL ?? 'warn' });
console.log(demoPrintout(demo));

const stop = () => {
  demo.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
