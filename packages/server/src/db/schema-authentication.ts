/**
 * Tables of strong sign-in (migration 0005). A TOTP secret is stored only sealed (AES-256-GCM under a key
 * derived from LATCHKEY_SECRET, like signing keys); recovery codes only as SHA-256 hashes; a passkey only as its
 * public key. Nothing here can sign a user in when read from a backup without the master secret.
 */

export type FactorType = 'totp' | 'passkey';

export interface UserFactorsTable {
  id: string;
  tenant_id: string;
  user_id: string;
  type: FactorType;
  /** The user's name for it ("Phone", "YubiKey"). */
  name: string;
  /** TOTP: the secret (base32), sealed as a compact JWE. */
  secret_sealed: string | null;
  /** TOTP: the last time step accepted (RFC 6238 §5.2: a code is accepted once). */
  last_step: number | null;
  /** Passkey: the credential id (base64url). */
  credential_id: string | null;
  /** Passkey: the COSE public key (base64url). */
  public_key: string | null;
  sign_count: number | null;
  /** Passkey: JSON list of transports the authenticator reported. */
  transports: string | null;
  /** Passkey: `singleDevice` (hardware-bound) or `multiDevice` (synced). */
  device_type: string | null;
  backed_up: number | null;
  created_at: number;
  /** TOTP: set once a valid code confirmed the enrolment; an unconfirmed factor is never accepted. */
  confirmed_at: number | null;
  last_used_at: number | null;
}

export interface RecoveryCodesTable {
  code_hash: string;
  tenant_id: string;
  user_id: string;
  created_at: number;
  used_at: number | null;
}

export interface WebAuthnChallengesTable {
  id: string;
  tenant_id: string;
  /** Set for registration and second-factor assertions; null for a discoverable (passkey-first) sign-in. */
  user_id: string | null;
  purpose: 'register' | 'authenticate';
  challenge: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface AuthenticationTables {
  user_factors: UserFactorsTable;
  recovery_codes: RecoveryCodesTable;
  webauthn_challenges: WebAuthnChallengesTable;
}
