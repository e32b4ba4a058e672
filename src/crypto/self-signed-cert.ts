// Builds the self-signed X.509 v3 certificates of development and test: the one put into
// acsSignedContent's x5c (SPEC §6: no manual step outside production) and the TLS server certificate
// (SPEC §18: subjectAltName and the serverAuth purpose). RFC 5280 structure, signed with node:crypto.
import crypto, { type KeyObject } from 'node:crypto';
import net from 'node:net';
import * as der from './der.js';

export interface SelfSignedCertOptions {
  /** Common name of issuer and subject. */
  commonName?: string;
  organization?: string;
  notBefore?: Date;
  notAfter?: Date;
  /** Big-endian serial; random (positive, 16 bytes) by default. */
  serial?: Buffer;
  /** subjectAltName entries (a TLS client checks the name it connected to against these, not the CN). */
  altNames?: { dns?: readonly string[]; ip?: readonly string[] };
  /** extendedKeyUsage purposes (TLS clients and servers check them when present). */
  extKeyUsage?: readonly ExtKeyPurpose[];
}

export type ExtKeyPurpose = 'serverAuth' | 'clientAuth';

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
  subjectAltName: '2.5.29.17',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
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

/** GeneralNames: dNSName [2] and iPAddress [7] (RFC 5280 §4.2.1.6). */
function generalNames(alt: NonNullable<SelfSignedCertOptions['altNames']>): Buffer {
  const dns = (alt.dns ?? []).map((d) => der.implicit(2, Buffer.from(d, 'ascii')));
  const ip = (alt.ip ?? []).map((a) => der.implicit(7, ipBytes(a)));
  return der.sequence(...dns, ...ip);
}

/** The network-order octets of an IPv4 or IPv6 address. */
function ipBytes(address: string): Buffer {
  if (net.isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  if (!net.isIPv6(address)) throw new Error(`not an IP address: ${address}`);
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups first.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  const text = v4
    ? address.slice(0, v4.index) + [1, 3].map((i) => ((Number(v4[i]) << 8) | Number(v4[i + 1])).toString(16)).join(':')
    : address;
  const [head, tail] = text.split('::') as [string, string | undefined];
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  for (const [i, g] of all.entries()) out.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  return out;
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
    // A leaf: not a CA, digital signatures only (acsSignedContent; an ECDHE TLS handshake).
    extension(OID.basicConstraints, true, der.sequence()),
    extension(OID.keyUsage, true, der.bitString(Buffer.from([0x80]), 7)),
    extension(OID.subjectKeyIdentifier, false, der.octetString(subjectKeyId(spki))),
    ...(opts.altNames ? [extension(OID.subjectAltName, false, generalNames(opts.altNames))] : []),
    ...(opts.extKeyUsage?.length ? [extension(OID.extKeyUsage, false, der.sequence(...opts.extKeyUsage.map((p) => der.oid(OID[p]))))] : []),
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
