// The TLS server pair (SPEC §18): generated once in development and test (and renewed when it no longer
// fits), configured files checked before any worker uses them, production never generating, and the
// https.createServer options per client-certificate mode.
import crypto, { X509Certificate } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import type { Config } from '../../src/config/index.js';
import { CredentialsError } from '../../src/crypto/crypto-errors.js';
import { buildSelfSignedCertificate, certificatePem } from '../../src/crypto/self-signed-cert.js';
import { generatedTlsPaths, prepareTlsCredentials, readTlsServerOptions } from '../../src/crypto/tls-credentials.js';
import { expectRejection } from '../helpers/expect-error.js';
import { createTestCa, issueCertificate, selfSigned } from '../helpers/test-pki.js';
import { tempDirs, testConfig } from './fixtures.js';

describe('crypto/tls-credentials', () => {
  const tmp = tempDirs();
  after(() => tmp.cleanup());
  const config = (env: Record<string, string>) => testConfig(env);

  it('does nothing while TLS is off', async () => {
    const dataDir = await tmp.make();
    const c = config({ DATA_DIR: dataDir });
    expect(await prepareTlsCredentials({ config: c })).to.equal(undefined);
    expect(await readTlsServerOptions({ config: c })).to.equal(undefined);
    expect(await readdir(dataDir)).to.deep.equal([]);
  });

  describe('generated (development, test)', () => {
    it('makes a P-256 key (0600) and a self-signed serverAuth certificate for localhost, 127.0.0.1 and ::1', async () => {
      const dataDir = path.join(await tmp.make(), 'nested');
      const creds = await prepareTlsCredentials({ config: config({ TLS_ENABLED: 'true', DATA_DIR: dataDir }) });
      const paths = generatedTlsPaths(dataDir);
      expect(creds?.origin).to.equal('generated');
      expect(creds?.certPath).to.equal(paths.certPath);
      expect((await stat(paths.keyPath)).mode & 0o777).to.equal(0o600);
      expect((await readdir(dataDir)).sort()).to.deep.equal(['tls-server.crt.pem', 'tls-server.key.pem']);
      const cert = new X509Certificate(await readFile(paths.certPath));
      const key = crypto.createPrivateKey(await readFile(paths.keyPath));
      expect(key.asymmetricKeyDetails?.namedCurve).to.equal('prime256v1');
      expect(cert.subjectAltName).to.equal('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
      expect(cert.keyUsage).to.deep.equal(['1.3.6.1.5.5.7.3.1']);
      expect(cert.issuer).to.equal(cert.subject);
      expect(cert.verify(cert.publicKey)).to.equal(true);
      expect(cert.checkPrivateKey(key)).to.equal(true);
      // Valid now, and for no more than the 825 days Apple platforms accept.
      const from = Date.parse(cert.validFrom);
      const to = Date.parse(cert.validTo);
      expect(from).to.be.below(Date.now());
      expect(to - from).to.be.at.most(825 * 86_400_000);
      expect(to).to.be.above(Date.now() + 365 * 86_400_000);
    });

    it('reuses the pair on the next start, and covers server.host when it is a name', async () => {
      const dataDir = await tmp.make();
      const first = await prepareTlsCredentials({ config: config({ TLS_ENABLED: 'true', DATA_DIR: dataDir }) });
      const again = await prepareTlsCredentials({ config: config({ TLS_ENABLED: 'true', DATA_DIR: dataDir }) });
      expect(again?.origin).to.equal('reused');
      expect(again?.certificate.fingerprint256).to.equal(first?.certificate.fingerprint256);
      // An address is no name to add; a host name is: the certificate is made again for the same key.
      const ip = await prepareTlsCredentials({ config: config({ TLS_ENABLED: 'true', DATA_DIR: dataDir, HOST: '0.0.0.0' }) });
      expect(ip?.origin).to.equal('reused');
      const named = await prepareTlsCredentials({ config: config({ TLS_ENABLED: 'true', DATA_DIR: dataDir, HOST: 'Mock-3DS.internal' }) });
      expect(named?.origin).to.equal('generated');
      expect(named?.certificate.subjectAltName).to.equal(
        'DNS:localhost, DNS:mock-3ds.internal, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
      );
      expect(named?.certificate.publicKey.export({ format: 'jwk' })).to.deep.equal(first?.certificate.publicKey.export({ format: 'jwk' }));
    });

    it('replaces a certificate that is damaged, foreign or about to expire; refuses a key file that is not a key', async () => {
      const dataDir = await tmp.make();
      const c = config({ TLS_ENABLED: 'true', DATA_DIR: dataDir });
      const { certPath, keyPath } = generatedTlsPaths(dataDir);
      const first = await prepareTlsCredentials({ config: c });
      await writeFile(certPath, 'garbage');
      expect((await prepareTlsCredentials({ config: c }))?.origin).to.equal('generated');
      await writeFile(
        certPath,
        selfSigned({ commonName: 'localhost', altNames: { dns: ['localhost'], ip: ['127.0.0.1', '::1'] } }).certPem,
      );
      expect((await prepareTlsCredentials({ config: c }))?.origin).to.equal('generated');
      const key = crypto.createPrivateKey(await readFile(keyPath));
      const soon = buildSelfSignedCertificate(key, {
        notAfter: new Date(Date.now() + 86_400_000),
        altNames: { dns: ['localhost'], ip: ['127.0.0.1', '::1'] },
      });
      await writeFile(certPath, certificatePem(soon));
      const renewed = await prepareTlsCredentials({ config: c });
      expect(renewed?.origin).to.equal('generated');
      expect(Date.parse(renewed?.certificate.validTo ?? '')).to.be.above(Date.now() + 365 * 86_400_000);
      expect(renewed?.certificate.checkPrivateKey(key)).to.equal(true);
      expect(first?.certificate.checkPrivateKey(key)).to.equal(true);

      await writeFile(keyPath, 'not a key');
      await expectRejection(prepareTlsCredentials({ config: c }), CredentialsError, /delete .*tls-server\.key\.pem/);
    });

    it('is only read by workers: without the files the primary prepares, a worker fails instead of writing them', async () => {
      const dataDir = await tmp.make();
      const c = config({ TLS_ENABLED: 'true', DATA_DIR: dataDir });
      await expectRejection(readTlsServerOptions({ config: c }), CredentialsError, /tls-server\.key\.pem/);
      expect(await readdir(dataDir)).to.deep.equal([]);
      await prepareTlsCredentials({ config: c });
      const opts = await readTlsServerOptions({ config: c });
      expect(opts?.key).to.equal(await readFile(generatedTlsPaths(dataDir).keyPath, 'utf8'));
      expect(opts?.cert).to.equal(await readFile(generatedTlsPaths(dataDir).certPath, 'utf8'));
      expect(opts).to.include({ requestCert: false, rejectUnauthorized: false }).and.not.have.property('ca');
    });

    it('is never generated in production', async () => {
      const dataDir = await tmp.make();
      const prod: Config = { ...config({ TLS_ENABLED: 'true', DATA_DIR: dataDir }), env: 'production' };
      await expectRejection(prepareTlsCredentials({ config: prod }), CredentialsError, /production .*refusing to generate/);
      expect(await readdir(dataDir)).to.deep.equal([]);
    });
  });

  describe('configured', () => {
    const ca = createTestCa();
    const server = issueCertificate(ca, { commonName: 'mock.test', altNames: { dns: ['mock.test'] }, extKeyUsage: ['serverAuth'] });
    const files = async () => {
      const dir = await tmp.make();
      const f = { cert: path.join(dir, 'server.crt'), key: path.join(dir, 'server.key'), ca: path.join(dir, 'clients-ca.crt'), dir };
      await writeFile(f.cert, server.certPem + ca.certPem);
      await writeFile(f.key, server.keyPem);
      await writeFile(f.ca, ca.certPem);
      return f;
    };

    it('checks the pair and the client CA, and hands workers the options of each client-certificate mode', async () => {
      const f = await files();
      const env = { TLS_ENABLED: 'true', TLS_CERT_PATH: f.cert, TLS_KEY_PATH: f.key, TLS_CA_PATH: f.ca, DATA_DIR: f.dir };
      const creds = await prepareTlsCredentials({ config: config(env) });
      expect(creds).to.include({ origin: 'configured', certPath: f.cert, keyPath: f.key });
      expect(creds?.certificate.subjectAltName).to.equal('DNS:mock.test');
      // Nothing generated next to configured files.
      expect((await readdir(f.dir)).sort()).to.deep.equal(['clients-ca.crt', 'server.crt', 'server.key']);

      const none = await readTlsServerOptions({ config: config(env) });
      expect(none).to.include({ cert: server.certPem + ca.certPem, key: server.keyPem, requestCert: false, rejectUnauthorized: false });
      expect(none).to.not.have.property('ca');
      const request = await readTlsServerOptions({ config: config({ ...env, TLS_CLIENT_CERT: 'request' }) });
      expect(request).to.include({ ca: ca.certPem, requestCert: true, rejectUnauthorized: false });
      const require = await readTlsServerOptions({ config: config({ ...env, TLS_CLIENT_CERT: 'require' }) });
      expect(require).to.include({ ca: ca.certPem, requestCert: true, rejectUnauthorized: true });
    });

    it("refuses a certificate that is not the key's, a missing file, a pair node's TLS refuses, and a CA file without certificates", async () => {
      const f = await files();
      const base = { TLS_ENABLED: 'true', TLS_CERT_PATH: f.cert, TLS_KEY_PATH: f.key, DATA_DIR: f.dir };
      await writeFile(f.key, selfSigned({ commonName: 'other' }).keyPem);
      await expectRejection(prepareTlsCredentials({ config: config(base) }), CredentialsError, /not the one of the key/);
      await expectRejection(
        prepareTlsCredentials({ config: config({ ...base, TLS_KEY_PATH: path.join(f.dir, 'absent.key') }) }),
        CredentialsError,
        /cannot read the TLS key at .*absent\.key/,
      );
      // A pair that fits but that node's TLS refuses (OpenSSL's security level: RSA below 1024 bits).
      const weak = crypto.generateKeyPairSync('rsa', { modulusLength: 512 }).privateKey;
      await writeFile(f.key, weak.export({ type: 'pkcs8', format: 'pem' }) as string);
      await writeFile(f.cert, certificatePem(buildSelfSignedCertificate(weak)));
      await expectRejection(prepareTlsCredentials({ config: config(base) }), CredentialsError, /node's TLS refuses .*key too small/);
      await writeFile(f.cert, server.certPem);
      await writeFile(f.key, server.keyPem);
      await writeFile(f.ca, 'no certificate here');
      await expectRejection(
        prepareTlsCredentials({ config: config({ ...base, TLS_CA_PATH: f.ca, TLS_CLIENT_CERT: 'require' }) }),
        CredentialsError,
        /clients-ca\.crt: no PEM certificate found/,
      );
    });
  });
});
