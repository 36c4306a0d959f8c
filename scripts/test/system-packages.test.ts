/**
 * `scripts/system-packages.sh`, which `npm test` runs first (pretest) and `.ci/run` runs too (issue 14.7: on a fresh
 * machine `npm test` failed eight tests deep because chromium and Apache with mod_auth_openidc were missing).
 * A machine without them is simulated by pointing the check at missing paths, and a non-root or apt-less machine by
 * a PATH whose `id`, `apt-get` and `sudo` are stand-ins. Nothing is installed: the stand-in apt-get only records that
 * it was called, and the tests assert it never is.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
const SCRIPT = join(REPO, 'scripts', 'system-packages.sh');

describe('scripts/system-packages.sh (the pretest check for chromium, Apache and mod_auth_openidc)', () => {
  let dir: string;
  let missing: Record<string, string>;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-system-packages-'));
    missing = {
      LATCHKEY_TEST_CHROMIUM: join(dir, 'missing', 'chromium'),
      LATCHKEY_TEST_APACHE: join(dir, 'missing', 'apache2'),
      LATCHKEY_TEST_MOD_AUTH_OPENIDC: join(dir, 'missing', 'mod_auth_openidc.so'),
    };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A bin directory with stand-ins: `id` answers `uid`; `apt-get` and `sudo` (when asked for) record their calls. */
  function fakeBin(name: string, options: { uid: number; aptGet: boolean; sudo: boolean }): { bin: string; calls: string } {
    const bin = join(dir, name);
    const calls = join(dir, `${name}.calls`);
    mkdirSync(bin);
    const tool = (tool: string, body: string) => {
      writeFileSync(join(bin, tool), `#!/bin/sh\n${body}\n`);
      chmodSync(join(bin, tool), 0o755);
    };
    tool('id', `echo ${options.uid}`);
    if (options.aptGet) tool('apt-get', `echo "apt-get $*" >> '${calls}'; exit 1`);
    if (options.sudo) tool('sudo', `echo "sudo $*" >> '${calls}'; exit 1`);
    return { bin, calls };
  }

  function check(env: Record<string, string>) {
    return spawnSync('/bin/bash', [SCRIPT], { env, encoding: 'utf8', timeout: 60_000 });
  }

  it('stops a non-root user, before installing anything, with the exact command to run', () => {
    const { bin, calls } = fakeBin('non-root', { uid: 1000, aptGet: true, sudo: true });
    const result = check({ PATH: bin, ...missing });
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      [
        'npm test needs Debian packages this machine lacks: chromium apache2 libapache2-mod-auth-openidc',
        `(browser tests run ${missing.LATCHKEY_TEST_CHROMIUM}; the interop suite runs ${missing.LATCHKEY_TEST_APACHE} with ${missing.LATCHKEY_TEST_MOD_AUTH_OPENIDC}).`,
        'Install them (as root, without starting apache2), then run npm test again:',
        '',
        `  sudo bash ${SCRIPT}`,
        '',
        '',
      ].join('\n'),
    );
    assert.equal(existsSync(calls), false, 'neither apt-get nor sudo was run');
  });

  it('names su when there is no sudo, and lists only what is missing', () => {
    const { bin, calls } = fakeBin('no-sudo', { uid: 1000, aptGet: true, sudo: false });
    const result = check({ PATH: bin, ...missing, LATCHKEY_TEST_CHROMIUM: process.execPath });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^npm test needs Debian packages this machine lacks: apache2 libapache2-mod-auth-openidc\n/);
    assert.ok(result.stderr.endsWith(`\n  su -c 'bash ${SCRIPT}'\n\n`), result.stderr);
    assert.equal(existsSync(calls), false);
  });

  it('stops root on a machine without apt-get with what to install', () => {
    const { bin } = fakeBin('no-apt', { uid: 0, aptGet: false, sudo: false });
    const result = check({ PATH: bin, ...missing, LATCHKEY_TEST_APACHE: process.execPath });
    assert.equal(result.status, 1);
    assert.equal(
      result.stderr,
      [
        'npm test needs Debian packages this machine lacks: chromium libapache2-mod-auth-openidc',
        `(browser tests run ${missing.LATCHKEY_TEST_CHROMIUM}; the interop suite runs ${process.execPath} with ${missing.LATCHKEY_TEST_MOD_AUTH_OPENIDC}).`,
        'This machine has no apt-get: install Chromium and Apache httpd with mod_auth_openidc at those paths, then run npm test again.',
        '',
      ].join('\n'),
    );
  });

  it('passes silently when everything is there, whoever runs it', () => {
    const module = join(dir, 'mod_auth_openidc.so');
    writeFileSync(module, '');
    const { bin, calls } = fakeBin('all-there', { uid: 0, aptGet: true, sudo: true });
    const result = check({ PATH: bin, LATCHKEY_TEST_CHROMIUM: process.execPath, LATCHKEY_TEST_APACHE: process.execPath, LATCHKEY_TEST_MOD_AUTH_OPENIDC: module });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout + result.stderr, '');
    assert.equal(existsSync(calls), false);
  });

  it('as root with apt-get, installs exactly what is missing while policy-rc.d refuses every service start', () => {
    const root = join(dir, 'installed');
    const paths = { LATCHKEY_TEST_CHROMIUM: join(root, 'chromium'), LATCHKEY_TEST_APACHE: join(root, 'apache2'), LATCHKEY_TEST_MOD_AUTH_OPENIDC: join(root, 'mod_auth_openidc.so') };
    const policy = join(dir, 'policy-rc.d');
    const { bin, calls } = fakeBin('root-apt', { uid: 0, aptGet: false, sudo: false });
    // The stand-in apt-get "installs" by creating the files, and records whether services were barred meanwhile.
    writeFileSync(
      join(bin, 'apt-get'),
      [
        '#!/bin/sh',
        `echo "apt-get $* frontend=$DEBIAN_FRONTEND policy=$(sh '${policy}'; echo $?)" >> '${calls}'`,
        `if [ "$1" = install ]; then mkdir -p '${root}' && printf '#!/bin/sh\n' > '${paths.LATCHKEY_TEST_CHROMIUM}' && cp '${paths.LATCHKEY_TEST_CHROMIUM}' '${paths.LATCHKEY_TEST_APACHE}' && chmod +x '${paths.LATCHKEY_TEST_CHROMIUM}' '${paths.LATCHKEY_TEST_APACHE}' && touch '${paths.LATCHKEY_TEST_MOD_AUTH_OPENIDC}'; fi`,
        '',
      ].join('\n'),
    );
    chmodSync(join(bin, 'apt-get'), 0o755);
    const result = check({ PATH: `${bin}:/usr/bin:/bin`, ...paths, LATCHKEY_TEST_POLICY_RC_D: policy });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.split('\n')[0], 'installing the Debian packages the tests need: chromium apache2 libapache2-mod-auth-openidc');
    assert.deepEqual(readFileSync(calls, 'utf8').trim().split('\n'), [
      'apt-get update -q frontend=noninteractive policy=101',
      'apt-get install -y -q --no-install-recommends chromium apache2 libapache2-mod-auth-openidc frontend=noninteractive policy=101',
    ]);
    assert.equal(existsSync(policy), false, 'policy-rc.d is removed afterwards');
    // Installed now: the next run passes silently without calling apt-get.
    const again = check({ PATH: `${bin}:/usr/bin:/bin`, ...paths, LATCHKEY_TEST_POLICY_RC_D: policy });
    assert.equal(again.status, 0);
    assert.equal(again.stdout + again.stderr, '');
    assert.equal(readFileSync(calls, 'utf8').trim().split('\n').length, 2);
  });

  it('as root, fails clearly when apt-get did not bring what was missing, and removes policy-rc.d', () => {
    const policy = join(dir, 'policy-rc.d-failed');
    const { bin, calls } = fakeBin('root-apt-nothing', { uid: 0, aptGet: false, sudo: false });
    writeFileSync(join(bin, 'apt-get'), `#!/bin/sh\necho "apt-get $*" >> '${calls}'\n`);
    chmodSync(join(bin, 'apt-get'), 0o755);
    const result = check({ PATH: `${bin}:/usr/bin:/bin`, ...missing, LATCHKEY_TEST_POLICY_RC_D: policy });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^installed, but still missing: chromium apache2 libapache2-mod-auth-openidc \(looked at /);
    assert.equal(existsSync(policy), false);
  });

  it('is what `npm test` runs first: it stops there, and the type check and the tests never start', () => {
    // The repository's own test scripts, in a copy of the package whose type check would fail at once if it ever
    // started (no node_modules), so a check that wrongly passed cannot start the whole suite from inside a test.
    const scripts = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    assert.equal(scripts.pretest, 'bash scripts/system-packages.sh');
    const project = join(dir, 'fresh-clone');
    mkdirSync(project);
    symlinkSync(join(REPO, 'scripts'), join(project, 'scripts'));
    const pick = ['pretest', 'test', 'typecheck', 'test:unit'];
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'fresh-clone', private: true, scripts: Object.fromEntries(pick.map((name) => [name, scripts[name]])) }));
    const { bin, calls } = fakeBin('npm-non-root', { uid: 1000, aptGet: true, sudo: true });
    const result = spawnSync('npm', ['test'], { cwd: project, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ...missing }, encoding: 'utf8', timeout: 120_000 });
    assert.notEqual(result.status, 0);
    assert.ok(result.stderr.includes(`npm test needs Debian packages this machine lacks: chromium apache2 libapache2-mod-auth-openidc\n`), result.stderr);
    assert.ok(result.stderr.includes(`\n  sudo bash ${join(project, 'scripts', 'system-packages.sh')}\n`), result.stderr);
    assert.doesNotMatch(result.stdout + result.stderr, /typecheck|tsc --noEmit|run-tests/);
    assert.equal(existsSync(calls), false);
  });
});
