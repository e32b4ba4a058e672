// NIST SP 800-56A Concatenation KDF with SHA-256, as EMV 3DS derives the CReq/CRes session key
// (SPEC §6; EMV 3DS SDK spec: the same call every 3DS SDK makes through Nimbus' ConcatKDF).
import crypto from 'node:crypto';

const HASH_BYTES = 32;

/** 4-byte big-endian unsigned integer. */
function uint32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

/** A Datalen || Data field of OtherInfo (an absent field is a zero length). */
export function lengthPrefixed(data: Uint8Array = new Uint8Array(0)): Buffer {
  return Buffer.concat([uint32(data.length), data]);
}

/**
 * Concat KDF: K(i) = SHA-256(counter_i || Z || OtherInfo), counter from 1, output truncated to
 * keyDataLenBits.
 */
export function concatKdf(z: Uint8Array, keyDataLenBits: number, otherInfo: Uint8Array): Buffer {
  if (keyDataLenBits <= 0 || keyDataLenBits % 8 !== 0) throw new RangeError('keyDataLenBits must be a positive multiple of 8');
  const outLen = keyDataLenBits / 8;
  const rounds = Math.ceil(outLen / HASH_BYTES);
  const parts: Buffer[] = [];
  for (let i = 1; i <= rounds; i++) parts.push(crypto.createHash('sha256').update(uint32(i)).update(z).update(otherInfo).digest());
  return Buffer.concat(parts).subarray(0, outLen);
}

/**
 * EMV OtherInfo: AlgorithmID and PartyUInfo empty (zero lengths), PartyVInfo = the length-prefixed
 * sdkReferenceNumber, SuppPubInfo = keydatalen in bits (32-bit big-endian), SuppPrivInfo empty.
 */
export function emvOtherInfo(sdkReferenceNumber: string, keyDataLenBits = 256): Buffer {
  return Buffer.concat([
    lengthPrefixed(),
    lengthPrefixed(),
    lengthPrefixed(Buffer.from(sdkReferenceNumber, 'utf8')),
    uint32(keyDataLenBits),
  ]);
}

/** The 256-bit EMV session key from the ECDH shared secret Z. */
export function deriveEmvKey(z: Uint8Array, sdkReferenceNumber: string): Buffer {
  return concatKdf(z, 256, emvOtherInfo(sdkReferenceNumber, 256));
}
