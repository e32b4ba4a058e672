import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { loadAcsCredentials } from '../../src/crypto/acs-credentials.js';
import { DecryptionError, InvalidKeyError, PoolOverloadedError } from '../../src/crypto/crypto-errors.js';
import { deriveSessionKey, generateEphemeralKeySync } from '../../src/crypto/ecdh.js';
import { decryptCReq } from '../../src/crypto/jwe.js';
import { CryptoPool, defaultTaskFile, poolThreadCount } from '../../src/crypto/pool.js';
import type { ThreadData } from '../../src/crypto/tasks/task-types.js';
import { createMetrics } from '../../src/metrics.js';
import { expectRejection } from '../helpers/expect-error.js';
import { TestSdk } from '../helpers/sdk.js';
import { POOL_ENTRY, tempDirs, testConfig, withSigning } from './fixtures.js';

async function histogramCount(metrics: ReturnType<typeof createMetrics>, task: string): Promise<number> {
  const h = await metrics.histogram('pool_task_duration_seconds').get();
  return h.values.find((v) => v.metricName === 'pool_task_duration_seconds_count' && v.labels.task === task)?.value ?? 0;
}

describe('crypto/pool', () => {
  describe('poolThreadCount', () => {
    it('sizes 0 as max(1, round(cores / workers)) and keeps an explicit count', () => {
      expect(poolThreadCount(0, 2, 2)).to.equal(1);
      expect(poolThreadCount(0, 1, 2)).to.equal(2);
      expect(poolThreadCount(0, 4, 2)).to.equal(1);
      expect(poolThreadCount(0, 3, 8)).to.equal(3);
      expect(poolThreadCount(0, 0, 4)).to.equal(4);
      expect(poolThreadCount(3, 8, 2)).to.equal(3);
    });
  });

  it('points at the task module next to itself (the compiled .js in production)', () => {
    const file = defaultTaskFile();
    expect(path.dirname(file)).to.equal(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'crypto', 'tasks'));
    // Running from source under tsx the sibling is the .ts file; compiled, it is crypto-task.js.
    expect(path.basename(file)).to.equal('crypto-task.ts');
  });

  it('keeps the threads free of configuration, logging, metrics and store: the task module graph stays in src/crypto', () => {
    const srcCrypto = fileURLToPath(new URL('../../src/crypto/', import.meta.url));
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^import\s+(type\s+)?[^'"]*from\s+'(\.[^']+)'/gm)) {
        if (m[1]) continue; // type-only imports vanish at run time
        visit(path.resolve(path.dirname(file), (m[2] as string).replace(/\.js$/, '.ts')));
      }
    };
    visit(path.join(srcCrypto, 'tasks', 'crypto-task.ts'));
    for (const f of seen) expect(f.startsWith(srcCrypto), f).to.equal(true);
    const names = [...seen].map((f) => path.relative(srcCrypto, f)).sort();
    expect(names).to.not.include.members(['pool.ts', 'crypto-service.ts', 'acs-credentials.ts']);
  });

  describe('threads', () => {
    const tmp = tempDirs();
    let pool: CryptoPool;
    const metrics = createMetrics('worker', { defaults: false });
    let workerData: ThreadData;

    before(async () => {
      const creds = await loadAcsCredentials({ config: withSigning(testConfig(), { dataDir: await tmp.make(), algorithm: 'ES256' }) });
      workerData = { signing: { alg: creds.alg, privateKeyPem: creds.privateKeyPem, x5c: [...creds.x5c] } };
      pool = new CryptoPool({ threads: 2, maxQueue: 64, taskFile: POOL_ENTRY, workerData, metrics, warm: true });
    });
    after(async () => {
      await pool.close();
      await tmp.cleanup();
    });

    it('runs every task in a thread with the same results as inline', async () => {
      const sdk = new TestSdk({ enc: 'A128GCM' });
      const acs = await pool.run('keygen', {});
      expect(acs.publicJwk).to.include({ kty: 'EC', crv: 'P-256' });
      const key = await pool.run('ecdh-kdf', {
        acsPrivJwk: acs.privateJwk,
        sdkPubJwk: sdk.ephemPubKey,
        sdkReferenceNumber: sdk.sdkReferenceNumber,
      });
      expect(Buffer.from(key).equals(deriveSessionKey(acs.privateJwk, sdk.ephemPubKey, sdk.sdkReferenceNumber))).to.equal(true);

      sdk.acsTransID = crypto.randomUUID();
      sdk.sessionKey = sdk.deriveSessionKey(acs.publicJwk);
      const jwe = await sdk.nextCReq({ challengeDataEntry: '1234' });
      expect(await pool.run('jwe-decrypt', { jwe, key, enc: 'A128GCM' })).to.deep.equal(await decryptCReq(jwe, key, 'A128GCM'));
      const cres = await pool.run('jwe-encrypt', { payload: { acsCounterAtoS: '000' }, key, enc: 'A128GCM', kid: sdk.acsTransID });
      expect(await sdk.decryptCRes(cres)).to.deep.equal({ acsCounterAtoS: '000' });

      const payload = { acsURL: 'http://localhost/challenge', acsEphemPubKey: acs.publicJwk, sdkEphemPubKey: sdk.ephemPubKey };
      const jws = await pool.run('sign', { payload });
      expect((await sdk.verifySignedContent(jws)).payload).to.deep.equal(payload);

      expect(pool.liveThreads).to.be.greaterThan(0);
      expect(pool.completed).to.be.at.least(5);
      for (const t of ['keygen', 'ecdh-kdf', 'jwe-decrypt', 'jwe-encrypt', 'sign'])
        expect(await histogramCount(metrics, t), t).to.be.at.least(1);
    });

    it('gives input errors back as their typed errors', async () => {
      const acs = generateEphemeralKeySync();
      const bad = await expectRejection(
        pool.run('ecdh-kdf', { acsPrivJwk: acs.privateJwk, sdkPubJwk: { kty: 'EC', crv: 'P-384' }, sdkReferenceNumber: 'r' }),
        InvalidKeyError,
      );
      expect(bad.field).to.equal('sdkEphemPubKey');
      await expectRejection(pool.run('jwe-decrypt', { jwe: 'a.b.c.d.e', key: new Uint8Array(32), enc: 'A128CBC-HS256' }), DecryptionError);
    });

    it('refuses work beyond maxQueue with PoolOverloadedError and reports the queue size', async () => {
      const small = new CryptoPool({ threads: 1, maxQueue: 2, taskFile: POOL_ENTRY, workerData, metrics, warm: true });
      try {
        const acs = generateEphemeralKeySync();
        const payload = { acsURL: 'http://localhost/challenge', acsEphemPubKey: acs.publicJwk, sdkEphemPubKey: acs.publicJwk };
        const settled = await Promise.allSettled(Array.from({ length: 20 }, () => small.run('sign', { payload })));
        const refused = settled.filter((s) => s.status === 'rejected');
        expect(refused.length).to.be.at.least(10);
        for (const r of refused) expect((r as PromiseRejectedResult).reason).to.be.instanceOf(PoolOverloadedError);
        expect(settled.filter((s) => s.status === 'fulfilled').length).to.be.at.least(1);
        expect((await metrics.gauge('pool_queue_size').get()).values[0]?.value).to.equal(0);
      } finally {
        await small.close();
      }
    });

    it('closes once and refuses work afterwards', async () => {
      const p = new CryptoPool({ threads: 1, maxQueue: 4, taskFile: POOL_ENTRY, workerData });
      expect(p.liveThreads).to.equal(0); // not warm: no thread until there is work
      await p.run('keygen', {});
      await Promise.all([p.close(), p.close()]);
      await expectRejection(p.run('keygen', {}), Error, /closed/);
    });
  });
});
