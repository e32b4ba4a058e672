import crypto from 'node:crypto';
import { expect } from 'chai';
import { type AcsCredentials, loadAcsCredentials } from '../../src/crypto/acs-credentials.js';
import { CredentialsError, DecryptionError, InvalidKeyError } from '../../src/crypto/crypto-errors.js';
import { type CryptoService, createCryptoService, resolveOffload } from '../../src/crypto/crypto-service.js';
import type { ContentEnc } from '../../src/crypto/crypto-types.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { expectRejection } from '../helpers/expect-error.js';
import { TestSdk } from '../helpers/sdk.js';
import { POOL_ENTRY, silentLogger, tempDirs, testConfig, withSigning } from './fixtures.js';

/** The app-challenge cryptography end to end, as the protocol layer will drive it. */
async function appChallengeFlow(service: CryptoService, enc: ContentEnc) {
  const sdk = new TestSdk({ enc });
  const acsTransID = crypto.randomUUID();
  const threeDSServerTransID = crypto.randomUUID();
  // AReq -> ARes: a fresh ACS key, acsSignedContent.
  const acs = await service.newEphemeralKey();
  const acsSignedContent = await service.signAcsContent({
    acsURL: 'http://localhost:8080/challenge',
    acsEphemPubKey: acs.publicJwk,
    sdkEphemPubKey: sdk.ephemPubKey,
    acsTransID,
    acsRefNumber: 'issuer1',
  });
  // The record keeps the private key as JSON.
  const stored = JSON.parse(JSON.stringify(acs.privateJwk));
  await sdk.startChallenge({ acsSignedContent, threeDSServerTransID });
  // CReq -> CRes, twice, with the counters moving.
  const key = await service.deriveSessionKey(stored, sdk.ephemPubKey, sdk.sdkReferenceNumber);
  const exchanges: { creq: Record<string, unknown>; cres: Record<string, unknown> }[] = [];
  for (const [i, fields] of [{}, { challengeDataEntry: '1234' }].entries()) {
    const creq = sdk.buildCReq(fields);
    const { header, payload } = await service.decryptCReq(await sdk.encryptCReq(creq), key, enc);
    expect(header.kid).to.equal(acsTransID);
    expect(payload).to.deep.equal(creq);
    const cres = { threeDSServerTransID, acsTransID, messageType: 'CRes', messageVersion: '2.2.0', acsCounterAtoS: `00${i}` };
    expect(await sdk.decryptCRes(await service.encryptCRes(cres, key, enc, acsTransID))).to.deep.equal(cres);
    exchanges.push({ creq: payload, cres });
  }
  expect(sdk.sdkCounterStoA).to.equal(2);
  return { sdk, acs, key, exchanges };
}

