import crypto, { X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import { buildSelfSignedCertificate, certificatePem } from '../../src/crypto/self-signed-cert.js';

describe('crypto/self-signed-cert', () => {
  const keyPairs = {
    rsa: () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }),
    ec: () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  };
  for (const [type, make] of Object.entries(keyPairs)) {
    it(`builds a v3 certificate that node parses and verifies (${type})`, () => {
      const { privateKey, publicKey } = make();
      const notBefore = new Date(Date.UTC(2024, 0, 1));
      const notAfter = new Date(Date.UTC(2060, 0, 1));
      const serial = Buffer.from('00c0ffee', 'hex');
      const cert = new X509Certificate(
        certificatePem(buildSelfSignedCertificate(privateKey, { commonName: 'Unit ACS', notBefore, notAfter, serial })),
      );
      expect(cert.subject).to.equal('O=Mock 3DS Server\nCN=Unit ACS');
      expect(cert.issuer).to.equal(cert.subject);
      // DER keeps the 00 octet that makes C0FFEE positive; Node prints the magnitude.
      expect(cert.serialNumber).to.equal('C0FFEE');
      expect(new Date(cert.validFrom).toISOString()).to.equal(notBefore.toISOString());
      expect(new Date(cert.validTo).toISOString()).to.equal(notAfter.toISOString());
      expect(cert.ca).to.equal(false);
      expect(cert.verify(publicKey)).to.equal(true);
      expect(cert.checkPrivateKey(privateKey)).to.equal(true);
      // Another key must not verify it: the signature really covers this certificate.
      const stranger = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
      expect(cert.verify(stranger)).to.equal(false);
    });
  }

  it('carries subjectAltName and extendedKeyUsage for a TLS server (SPEC §18), and only when asked', () => {
    const { privateKey, publicKey } = keyPairs.ec();
    const notBefore = new Date(Date.UTC(2025, 5, 1));
    const notAfter = new Date(Date.UTC(2027, 7, 1));
    const cert = new X509Certificate(
      buildSelfSignedCertificate(privateKey, {
        commonName: 'localhost',
        notBefore,
        notAfter,
        altNames: { dns: ['localhost', 'mock-3ds.internal'], ip: ['127.0.0.1', '::1', '2001:db8::ff00:42:8329', '::ffff:192.0.2.1'] },
        extKeyUsage: ['serverAuth'],
      }),
    );
    expect(cert.subjectAltName).to.equal(
      'DNS:localhost, DNS:mock-3ds.internal, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, ' +
        'IP Address:2001:DB8:0:0:0:FF00:42:8329, IP Address:0:0:0:0:0:FFFF:C000:201',
    );
    expect(cert.keyUsage).to.deep.equal(['1.3.6.1.5.5.7.3.1']);
    // What a TLS client checks: the name it dialled against the SANs, never the CN alone.
    expect(cert.checkHost('localhost')).to.equal('localhost');
    expect(cert.checkHost('mock-3ds.internal')).to.equal('mock-3ds.internal');
    expect(cert.checkHost('example.test')).to.equal(undefined);
    expect(cert.checkIP('127.0.0.1')).to.equal('127.0.0.1');
    expect(cert.checkIP('::1')).to.not.equal(undefined);
    expect(cert.checkIP('10.0.0.1')).to.equal(undefined);
    expect(new Date(cert.validFrom).toISOString()).to.equal(notBefore.toISOString());
    expect(new Date(cert.validTo).toISOString()).to.equal(notAfter.toISOString());
    expect(cert.ca).to.equal(false);
    expect(cert.verify(publicKey)).to.equal(true);

    const both = new X509Certificate(buildSelfSignedCertificate(privateKey, { extKeyUsage: ['serverAuth', 'clientAuth'] }));
    expect(both.keyUsage).to.deep.equal(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(both.subjectAltName).to.equal(undefined);
    // The ACS signing certificate stays as it was: no SANs, no purposes.
    const acs = new X509Certificate(buildSelfSignedCertificate(privateKey));
    expect(acs.subjectAltName).to.equal(undefined);
    expect(acs.keyUsage).to.equal(undefined);
  });

  it('refuses an IP SAN that is not an address', () => {
    const key = keyPairs.ec().privateKey;
    expect(() => buildSelfSignedCertificate(key, { altNames: { ip: ['localhost'] } })).to.throw(/not an IP address/);
  });

  it('gives every certificate a fresh positive serial', () => {
    const key = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const a = new X509Certificate(buildSelfSignedCertificate(key));
    const b = new X509Certificate(buildSelfSignedCertificate(key));
    expect(a.serialNumber).to.not.equal(b.serialNumber);
    expect(Number.parseInt(a.serialNumber.slice(0, 2), 16) & 0x80).to.equal(0);
  });
});
