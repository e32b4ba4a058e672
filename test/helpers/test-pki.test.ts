// The TLS tests' PKI: a CA that node accepts as one, and certificates it issued that verify with the CA's
// key only, carry the requested names and purposes, and a real TLS handshake accepts.
import crypto from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { expect } from 'chai';
import { createTestCa, issueCertificate, selfSigned } from './test-pki.js';

describe('helpers/test-pki', () => {
  const ca = createTestCa('Unit CA');

  it('makes a CA: self-signed, cA true, valid now', () => {
    expect(ca.cert.ca).to.equal(true);
    expect(ca.cert.subject).to.equal('CN=Unit CA');
    expect(ca.cert.issuer).to.equal(ca.cert.subject);
    expect(ca.cert.verify(ca.cert.publicKey)).to.equal(true);
    expect(Date.parse(ca.cert.validFrom)).to.be.below(Date.now());
    expect(Date.parse(ca.cert.validTo)).to.be.above(Date.now());
  });

  it('issues a leaf that verifies with the issuer key (and no other), with its SANs and purposes', () => {
    const notBefore = new Date(Date.UTC(2025, 0, 1));
    const notAfter = new Date(Date.UTC(2030, 0, 1));
    const leaf = issueCertificate(ca, {
      commonName: 'merchant',
      notBefore,
      notAfter,
      altNames: { dns: ['merchant.test'] },
      extKeyUsage: ['clientAuth'],
    });
    expect(leaf.cert.issuer).to.equal('CN=Unit CA');
    expect(leaf.cert.subject).to.include('CN=merchant');
    expect(leaf.cert.checkIssued(ca.cert)).to.equal(true);
    expect(leaf.cert.verify(ca.cert.publicKey)).to.equal(true);
    expect(leaf.cert.verify(leaf.cert.publicKey)).to.equal(false);
    expect(leaf.cert.verify(createTestCa().cert.publicKey)).to.equal(false);
    expect(leaf.cert.checkPrivateKey(leaf.key)).to.equal(true);
    expect(leaf.cert.subjectAltName).to.equal('DNS:merchant.test');
    expect(leaf.cert.keyUsage).to.deep.equal(['1.3.6.1.5.5.7.3.2']);
    expect(new Date(leaf.cert.validFrom).toISOString()).to.equal(notBefore.toISOString());
    expect(new Date(leaf.cert.validTo).toISOString()).to.equal(notAfter.toISOString());
    expect(crypto.createPublicKey(leaf.key).export({ format: 'jwk' })).to.deep.equal(leaf.cert.publicKey.export({ format: 'jwk' }));
  });

  it('is accepted by a real handshake: a server certificate chained to the CA, a client certificate checked by the server', async () => {
    const server = issueCertificate(ca, { commonName: 'localhost', altNames: { dns: ['localhost'] }, extKeyUsage: ['serverAuth'] });
    const client = issueCertificate(ca, { commonName: 'client', extKeyUsage: ['clientAuth'] });
    const stranger = selfSigned({ commonName: 'stranger', extKeyUsage: ['clientAuth'] });
    const srv = tls.createServer(
      { key: server.keyPem, cert: server.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: false },
      (s) => s.end(s.authorized ? 'authorized' : String(s.authorizationError)),
    );
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    const port = (srv.address() as AddressInfo).port;
    const talk = (creds?: { certPem: string; keyPem: string }) =>
      new Promise<string>((resolve, reject) => {
        const s = tls.connect({
          port,
          host: '127.0.0.1',
          servername: 'localhost',
          ca: ca.certPem,
          ...(creds ? { cert: creds.certPem, key: creds.keyPem } : {}),
        });
        let got = '';
        s.on('data', (d: Buffer) => {
          got += d.toString();
        });
        s.on('end', () => resolve(got));
        s.on('error', reject);
      });
    try {
      expect(await talk(client)).to.equal('authorized');
      expect(await talk(stranger)).to.equal('DEPTH_ZERO_SELF_SIGNED_CERT');
      expect(await talk()).to.not.equal('authorized');
    } finally {
      srv.close();
    }
  });
});
