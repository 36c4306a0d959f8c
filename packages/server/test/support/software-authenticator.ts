/**
 * A software WebAuthn authenticator for hardening tests: an ES256 key pair that answers registration and
 * assertion ceremonies exactly as the spec lays the bytes out (WebAuthn L3 §6.1 authenticator data, §6.5
 * attestation object with fmt "none"), so a test can send valid responses and then break one thing at a time.
 * CBOR is encoded by @simplewebauthn/server's own helper; nothing is parsed here.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

const b64url = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64url');

export interface CeremonyOptions {
  readonly challenge: string;
  readonly origin: string;
  readonly rpId: string;
  /** Break one thing: a different RP ID hash, a flipped signature byte. */
  readonly rpIdHashOf?: string;
  readonly tamperSignature?: boolean;
  readonly credentialId?: string;
}

export class SoftwareAuthenticator {
  readonly credentialId: Buffer;
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  #counter = 0;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
    this.credentialId = createHash('sha256').update(String(Math.random())).digest().subarray(0, 16);
  }

  /** The COSE_Key (RFC 9053 §7.1) of the public key, as stored by the server (base64url). */
  cosePublicKey(): Uint8Array {
    const jwk = this.#publicKey.export({ format: 'jwk' });
    const key = new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
      [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
    ]);
    return isoCBOR.encode(key);
  }

  #authenticatorData(options: CeremonyOptions, attested?: Uint8Array): Buffer {
    const rpIdHash = createHash('sha256').update(options.rpIdHashOf ?? options.rpId).digest();
    const flags = 0x01 | 0x04 | (attested ? 0x40 : 0);
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(++this.#counter);
    return Buffer.concat([rpIdHash, Buffer.from([flags]), counter, ...(attested ? [Buffer.from(attested)] : [])]);
  }

  #clientData(type: string, options: CeremonyOptions): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge: options.challenge, origin: options.origin, crossOrigin: false }));
  }

  /** A registration response (attestation "none"). */
  register(options: CeremonyOptions): Record<string, unknown> {
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, Buffer.from(this.cosePublicKey())]);
    const authData = this.#authenticatorData(options, attested);
    const attestationObject = isoCBOR.encode(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', new Uint8Array(authData)]]) as never);
    const id = options.credentialId ?? b64url(this.credentialId);
    return { id, rawId: id, type: 'public-key', response: { clientDataJSON: b64url(this.#clientData('webauthn.create', options)), attestationObject: b64url(attestationObject), transports: ['internal'] }, clientExtensionResults: {} };
  }

  /** An assertion response signed over authenticatorData ‖ SHA-256(clientDataJSON) (WebAuthn L3 §6.3.3). */
  assert(options: CeremonyOptions): Record<string, unknown> {
    const authData = this.#authenticatorData(options);
    const clientData = this.#clientData('webauthn.get', options);
    const signature = sign('sha256', Buffer.concat([authData, createHash('sha256').update(clientData).digest()]), this.#privateKey);
    if (options.tamperSignature) signature[signature.length - 1]! ^= 0x01;
    const id = options.credentialId ?? b64url(this.credentialId);
    return { id, rawId: id, type: 'public-key', response: { clientDataJSON: b64url(clientData), authenticatorData: b64url(authData), signature: b64url(signature) }, clientExtensionResults: {} };
  }
}
