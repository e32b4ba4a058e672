// A throwaway PKI for the TLS tests (SPEC §18): a CA and the certificates it issues. Node reads and
// verifies certificates but cannot issue one, and the product only ever self-signs, so issuing lives here:
// a CA certificate built from the project's DER encoder, and a leaf that is the project's self-signed
// certificate (SANs, purposes) with the CA put in as issuer and re-signed with the CA's key.
import crypto, { type KeyObject, X509Certificate } from 'node:crypto';
import * as der from '../../src/crypto/der.js';
import { buildSelfSignedCertificate, certificatePem, type SelfSignedCertOptions } from '../../src/crypto/self-signed-cert.js';

export interface TestCredentials {
  key: KeyObject;
  keyPem: string;
  cert: X509Certificate;
  certPem: string;
}

const DAY_MS = 86_400_000;
// Every key here is P-256, so every signature is ecdsa-with-SHA256.
const ECDSA_SHA256 = der.sequence(der.oid('1.2.840.10045.4.3.2'));

function newKey(): KeyObject {
  return crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

function credentials(key: KeyObject, certDer: Buffer): TestCredentials {
  const certPem = certificatePem(certDer);
  return { key, keyPem: key.export({ type: 'pkcs8', format: 'pem' }) as string, cert: new X509Certificate(certPem), certPem };
}

function signed(tbs: Buffer, key: KeyObject): Buffer {
  return der.sequence(tbs, ECDSA_SHA256, der.bitString(crypto.sign('sha256', tbs, { key, dsaEncoding: 'der' })));
}

/** The TLVs directly inside the DER SEQUENCE at the start of `buf`. */
function children(buf: Buffer): Buffer[] {
  const contentAt = (at: number) => {
    const first = buf[at + 1] as number;
    if (first < 0x80) return { start: at + 2, length: first };
    let length = 0;
    for (let i = 0; i < (first & 0x7f); i++) length = length * 256 + (buf[at + 2 + i] as number);
    return { start: at + 2 + (first & 0x7f), length };
  };
  const outer = contentAt(0);
  const out: Buffer[] = [];
  for (let at = outer.start; at < outer.start + outer.length; ) {
    const c = contentAt(at);
    out.push(buf.subarray(at, c.start + c.length));
    at = c.start + c.length;
  }
  return out;
}

/** A self-signed CA (cA true, keyCertSign): what a client CA file (server.tls.caPath) holds. */
export function createTestCa(commonName = 'Mock 3DS Test CA'): TestCredentials {
  const key = newKey();
  const name = der.sequence(der.set(der.sequence(der.oid('2.5.4.3'), der.utf8String(commonName))));
  const now = Date.now();
  const ext = (id: string, value: Buffer) => der.sequence(der.oid(id), der.boolean(true), der.octetString(value));
  const tbs = der.sequence(
    der.explicit(0, der.integer(2)),
    der.integer(crypto.randomBytes(8).fill(0x40, 0, 1)),
    ECDSA_SHA256,
    name,
    der.sequence(der.time(new Date(now - DAY_MS)), der.time(new Date(now + 30 * DAY_MS))),
    name,
    crypto.createPublicKey(key).export({ type: 'spki', format: 'der' }),
    der.explicit(
      3,
      der.sequence(
        ext('2.5.29.19', der.sequence(der.boolean(true))),
        // keyCertSign and cRLSign: bits 5 and 6.
        ext('2.5.29.15', der.bitString(Buffer.from([0x06]), 1)),
      ),
    ),
  );
  return credentials(key, signed(tbs, key));
}

/** A new key and a certificate for it issued by `ca` (its own self-signed certificate, re-issued). */
export function issueCertificate(ca: TestCredentials, opts: SelfSignedCertOptions): TestCredentials {
  const key = newKey();
  const [tbs] = children(buildSelfSignedCertificate(key, opts));
  const fields = children(tbs as Buffer);
  // TBSCertificate: version, serial, signature, issuer, validity, subject, spki, extensions.
  const caSubject = children(children(ca.cert.raw)[0] as Buffer)[5] as Buffer;
  fields[3] = caSubject;
  return credentials(key, signed(der.sequence(...fields), ca.key));
}

/** A key and a self-signed certificate that no test CA vouches for. */
export function selfSigned(opts: SelfSignedCertOptions): TestCredentials {
  const key = newKey();
  return credentials(key, buildSelfSignedCertificate(key, opts));
}
