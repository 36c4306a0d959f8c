/**
 * Starts Latchkey (SQLite in a scratch directory) and every sample product on its own loopback port, seeded
 * and wired together. `main.ts` runs it for people; the replay and browser tests run it for themselves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../../packages/server/src/config/load-config.ts';
import { startServer } from '../../../packages/server/src/server.ts';
import type { RunningServer } from '../../../packages/server/src/server.ts';
import { seedDemo } from './seed.ts';
import type { DemoSeed, DemoUrls } from './seed.ts';
import { freePort } from './serve.ts';
import type { RunningProduct } from './serve.ts';
import { startMailApi } from './products/mail-api.ts';
import { startMailUi } from './products/mail-ui.ts';
import { startChat } from './products/chat.ts';
import { startSending } from './products/sending.ts';
import { startFlow } from './products/flow.ts';
import { startSpa } from './products/spa.ts';

export interface DemoOptions {
  /** Latchkey's port; the products take the following ones. 0 (the default) picks free ports. */
  readonly basePort?: number;
  readonly logLevel?: string;
  /** Overrides for the demo tenant's settings (the browser test shortens the access-token lifetime). */
  readonly accessTokenLifetime?: number;
  /** The SPA's early-refresh margin in seconds (default 30). */
  readonly spaRefreshBeforeSeconds?: number;
  /** Token requests one client may make per minute (Latchkey's default when absent). */
  readonly rateLimitPerClient?: number;
}

export interface Demo {
  readonly latchkey: RunningServer;
  readonly seed: DemoSeed;
  readonly urls: DemoUrls & { readonly latchkey: string };
  /** A flow product started without IdP configuration (seed 004's 503). */
  readonly flowUnconfigured: string;
  stop(): Promise<void>;
}

const PRODUCTS = ['mail', 'mailUi', 'chat', 'sending', 'flow', 'spa', 'flowUnconfigured'] as const;

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const ports: number[] = [];
  for (let i = 0; i <= PRODUCTS.length; i++) ports.push(options.basePort ? options.basePort + i : await freePort());
  const [latchkeyPort, ...productPorts] = ports as [number, ...number[]];
  const port = (name: (typeof PRODUCTS)[number]) => productPorts[PRODUCTS.indexOf(name)] as number;
  const urlOf = (name: (typeof PRODUCTS)[number]) => `http://127.0.0.1:${port(name)}`;
  const urls: DemoUrls = { mail: urlOf('mail'), mailUi: urlOf('mailUi'), chat: urlOf('chat'), sending: urlOf('sending'), flow: urlOf('flow'), spa: urlOf('spa') };

  const dir = mkdtempSync(join(tmpdir(), 'latchkey-demo-'));
  const latchkey = await startServer(
    loadConfig({
      HOST: '127.0.0.1',
      PORT: String(latchkeyPort),
      LATCHKEY_DATABASE_URL: `sqlite:${join(dir, 'latchkey.db')}`,
      LATCHKEY_DATA_DIR: dir,
      LATCHKEY_SECRET: randomBytes(32).toString('base64url'),
      LATCHKEY_LOG_LEVEL: options.logLevel ?? 'silent',
      ...(options.rateLimitPerClient === undefined ? {} : { LATCHKEY_RATE_LIMIT_PER_CLIENT: String(options.rateLimitPerClient) }),
    }),
  );
  const seed = await seedDemo(latchkey, urls, { accessTokenLifetime: options.accessTokenLifetime });
  const secret = () => randomBytes(32).toString('base64url');
  const products: RunningProduct[] = [];
  try {
    products.push(await startMailApi({ issuer: seed.issuer, audience: [seed.mailAudience, seed.seed000.clientId], port: port('mail'), introspectionClient: seed.agent }));
    products.push(await startMailUi({ issuer: seed.issuer, ...seed.mailUi, sessionSecret: secret(), port: port('mailUi') }));
    products.push(await startChat({ issuer: seed.issuer, ...seed.chat, port: port('chat') }));
    products.push(await startSending({ issuer: seed.issuer, ...seed.sending, stateSecret: secret(), port: port('sending') }));
    products.push(await startFlow({ issuer: seed.issuer, ...seed.flow, port: port('flow'), adminRoles: new Map([[seed.user.id, 'super_admin']]) }));
    products.push(await startSpa({ latchkeyUrl: latchkey.url, issuer: seed.issuer, clientId: seed.spaClientId, mailApiUrl: urls.mail, port: port('spa'), refreshBeforeSeconds: options.spaRefreshBeforeSeconds }));
    products.push(await startFlow({ port: port('flowUnconfigured'), adminRoles: new Map() }));
  } catch (error) {
    for (const product of products) await product.close();
    await latchkey.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    latchkey,
    seed,
    urls: { ...urls, latchkey: latchkey.url },
    flowUnconfigured: urlOf('flowUnconfigured'),
    async stop() {
      for (const product of products) await product.close();
      await latchkey.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
