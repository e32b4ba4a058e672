// ECI and authentication value per card scheme (SPEC §3.2). The value is 20 bytes, base64 (28
// characters): an HMAC-SHA256 of the transaction ID under protocol.authValueSecret, truncated, so it
// differs per transaction and anyone holding the secret can reproduce it. Mastercard values carry the
// SPA2 lead characters: "kA" frictionless, "kB" after a challenge.
import { createHmac } from 'node:crypto';

const MASTERCARD = new Set(['mastercard', 'mc', 'maestro']);

function isMastercard(scheme: string | undefined): boolean {
  return scheme !== undefined && MASTERCARD.has(scheme.toLowerCase());
}

/** ECI for a final status; undefined for statuses that have none yet (C, D). */
export function eciFor(scheme: string | undefined, transStatus: string): string | undefined {
  const mc = isMastercard(scheme);
  switch (transStatus) {
    case 'Y':
      return mc ? '02' : '05';
    case 'A':
      return mc ? '01' : '06';
    case 'N':
    case 'R':
    case 'U':
    case 'I':
      return mc ? '00' : '07';
    default:
      return undefined;
  }
}

/** True for statuses that carry an authentication value. */
export function hasAuthValue(transStatus: string): boolean {
  return transStatus === 'Y' || transStatus === 'A';
}

export function authenticationValue(opts: {
  secret: string;
  transactionId: string;
  scheme: string | undefined;
  challenged: boolean;
}): string {
  const bytes = createHmac('sha256', opts.secret).update(opts.transactionId).digest().subarray(0, 20);
  if (isMastercard(opts.scheme)) {
    // base64 "k" is 100100 and "A"/"B" are 000000/000001: byte 0 = 0x90, high nibble of byte 1 = 0 or 1.
    bytes[0] = 0x90;
    bytes[1] = ((bytes[1] as number) & 0x0f) | (opts.challenged ? 0x10 : 0x00);
  }
  return bytes.toString('base64');
}
