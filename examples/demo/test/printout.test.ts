/**
 * Replays what `npm run demo` prints (issue 14.8: the printed seed-000 commands used a client whose tokens carry the
 * mail API's URL as `aud`, so seed 000's own check, aud = client_id, failed). Every "Try seed NNN" block is run as
 * printed, line by line in one bash (curl and node), against the running demo, and each answers as its seed says.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import { startDemo } from '../src/start-demo.ts';
import type { Demo } from '../src/start-demo.ts';
import { demoPrintout } from '../src/printout.ts';
import { followSignIn } from './support/hosted-login.ts';
import type { Json } from './support/idp.ts';

const run = promisify(execFile);

interface Block {
  readonly title: string;
  readonly lines: string[];
}

/** The commands printed under "Try seed NNN (…):", without their two-space indent. */
function block(printout: string, seed: string): Block {
  const match = new RegExp(`^Try seed ${seed} ([^\\n]*)\\n((?:  [^\\n]*\\n)+)`, 'm').exec(printout);
  assert.ok(match, `the printout has a "Try seed ${seed}" block`);
  return { title: match[1] as string, lines: (match[2] as string).trimEnd().split('\n').map((line) => line.slice(2)) };
}

/** Runs the lines in one bash (they share variables) and returns what each line printed. */
async function replay(lines: readonly string[]): Promise<string[]> {
  const script = ['set -euo pipefail', ...lines.flatMap((line, index) => [`printf '\\n::line %d\\n' ${index}`, line])].join('\n');
  const { stdout } = await run('bash', ['-c', script], { timeout: 60_000 });
  return stdout.split(/\n::line \d+\n/).slice(1);
}

const json = (text: string | undefined) => JSON.parse(text ?? '') as Json;

describe('the demo printout, replayed', () => {
  let demo: Demo;
  let printout: string;
  before(async () => {
    demo = await startDemo();
    printout = demoPrintout(demo);
  });
  after(() => demo.stop());

  it('labels both seed 000 clients, a user outside mail-users, both API keys, and quotes the passwords', () => {
    const { seed } = demo;
    const line = (label: string) => printout.split('\n').find((l) => l.trimStart().startsWith(label)) ?? '';
    assert.match(line('seed 000 client'), new RegExp(`${seed.seed000.clientId} / ${seed.seed000.clientSecret} +\\(default audience: aud = its client_id`));
    assert.match(line('agent client'), new RegExp(`${seed.agent.clientId} / .*\\(audience-bound: aud = ${seed.mailAudience}\\)`));
    assert.match(line('user outside mail-users'), /grace@demo\.example \/ 'grace hopper ships compilers'/);
    assert.match(line('user '), /ada@demo\.example \/ 'correct horse battery staple'/);
    assert.match(line('API key (Ada, test)'), /sg_test_/);
    assert.match(line('partner app (seed 002)'), new RegExp(`${seed.partnerApp.clientId} / ${seed.partnerApp.clientSecret} +\\(may ask for profile organization`));
    assert.ok(printout.includes(demo.flowUnconfigured));
  });

  it('seed 000: a token whose aud is the client_id works at the mail API; a user outside mail-users gets 403', async () => {
    const { lines } = block(printout, '000');
    const out = await replay(lines);
    assert.equal(out[1]?.trim(), demo.seed.seed000.clientId, 'aud = client_id');
    assert.equal(json(out[2]).kind, 'service');
    assert.deepEqual(json(out[2]).groups, ['mail-users']);
    assert.ok(Array.isArray(json(out[3]).data), out[3]);
    assert.match(out[5] ?? '', /^HTTP\/1\.1 403 /);
    assert.match(out[5] ?? '', /^www-authenticate: Bearer.*error="insufficient_scope"/im);
  });

  it('seed 001: the password grant answers on the demo tenant and is refused on the tenant with the default', async () => {
    const { title, lines } = block(printout, '001');
    assert.match(title, new RegExp(`on for tenant ${demo.seed.slug}, off by default, as on tenant ${demo.seed.defaultTenant.slug}`));
    const out = await replay(lines);
    const { data } = json(out[0]);
    assert.equal(typeof data.access_token, 'string');
    assert.equal(typeof data.refresh_token, 'string');
    assert.equal(json(out[1]).error, 'unauthorized_client');
    assert.match(String(json(out[1]).error_description), /password grant is disabled for this tenant/);
    // What each tenant publishes agrees with the printout.
    const grants = async (issuer: string) => ((await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { grant_types_supported: string[] }).grant_types_supported;
    assert.ok((await grants(demo.seed.issuer)).includes('password'));
    assert.ok(!(await grants(demo.seed.defaultTenant.issuer)).includes('password'));
  });

  it('seed 002: the printed authorization URL (profile organization, state) and the JSON code exchange', async () => {
    const { title, lines } = block(printout, '002');
    const url = new URL((lines[0] ?? '').replace(/^# /, ''));
    assert.equal(url.searchParams.get('scope'), 'profile organization');
    assert.equal(url.searchParams.get('client_id'), demo.seed.partnerApp.clientId);
    const redirect = await followSignIn(url.href, demo.seed.partnerApp.redirectUri, demo.seed.user.email, demo.seed.user.password);
    const state = /check state=(\S+) on the redirect/.exec(title)?.[1];
    assert.equal(redirect.searchParams.get('state'), state);
    const code = redirect.searchParams.get('code') ?? '';
    assert.equal(lines[1], 'CODE=the-code-from-the-redirect');
    const out = await replay([`CODE=${code}`, ...lines.slice(2)]);
    const tokens = json(out[1]);
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(typeof tokens.refresh_token, 'string');
    assert.deepEqual(String(decodeJwt(String(tokens.access_token)).scope).split(' ').sort(), ['organization', 'profile']);
  });

  it('seed 003: the sg_test_ key is recognised by its prefix at me and at the permission-guarded call', async () => {
    const out = await replay(block(printout, '003').lines);
    assert.ok(demo.seed.testApiKey.startsWith('sg_test_'));
    const me = json(out[0]).data;
    assert.equal(me.id, demo.seed.user.id);
    assert.deepEqual(me.permissions, ['mail.send']);
    assert.equal(json(out[1]).data.via, 'api_key');
  });

  it('seed 004: the unconfigured flow editor answers 503', async () => {
    const out = await replay(block(printout, '004').lines);
    assert.match(out[0] ?? '', /^HTTP\/1\.1 503 /);
  });
});
