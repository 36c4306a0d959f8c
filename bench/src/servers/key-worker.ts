/**
 * A worker thread of the tenant fleet's seeding (`tenant-fleet.ts`): generates `count` signing keys of `alg`
 * and seals each private key under the master secret, exactly as `latchkey serve` stores them. (WebCrypto
 * generates on libuv's pool, not this thread: `generateKeys` reads the CPU time of the whole process.)
 */
import { parentPort, workerData } from 'node:worker_threads';
import { generateSigningKeyPair, SecretBox } from '../../../packages/server/src/tokens/jose.ts';
import type { SigningAlgorithm } from '../../../packages/server/src/tokens/jose.ts';
import { newId } from '../../../packages/server/src/util/ids.ts';

export interface KeyJob {
  readonly alg: SigningAlgorithm;
  readonly count: number;
  readonly masterSecret: string;
}

export interface GeneratedKey {
  readonly kid: string;
  readonly public_jwk: string;
  readonly private_jwe: string;
}

export interface KeyBatch {
  readonly keys: GeneratedKey[];
}

const job = workerData as KeyJob;
const box = new SecretBox(job.masterSecret, 'signing-keys');
const keys: GeneratedKey[] = [];
for (let i = 0; i < job.count; i += 1) {
  const kid = newId('key');
  const { publicJwk, privateJwk } = await generateSigningKeyPair(job.alg, kid);
  keys.push({ kid, public_jwk: JSON.stringify(publicJwk), private_jwe: await box.seal(JSON.stringify(privateJwk)) });
}
parentPort!.postMessage({ keys } satisfies KeyBatch);
