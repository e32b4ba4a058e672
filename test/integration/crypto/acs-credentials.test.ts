// ACS credentials across processes: several workers starting at once against one empty data directory
// end up with one key pair, generated once (test/crypto/acs-credentials.test.ts covers one process).
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { generatedPaths } from '../../../src/crypto/acs-credentials.js';
import { tempDirs } from '../../crypto/fixtures.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./credentials-child.ts', import.meta.url));

describe('crypto/acs-credentials across processes (integration)', () => {
  const tmp = tempDirs();
  after(() => tmp.cleanup());

  it('concurrent first starts of several processes end with one pair that all of them use', async function () {
    this.timeout(60_000);
    const dataDir = await tmp.make();
    const startAt = String(Date.now() + 2500);
    const outs = await Promise.all(
      Array.from({ length: 4 }, () => run(process.execPath, ['--import', 'tsx', CHILD, dataDir, 'PS256', startAt], { cwd: process.cwd() })),
    );
    const results = outs.map((o) => JSON.parse(o.stdout.trim()) as { origin: string; fingerprint: string; spki: string });
    expect(new Set(results.map((r) => r.spki)).size).to.equal(1);
    expect(new Set(results.map((r) => r.fingerprint)).size).to.equal(1);
    expect(results.filter((r) => r.origin === 'generated')).to.have.length(1);
    // No temporary files left behind, and the files on disk are the pair they use.
    expect((await readdir(dataDir)).sort()).to.deep.equal(['acs-signing-ps256.crt.pem', 'acs-signing-ps256.key.pem']);
    const onDisk = new X509Certificate(await readFile(generatedPaths(dataDir, 'PS256').certPath));
    expect(onDisk.fingerprint256).to.equal(results[0]?.fingerprint);
  });
});
