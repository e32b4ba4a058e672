import crypto, { X509Certificate } from 'node:crypto';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import type { Config } from '../../src/config/index.js';
import { generatedPaths, loadAcsCredentials, readAcsCredentials } from '../../src/crypto/acs-credentials.js';
import { CredentialsError } from '../../src/crypto/crypto-errors.js';
import { buildSelfSignedCertificate, certificatePem } from '../../src/crypto/self-signed-cert.js';
import { createLogger } from '../../src/logger.js';
import { expectRejection } from '../helpers/expect-error.js';
import { tempDirs, testConfig, withSigning } from './fixtures.js';

const spkiHash = (k: crypto.KeyObject) =>
  crypto
    .createHash('sha256')
    .update(crypto.createPublicKey(k).export({ type: 'spki', format: 'der' }))
    .digest('hex');

describe('crypto/acs-credentials', () => {
  const tmp = tempDirs();
  const base = testConfig();
  after(() => tmp.cleanup());

  for (const alg of ['PS256', 'ES256'] as const) {
    describe(`generated ${alg} pair`, () => {
      it('is created on first start: key 0600, a self-signed X.509 certificate that verifies with the key', async () => {
        const dataDir = path.join(await tmp.make(), 'nested', 'data');
        const creds = await loadAcsCredentials({ config: withSigning(base, { dataDir, algorithm: alg }) });
        const paths = generatedPaths(dataDir, alg);
        expect(creds.origin).to.equal('generated');
        expect(creds.alg).to.equal(alg);
        expect(creds.keyPath).to.equal(paths.keyPath);
        expect(path.basename(creds.certPath)).to.equal(`acs-signing-${alg.toLowerCase()}.crt.pem`);
        expect((await stat(paths.keyPath)).mode & 0o777).to.equal(0o600);

        const cert = new X509Certificate(await readFile(paths.certPath));
        expect(cert.subject).to.include('CN=Mock 3DS ACS');
        expect(cert.issuer).to.equal(cert.subject);
        expect(cert.ca).to.equal(false);
        expect(cert.verify(crypto.createPublicKey(creds.privateKey))).to.equal(true);
        expect(cert.checkPrivateKey(creds.privateKey)).to.equal(true);
        expect(new Date(cert.validFrom).getTime()).to.be.below(Date.now());
        expect(new Date(cert.validTo).getTime()).to.be.above(Date.now() + 365 * 86_400_000);
        expect(creds.x5c).to.deep.equal([cert.raw.toString('base64')]);
        // Signature algorithm OID (DER): sha256WithRSAEncryption or ecdsa-with-SHA256.
        const sigOid = alg === 'PS256' ? '06092a864886f70d01010b' : '06082a8648ce3d040302';
        expect(cert.raw.toString('hex')).to.include(sigOid);

        const key = creds.privateKey;
        if (alg === 'PS256') {
          expect(key.asymmetricKeyType).to.equal('rsa');
          expect(key.asymmetricKeyDetails?.modulusLength).to.equal(2048);
        } else {
          expect(key.asymmetricKeyType).to.equal('ec');
          expect(key.asymmetricKeyDetails?.namedCurve).to.equal('prime256v1');
        }
        expect(spkiHash(crypto.createPrivateKey(creds.privateKeyPem))).to.equal(spkiHash(key));
      });

      it('is reused on later starts (same key, same certificate)', async () => {
        const dataDir = await tmp.make();
        const config = withSigning(base, { dataDir, algorithm: alg });
        const first = await loadAcsCredentials({ config });
        const second = await loadAcsCredentials({ config });
        expect(second.origin).to.equal('reused');
        expect(second.certificate.fingerprint256).to.equal(first.certificate.fingerprint256);
        expect(spkiHash(second.privateKey)).to.equal(spkiHash(first.privateKey));
      });
    });
  }

  it('keeps one pair per algorithm side by side', async () => {
    const dataDir = await tmp.make();
    const ps = await loadAcsCredentials({ config: withSigning(base, { dataDir, algorithm: 'PS256' }) });
    const es = await loadAcsCredentials({ config: withSigning(base, { dataDir, algorithm: 'ES256' }) });
    expect(ps.keyPath).to.not.equal(es.keyPath);
    expect((await readdir(dataDir)).sort()).to.deep.equal([
      'acs-signing-es256.crt.pem',
      'acs-signing-es256.key.pem',
      'acs-signing-ps256.crt.pem',
      'acs-signing-ps256.key.pem',
    ]);
  });

  it('workers only read: the pair the primary wrote, never writing one themselves', async () => {
    const dataDir = await tmp.make();
    const config = withSigning(base, { dataDir, algorithm: 'ES256' });
    await expectRejection(readAcsCredentials({ config }), CredentialsError, /primary generates the development key/);
    expect(await readdir(dataDir)).to.deep.equal([]);
    const written = await loadAcsCredentials({ config });
    const read = await readAcsCredentials({ config });
    expect(read.origin).to.equal('reused');
    expect(spkiHash(read.privateKey)).to.equal(spkiHash(written.privateKey));
    expect(read.certificate.fingerprint256).to.equal(written.certificate.fingerprint256);
    // A certificate that is not the key's is refused, not replaced, on the reading side.
    const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await writeFile(written.certPath, certificatePem(buildSelfSignedCertificate(other)));
    await expectRejection(readAcsCredentials({ config }), CredentialsError, /not the certificate of/);
  });

  it('makes a new certificate for the kept key when the certificate is missing or belongs to another key', async () => {
    const dataDir = await tmp.make();
    const config = withSigning(base, { dataDir, algorithm: 'ES256' });
    const first = await loadAcsCredentials({ config });
    await rm(first.certPath);
    const second = await loadAcsCredentials({ config });
    expect(spkiHash(second.privateKey)).to.equal(spkiHash(first.privateKey));
    expect(second.certificate.checkPrivateKey(second.privateKey)).to.equal(true);

    const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await writeFile(first.certPath, certificatePem(buildSelfSignedCertificate(other)));
    const third = await loadAcsCredentials({ config });
    expect(third.certificate.checkPrivateKey(first.privateKey)).to.equal(true);
  });

  it('renews a generated certificate that is about to expire, keeping the key', async () => {
    const dataDir = await tmp.make();
    const config = withSigning(base, { dataDir, algorithm: 'ES256' });
    const first = await loadAcsCredentials({ config });
    const soon = new Date(Date.now() + 3_600_000);
    await writeFile(first.certPath, certificatePem(buildSelfSignedCertificate(first.privateKey, { notAfter: soon })));
    const renewed = await loadAcsCredentials({ config });
    expect(spkiHash(renewed.privateKey)).to.equal(spkiHash(first.privateKey));
    expect(new Date(renewed.certificate.validTo).getTime()).to.be.above(Date.now() + 365 * 86_400_000);
  });

  it('refuses an unreadable generated key instead of overwriting it', async () => {
    const dataDir = await tmp.make();
    const { keyPath } = generatedPaths(dataDir, 'PS256');
    await writeFile(keyPath, 'not a key');
    const err = await expectRejection(loadAcsCredentials({ config: withSigning(base, { dataDir }) }), CredentialsError, keyPath);
    expect(err.message).to.include('delete');
    expect(await readFile(keyPath, 'utf8')).to.equal('not a key');
  });

  describe('production', () => {
    it('refuses to start without configured key and certificate, and writes nothing', async () => {
      const dataDir = await tmp.make();
      const err = await expectRejection(
        loadAcsCredentials({ config: withSigning(base, { dataDir }, 'production') }),
        CredentialsError,
        /production/,
      );
      expect(err.message).to.match(/keyPath/);
      expect(await readdir(dataDir)).to.deep.equal([]);
    });

    it('starts with configured PEM files (a chain goes whole into x5c)', async () => {
      const dir = await tmp.make();
      const key = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      const issuer = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      const keyPath = path.join(dir, 'acs.key.pem');
      const certPath = path.join(dir, 'acs.crt.pem');
      await writeFile(keyPath, key.export({ type: 'pkcs8', format: 'pem' }));
      const leaf = buildSelfSignedCertificate(key, { commonName: 'Configured ACS' });
      const second = buildSelfSignedCertificate(issuer, { commonName: 'Some CA' });
      await writeFile(certPath, certificatePem(leaf) + certificatePem(second));
      const creds = await loadAcsCredentials({
        config: withSigning(base, { keyPath, certPath, dataDir: path.join(dir, 'unused') }, 'production'),
      });
      expect(creds.origin).to.equal('configured');
      expect(creds.certificate.subject).to.include('CN=Configured ACS');
      expect(creds.x5c).to.deep.equal([leaf.toString('base64'), second.toString('base64')]);
      expect(await readdir(dir)).to.not.include('unused');
    });

    it('warns when the configured certificate has expired', async () => {
      const dir = await tmp.make();
      const key = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      const keyPath = path.join(dir, 'acs.key.pem');
      const certPath = path.join(dir, 'acs.crt.pem');
      await writeFile(keyPath, key.export({ type: 'pkcs8', format: 'pem' }));
      const expired = { notBefore: new Date(Date.UTC(2020, 0, 1)), notAfter: new Date(Date.UTC(2021, 0, 1)) };
      await writeFile(certPath, certificatePem(buildSelfSignedCertificate(key, expired)));
      const lines: string[] = [];
      const logger = createLogger('info', {}, (l) => lines.push(l));
      const creds = await loadAcsCredentials({
        config: withSigning(base, { keyPath, certPath, algorithm: 'ES256' }, 'production'),
        logger,
      });
      expect(creds.origin).to.equal('configured');
      const levels = lines.map((l) => JSON.parse(l) as { level: string; msg: string });
      expect(levels.find((l) => l.level === 'warn')?.msg).to.match(/expired/);
      expect(lines.join('')).to.not.include('PRIVATE KEY');
    });
  });

  describe('configured files that do not fit', () => {
    let dir: string;
    let rsaKeyPath: string;
    let rsaCertPath: string;
    let ecKeyPath: string;
    before(async () => {
      dir = await tmp.make();
      const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      rsaKeyPath = path.join(dir, 'rsa.key.pem');
      rsaCertPath = path.join(dir, 'rsa.crt.pem');
      ecKeyPath = path.join(dir, 'ec.key.pem');
      await writeFile(rsaKeyPath, rsa.export({ type: 'pkcs8', format: 'pem' }));
      await writeFile(rsaCertPath, certificatePem(buildSelfSignedCertificate(rsa)));
      await writeFile(ecKeyPath, ec.export({ type: 'pkcs8', format: 'pem' }));
    });

    const cases: [string, () => Partial<Config['protocol']['signing']>, RegExp][] = [
      ['a certificate of another key', () => ({ keyPath: ecKeyPath, certPath: rsaCertPath, algorithm: 'ES256' }), /not the one of the key/],
      ['an EC key for PS256', () => ({ keyPath: ecKeyPath, certPath: rsaCertPath, algorithm: 'PS256' }), /PS256 needs an RSA key/],
      ['an RSA key for ES256', () => ({ keyPath: rsaKeyPath, certPath: rsaCertPath, algorithm: 'ES256' }), /ES256 needs a P-256 EC key/],
      ['a missing file', () => ({ keyPath: path.join(dir, 'nope.pem'), certPath: rsaCertPath }), /cannot read the ACS signing key/],
      ['a certificate file without a certificate', () => ({ keyPath: rsaKeyPath, certPath: rsaKeyPath }), /no PEM certificate/],
      ['a key without a certificate path', () => ({ keyPath: rsaKeyPath, certPath: '' }), /configured together/],
    ];
    for (const [name, signing, message] of cases) {
      it(`refuses ${name}`, async () => {
        await expectRejection(loadAcsCredentials({ config: withSigning(base, { dataDir: dir, ...signing() }) }), CredentialsError, message);
      });
    }
  });
});
