/**
 * TOTP (RFC 6238) through `otpauth`, the one module that imports it: 6 digits, 30-second steps, HMAC-SHA-1 (what
 * every authenticator app speaks), ±1 step of clock drift (§5.2), and each step accepted once (replay refused by
 * a conditional update of the factor's last step). The QR code is drawn server-side as SVG (`qrcode`).
 */
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

const PERIOD = 30;
const DIGITS = 6;
const WINDOW = 1;

export interface TotpAccount {
  /** Shown in the app: the tenant's name. */
  readonly issuer: string;
  /** Shown in the app: the user's email or username. */
  readonly label: string;
}

function totpOf(secret: string, account: TotpAccount): TOTP {
  return new TOTP({ issuer: account.issuer, label: account.label, algorithm: 'SHA1', digits: DIGITS, period: PERIOD, secret: Secret.fromBase32(secret) });
}

/** A new 160-bit secret (RFC 4226 §4 recommends 160 bits), base32. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The `otpauth://` URI an app scans. */
export function totpUri(secret: string, account: TotpAccount): string {
  return totpOf(secret, account).toString();
}

export async function totpQrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** The time step a code belongs to, or undefined when it is wrong (outside ±1 step of `now`). */
export function matchTotp(secret: string, code: string, now: number): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const delta = totpOf(secret, { issuer: '', label: '' }).validate({ token: code, timestamp: now, window: WINDOW });
  if (delta === null) return undefined;
  return Math.floor(now / 1000 / PERIOD) + delta;
}

/** Reads what a person typed: spaces and dashes ignored ("123 456"). */
export function normalizeTotpCode(typed: string): string {
  return typed.replace(/[\s-]/g, '');
}
