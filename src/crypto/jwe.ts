// CReq/CRes encryption of the app channel (SPEC §6): compact JWE, `alg: "dir"` with the session key.
// A128CBC-HS256 uses all 32 bytes both ways; A128GCM uses bytes 0-15 for SDK->ACS (CReq) and bytes
// 16-31 for ACS->SDK (CRes), as the EMV SDK specification (and every SDK) does.
import { CompactEncrypt, compactDecrypt } from 'jose';
import { DecryptionError, MalformedPayloadError } from './crypto-errors.js';
import { CONTENT_ENCS, type ContentEnc, type DecryptedMessage, type JweHeader } from './crypto-types.js';

export type Direction = 'sdk-to-acs' | 'acs-to-sdk';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

export function isContentEnc(v: unknown): v is ContentEnc {
  return typeof v === 'string' && (CONTENT_ENCS as readonly string[]).includes(v);
}

/** The content key for one direction, cut from the 32-byte session key. */
export function contentKey(sessionKey: Uint8Array, enc: ContentEnc, direction: Direction): Uint8Array {
  if (sessionKey.length !== 32) throw new TypeError(`session key must be 32 bytes, got ${sessionKey.length}`);
  if (enc === 'A128CBC-HS256') return sessionKey;
  return direction === 'sdk-to-acs' ? sessionKey.subarray(0, 16) : sessionKey.subarray(16, 32);
}

/**
 * The protected header of a compact JWE without decrypting it: how the ACS learns `kid` (the
 * acsTransID) and `enc` before it has a key. Anything that is not a 5-part JWE is a DecryptionError.
 */
export function readJweHeader(compact: string): JweHeader {
  if (typeof compact !== 'string') throw new DecryptionError('JWE must be a string');
  const text = compact.trim();
  const dot = text.indexOf('.');
  if (dot <= 0 || text.split('.').length !== 5) throw new DecryptionError('not a compact JWE (5 parts expected)');
  let header: unknown;
  try {
    header = JSON.parse(utf8.decode(Buffer.from(text.slice(0, dot), 'base64url')));
  } catch {
    throw new DecryptionError('JWE protected header is not base64url JSON');
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new DecryptionError('JWE protected header is not an object');
  const h = header as JweHeader;
  if (typeof h.alg !== 'string' || typeof h.enc !== 'string') throw new DecryptionError('JWE header lacks alg or enc');
  if (h.kid !== undefined && typeof h.kid !== 'string') throw new DecryptionError('JWE header kid is not a string');
  return h;
}

/**
 * Decrypts a CReq (SDK->ACS). The header must say `dir` and the expected `enc`; a wrong key, a
 * tampered part or another algorithm is a DecryptionError (Erro 302). A plaintext that is not a JSON
 * object is a MalformedPayloadError.
 */
export async function decryptCReq(compact: string, sessionKey: Uint8Array, enc: ContentEnc): Promise<DecryptedMessage> {
  return decryptMessage(compact, sessionKey, enc, 'sdk-to-acs');
}

/** Decrypts a message of either direction (the SDK side uses acs-to-sdk). */
async function decryptMessage(compact: string, sessionKey: Uint8Array, enc: ContentEnc, direction: Direction): Promise<DecryptedMessage> {
  const header = readJweHeader(compact);
  if (header.alg !== 'dir') throw new DecryptionError(`JWE alg must be dir, got ${header.alg}`);
  if (header.enc !== enc) throw new DecryptionError(`JWE enc must be ${enc}, got ${header.enc}`);
  let plaintext: Uint8Array;
  try {
    ({ plaintext } = await compactDecrypt(compact.trim(), contentKey(sessionKey, enc, direction), {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: [enc],
    }));
  } catch (err) {
    throw new DecryptionError(`JWE does not decrypt: ${(err as Error).message}`);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(utf8.decode(plaintext));
  } catch {
    throw new MalformedPayloadError('decrypted content is not JSON');
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload))
    throw new MalformedPayloadError('decrypted content is not a JSON object');
  return { header, payload: payload as Record<string, unknown> };
}

/** Encrypts a CRes (ACS->SDK) with header `{"alg":"dir","enc":<enc>,"kid":<acsTransID>}`. */
export async function encryptCRes(payload: object, sessionKey: Uint8Array, enc: ContentEnc, kid: string): Promise<string> {
  return encryptMessage(payload, sessionKey, enc, kid, 'acs-to-sdk');
}

/** Encrypts a message of either direction; jose draws a random IV per message. */
async function encryptMessage(
  payload: object,
  sessionKey: Uint8Array,
  enc: ContentEnc,
  kid: string,
  direction: Direction,
): Promise<string> {
  return new CompactEncrypt(encoder.encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'dir', enc, kid })
    .encrypt(contentKey(sessionKey, enc, direction));
}