describe('crypto/crypto-service', () => {
  const tmp = tempDirs();
  let creds: AcsCredentials;
  let inline: CryptoService;
  let pooled: CryptoService;
  const pooledMetrics = createMetrics('worker', { defaults: false });

  before(async () => {
    const config = withSigning(testConfig(), { dataDir: await tmp.make() });
    creds = await loadAcsCredentials({ config });
    const common = { logger: silentLogger, workers: 2, cores: 2, credentials: creds };
    inline = await createCryptoService({ ...common, config, metrics: createMetrics('worker', { defaults: false }) });
    pooled = await createCryptoService({
      ...common,
      config: { ...config, pool: { ...config.pool, offload: ['sign', 'ecdh', 'jwe'], threads: 2 } },
      metrics: pooledMetrics,
      taskFile: POOL_ENTRY,
    });
  });
  after(async () => {
    await Promise.all([inline?.close(), pooled?.close()]);
    await tmp.cleanup();
  });

  it('maps pool.offload names and groups to tasks', () => {
    expect([...resolveOffload([]).tasks]).to.deep.equal([]);
    expect([...resolveOffload(['sign', 'ecdh', 'jwe']).tasks].sort()).to.deep.equal([
      'ecdh-kdf',
      'jwe-decrypt',
      'jwe-encrypt',
      'keygen',
      'sign',
    ]);
    expect(resolveOffload(['ecdh-kdf', 'serialize', 'bogus'])).to.deep.equal({
      tasks: new Set(['ecdh-kdf']),
      other: ['serialize', 'bogus'],
    });
  });

  for (const enc of ['A128CBC-HS256', 'A128GCM'] as const) {
    it(`runs the app challenge cryptography inline (${enc})`, async () => {
      await appChallengeFlow(inline, enc);
      expect(inline.offloaded.size).to.equal(0);
      expect(inline.pool.completed).to.equal(0);
      expect(inline.pool.liveThreads).to.equal(0);
    });

    it(`runs it in the pool with the same results (${enc})`, async () => {
      const before = pooled.pool.completed;
      const { sdk, acs, key } = await appChallengeFlow(pooled, enc);
      // keygen, sign, ecdh-kdf, 2 x decrypt, 2 x encrypt: all in threads.
      expect(pooled.pool.completed - before).to.equal(7);
      expect(
        Buffer.from(key).equals(Buffer.from(await inline.deriveSessionKey(acs.privateJwk, sdk.ephemPubKey, sdk.sdkReferenceNumber))),
      ).to.equal(true);
      const jwe = await sdk.nextCReq({ oobContinue: true });
      expect(await pooled.decryptCReq(jwe, key, enc)).to.deep.equal(await inline.decryptCReq(jwe, key, enc));
    });
  }

  it('reports pool task durations per task', async () => {
    const h = await pooledMetrics.histogram('pool_task_duration_seconds').get();
    const tasks = new Set(
      h.values.filter((v) => v.metricName === 'pool_task_duration_seconds_count' && v.value > 0).map((v) => v.labels.task),
    );
    expect([...tasks].sort()).to.deep.equal(['ecdh-kdf', 'jwe-decrypt', 'jwe-encrypt', 'keygen', 'sign']);
  });

  for (const which of ['inline', 'pooled'] as const) {
    it(`turns bad client input into typed errors (${which})`, async () => {
      const service = which === 'inline' ? inline : pooled;
      const acs = await service.newEphemeralKey();
      const badKey = await expectRejection(
        service.deriveSessionKey(acs.privateJwk, { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }, 'ref'),
        InvalidKeyError,
      );
      expect(badKey.errorName).to.equal('INVALID_FORMAT');
      expect(badKey.field).to.equal('sdkEphemPubKey');
      await expectRejection(service.decryptCReq('eyJhbGciOiJkaXIifQ.x.y.z.w', new Uint8Array(32), 'A128GCM'), DecryptionError);
    });
  }

  it('signs with the configured algorithm and exposes the x5c', async () => {
    expect(inline.algorithm).to.equal('PS256');
    expect(inline.x5c).to.deep.equal(creds.x5c);
    const dataDir = await tmp.make();
    const config = withSigning(testConfig(), { dataDir, algorithm: 'ES256' });
    // The primary's job in a cluster: the service itself only reads the pair.
    const prepared = await loadAcsCredentials({ config });
    const es = await createCryptoService({
      config,
      logger: silentLogger,
      metrics: createMetrics('worker', { defaults: false }),
      workers: 1,
    });
    try {
      expect(es.algorithm).to.equal('ES256');
      expect(es.credentials.origin).to.equal('reused');
      expect(es.credentials.certificate.fingerprint256).to.equal(prepared.certificate.fingerprint256);
      expect(es.credentials.keyPath.startsWith(dataDir)).to.equal(true);
      await appChallengeFlow(es, 'A128CBC-HS256');
    } finally {
      await es.close();
    }
  });

  it('warns about pool.offload names that are no task', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', {}, (l) => lines.push(l));
    const config = testConfig();
    const s = await createCryptoService({
      config: { ...config, pool: { ...config.pool, offload: ['sign', 'serialize', 'signn'] } },
      logger,
      metrics: createMetrics('worker', { defaults: false }),
      workers: 2,
      credentials: creds,
      taskFile: POOL_ENTRY,
    });
    await s.close();
    const warn = lines.map((l) => JSON.parse(l)).find((l) => l.level === 'warn');
    expect(warn?.unknown).to.deep.equal(['serialize', 'signn']);
    expect(lines.join('')).to.not.include('PRIVATE KEY');
  });

  it('does not start in production without configured credentials', async () => {
    const config = withSigning(testConfig(), { dataDir: await tmp.make() }, 'production');
    await expectRejection(
      createCryptoService({ config, logger: silentLogger, metrics: createMetrics('worker', { defaults: false }), workers: 1 }),
      CredentialsError,
      /production/,
    );
  });
});
