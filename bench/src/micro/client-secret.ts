/**
 * What one client-secret check costs on the token endpoint's hot path (SHA-256 of the presented secret and a
 * constant-time compare), next to one argon2id password check at the configured cost, measured in one run.
 * `npm run bench:client-secret`
 */
import { performance } from 'node:perf_hooks';
import { generateOpaqueToken, hashSecret, secretMatchesHash } from '../../../packages/server/src/tokens/opaque.ts';
import { hashPassword, verifyPassword } from '../../../packages/server/src/directory/passwords.ts';

const SECRET_CHECKS = 200_000;
const PASSWORD_CHECKS = 20;

const secret = generateOpaqueToken(32);
const stored = hashSecret(secret);
for (let i = 0; i < 10_000; i++) secretMatchesHash(secret, stored); // warm-up
let start = performance.now();
let matches = 0;
for (let i = 0; i < SECRET_CHECKS; i++) if (secretMatchesHash(secret, stored)) matches++;
const secretMicros = ((performance.now() - start) * 1000) / SECRET_CHECKS;
if (matches !== SECRET_CHECKS) throw new Error('a secret check failed');

const passwordHash = await hashPassword('correct horse battery staple');
start = performance.now();
for (let i = 0; i < PASSWORD_CHECKS; i++) if (!(await verifyPassword('correct horse battery staple', passwordHash))) throw new Error('a password check failed');
const passwordMicros = ((performance.now() - start) * 1000) / PASSWORD_CHECKS;

console.log('| check | cost per check |');
console.log('|---|---|');
console.log(`| client secret (SHA-256 + timingSafeEqual) | ${secretMicros.toFixed(2)} µs |`);
console.log(`| password (argon2id, m=19456 KiB, t=2, p=1) | ${(passwordMicros / 1000).toFixed(1)} ms |`);
console.log(`| ratio | a password check costs ${Math.round(passwordMicros / secretMicros)}× a client-secret check |`);
