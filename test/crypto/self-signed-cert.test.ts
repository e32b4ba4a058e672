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

  it('gives every certificate a fresh positive serial', () => {
    const key = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const a = new X509Certificate(buildSelfSignedCertificate(key));
    const b = new X509Certificate(buildSelfSignedCertificate(key));
    expect(a.serialNumber).to.not.equal(b.serialNumber);
    expect(Number.parseInt(a.serialNumber.slice(0, 2), 16) & 0x80).to.equal(0);
  });
});
