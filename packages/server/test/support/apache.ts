/**
 * Runs Debian's Apache httpd with mod_auth_openidc as an independent OpenID Connect relying party for interop
 * tests: a private httpd.conf listening on 127.0.0.1, one protected location, started in the foreground and
 * stopped with the test. `apacheAvailable()` says whether the packages are installed (`.ci/run` installs them).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const APACHE = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';

export function apacheAvailable(): boolean {
  return existsSync(APACHE) && existsSync(join(MODULES, 'mod_auth_openidc.so'));
}

export interface ApacheOptions {
  readonly port: number;
  readonly discoveryUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Where mod_auth_openidc receives the authorization response; must be registered with the client. */
  readonly redirectUri: string;
  readonly scope?: string;
}

export interface RunningApache {
  readonly url: string;
  readonly protectedUrl: string;
  errorLog(): string;
  stop(): Promise<void>;
}

export function apacheConfig(dir: string, options: ApacheOptions): string {
  return `
ServerRoot "${dir}"
ServerName 127.0.0.1
Listen 127.0.0.1:${options.port}
PidFile "${dir}/httpd.pid"
DefaultRuntimeDir "${dir}"
Mutex file:${dir} default
ErrorLog "${dir}/error.log"
LogLevel warn auth_openidc:info
User www-data
Group www-data
LoadModule mpm_event_module ${MODULES}/mod_mpm_event.so
LoadModule authn_core_module ${MODULES}/mod_authn_core.so
LoadModule authz_core_module ${MODULES}/mod_authz_core.so
LoadModule authz_user_module ${MODULES}/mod_authz_user.so
LoadModule mime_module ${MODULES}/mod_mime.so
LoadModule dir_module ${MODULES}/mod_dir.so
LoadModule auth_openidc_module ${MODULES}/mod_auth_openidc.so
TypesConfig /etc/mime.types
DocumentRoot "${dir}/htdocs"
DirectoryIndex index.html
<Directory "${dir}/htdocs">
  Require all granted
</Directory>

OIDCProviderMetadataURL ${options.discoveryUrl}
OIDCClientID ${options.clientId}
OIDCClientSecret ${options.clientSecret}
OIDCRedirectURI ${options.redirectUri}
OIDCCryptoPassphrase ${randomBytes(24).toString('hex')}
OIDCScope "${options.scope ?? 'openid email profile'}"
OIDCPKCEMethod S256
OIDCProviderTokenEndpointAuth client_secret_basic
OIDCRemoteUserClaim sub
OIDCSessionType server-cache
OIDCCacheType shm

<Location /protected>
  AuthType openid-connect
  Require valid-user
</Location>
`;
}

export async function startApache(options: ApacheOptions): Promise<RunningApache> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-apache-'));
  mkdirSync(join(dir, 'htdocs', 'protected'), { recursive: true });
  writeFileSync(join(dir, 'htdocs', 'index.html'), '<!doctype html><title>public</title><p>public page</p>');
  writeFileSync(join(dir, 'htdocs', 'protected', 'index.html'), '<!doctype html><title>protected</title><p id="secret">protected page behind Latchkey</p>');
  writeFileSync(join(dir, 'httpd.conf'), apacheConfig(dir, options));
  // Worker processes run as www-data and must read the document root.
  chmodSync(dir, 0o755);
  const child: ChildProcess = spawn(APACHE, ['-f', join(dir, 'httpd.conf'), '-DFOREGROUND'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${options.port}`;
  const readLog = () => {
    try {
      return `${stderr}\n${readFileSync(join(dir, 'error.log'), 'utf8')}`;
    } catch {
      return stderr;
    }
  };
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`apache exited with ${child.exitCode}: ${stderr}`);
    const up = await fetch(`${url}/`).then((r) => r.ok, () => false);
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    protectedUrl: `${url}/protected/`,
    errorLog: readLog,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
