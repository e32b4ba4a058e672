// P-256 key agreement of the app channel (SPEC §6): a fresh ACS ephemeral key per transaction, and
// ECDH between it and the SDK's ephemeral public key, followed by the EMV Concat KDF.
import crypto, { type KeyObject } from 'node:crypto';
import { deriveEmvKey } from './concat-kdf.js';
import { InvalidKeyError } from './crypto-errors.js';
import type { EcPrivateJwk, EcPublicJwk, EphemeralKey } from './crypto-types.js';

const B64_RE = /^[A-Za-z0-9_\-+/]+={0,2}$/;

function toEphemeralKey(privateKey: KeyObject): EphemeralKey {
  const jwk = privateKey.export({ format: 'jwk' }) as { x: string; y: string; d: string };
  const publicJwk: EcPublicJwk = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
  return { publicJwk, privateJwk: { ...publicJwk, d: jwk.d } };
}

/** A new ephemeral key, generated on the libuv thread pool so the event loop keeps serving. */
export function generateEphemeralKey(): Promise<EphemeralKey> {
  return new Promise((resolve, reject) => {
    crypto.generateKeyPair('ec', { namedCurve: 'P-256' }, (err, _pub, privateKey) => {
      if (err) reject(err);
      else resolve(toEphemeralKey(privateKey));
    });
  });
}

/** The same, blocking (~40 µs): for pool threads, where blocking is the point. */
export function generateEphemeralKeySync(): EphemeralKey {
  return toEphemeralKey(crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
}

/**
 * One coordinate as 32 bytes. JWK wants full-length base64url; some SDKs strip a leading zero
 * (31 bytes) or keep a sign octet (33 bytes, Java BigInteger), so both are normalized.
 */
function coordinate(v: unknown, name: string, field: string): Buffer {
  if (typeof v !== 'string' || v.length === 0 || !B64_RE.test(v)) throw new InvalidKeyError(`${field}.${name} is not base64url`, field);
  let b = Buffer.from(v, 'base64url');
  if (b.length === 33 && b[0] === 0) b = b.subarray(1);
  if (b.length === 0 || b.length > 32) throw new InvalidKeyError(`${field}.${name} is not a P-256 coordinate`, field);
  return b.length === 32 ? b : Buffer.concat([Buffer.alloc(32 - b.length), b]);
}

/**
 * Validates an SDK ephemeral public key: an EC JWK on P-256 whose point lies on the curve. Anything
 * else is the client's error (InvalidKeyError, Erro 203), never a crash.
 */
export function importSdkPublicKey(jwk: unknown, field = 'sdkEphemPubKey'): { jwk: EcPublicJwk; key: KeyObject } {
  if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) throw new InvalidKeyError(`${field} is not a JWK object`, field);
  const j = jwk as Record<string, unknown>;
  if (typeof j.kty !== 'string' || j.kty.toUpperCase() !== 'EC') throw new InvalidKeyError(`${field}.kty must be EC`, field);
  if (typeof j.crv !== 'string' || j.crv.toUpperCase() !== 'P-256') throw new InvalidKeyError(`${field}.crv must be P-256`, field);
  const canonical: EcPublicJwk = {
    kty: 'EC',
    crv: 'P-256',
    x: coordinate(j.x, 'x', field).toString('base64url'),
    y: coordinate(j.y, 'y', field).toString('base64url'),
  };
  let key: KeyObject;
  try {
    // OpenSSL refuses a point that is not on the curve (and the point at infinity) here.
    key = crypto.createPublicKey({ key: { ...canonical }, format: 'jwk' });
  } catch {
    throw new InvalidKeyError(`${field} is not a point on P-256`, field);
  }
  return { jwk: canonical, key };
}

/** The ACS private key kept in the transaction record. */
function importAcsPrivateKey(jwk: EcPrivateJwk): KeyObject {
  return crypto.createPrivateKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, d: jwk.d }, format: 'jwk' });
}

/** The raw ECDH shared secret Z (32 bytes). */
function ecdhSharedSecret(acsPrivJwk: EcPrivateJwk, sdkPubJwk: unknown): Buffer {
  const { key } = importSdkPublicKey(sdkPubJwk);
  return crypto.diffieHellman({ privateKey: importAcsPrivateKey(acsPrivJwk), publicKey: key });
}

/** The 32-byte session key of the challenge conversation (ECDH, then the EMV Concat KDF). */
export function deriveSessionKey(acsPrivJwk: EcPrivateJwk, sdkPubJwk: unknown, sdkReferenceNumber: string): Buffer {
  return deriveEmvKey(ecdhSharedSecret(acsPrivJwk, sdkPubJwk), sdkReferenceNumber);
}
