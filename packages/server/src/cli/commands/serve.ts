import { handleShutdownSignals, startServer } from '../../server.ts';
import { parseCommandArgs } from '../command.ts';
import type { Command } from '../command.ts';

export const serveCommand: Command = {
  name: 'serve',
  usage: 'latchkey serve',
  summary: 'Run the identity provider (HOST, PORT, LATCHKEY_BASE_URL, LATCHKEY_DATABASE_URL, …)',
  async run(argv, { config }) {
    parseCommandArgs(argv, {});
    const server = await startServer(config);
    handleShutdownSignals(server, config.shutdownTimeout);
    server.ctx.logger.info({ url: server.url, base_url: config.baseUrl }, 'latchkey is serving');
  },
};
