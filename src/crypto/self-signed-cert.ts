// Builds the self-signed X.509 v3 certificate that development and test put into acsSignedContent's
// x5c (SPEC §6: no manual step outside production). RFC 5280 structure, signed with node:crypto.
import crypto, { type KeyObject } from 'node:crypto';
import * as der from './der.js';

export interface SelfSignedCertOptions {
  /** Common name of issuer and subject. */
  commonName?: string;
  organization?: string;
  notBefore?: Date;
  notAfter?: Date;
  /** Big-endian serial; random (positive, 16 bytes) by default. */
  serial?: Buffer;
}

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
};

const DAY_MS = 86_400_000;

function name(commonName: string, organization: string): Buffer {
  const rdn = (type: string, value: string) => der.set(der.sequence(der.oid(type), der.utf8String(value)));
  return der.sequence(rdn(OID.organization, organization), rdn(OID.commonName, commonName));
}

function signatureAlgorithm(key: KeyObject): { algId: Buffer; sign: (tbs: Buffer) => Buffer } {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') {
    // PKCS#1 v1.5 for the certificate itself: every X.509 stack verifies it; the JWS uses PSS.
    return {
      algId: der.sequence(der.oid(OID.sha256WithRSAEncryption), der.nullValue()),
      sign: (tbs) => crypto.sign('sha256', tbs, key),
    };
  }
  if (type === 'ec') {
    return {
      algId: der.sequence(der.oid(OID.ecdsaWithSHA256)),
      sign: (tbs) => crypto.sign('sha256', tbs, { key, dsaEncoding: 'der' }),
    };
  }
  throw new Error(`cannot self-sign with a ${String(type)} key`);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return der.sequence(der.oid(id), ...(critical ? [der.boolean(true)] : []), der.octetString(value));
}

/** The subjectPublicKey bits of an SPKI, for the key identifier (RFC 5280 §4.2.1.2 method 1). */
function subjectKeyId(spki: Buffer): Buffer {
  // SPKI = SEQUENCE { AlgorithmIdentifier, BIT STRING }: the BIT STRING is the last TLV.
  const outer = readTlv(spki, 0);
  const alg = readTlv(spki, outer.contentStart);
  const bits = readTlv(spki, alg.contentStart + alg.length);
  return crypto
    .createHash('sha1')
    .update(spki.subarray(bits.contentStart + 1, bits.contentStart + bits.length))
    .digest();
}

function readTlv(buf: Buffer, at: number): { contentStart: number; length: number } {
  const first = buf[at + 1] as number;
  if (first < 0x80) return { contentStart: at + 2, length: first };
  const n = first & 0x7f;
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + (buf[at + 2 + i] as number);
  return { contentStart: at + 2 + n, length };
}

/** DER of a self-signed certificate for the key pair (issuer = subject). */
export function buildSelfSignedCertificate(privateKey: KeyObject, opts: SelfSignedCertOptions = {}): Buffer {
  const now = Date.now();
  const notBefore = opts.notBefore ?? new Date(now - DAY_MS);
  const notAfter = opts.notAfter ?? new Date(now + 3650 * DAY_MS);
  const serial = opts.serial ?? crypto.randomBytes(16);
  if (!opts.serial) serial[0] = ((serial[0] as number) & 0x7f) | 0x40;
  const spki = crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const subject = name(opts.commonName ?? 'Mock 3DS ACS', opts.organization ?? 'Mock 3DS Server');
  const { algId, sign } = signatureAlgorithm(privateKey);

  const extensions = der.sequence(
    // A leaf that signs acsSignedContent: not a CA, digital signatures only.
    extension(OID.basicConstraints, true, der.sequence()),
    extension(OID.keyUsage, true, der.bitString(Buffer.from([0x80]), 7)),
    extension(OID.subjectKeyIdentifier, false, der.octetString(subjectKeyId(spki))),
  );
  const tbs = der.sequence(
    der.explicit(0, der.integer(2)),
    der.integer(serial),
    algId,
    subject,
    der.sequence(der.time(notBefore), der.time(notAfter)),
    subject,
    spki,
    der.explicit(3, extensions),
  );
  return der.sequence(tbs, algId, der.bitString(sign(tbs)));
}

/** PEM armour of a DER certificate. */
export function certificatePem(certDer: Buffer): string {
  const b64 = certDer.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}
