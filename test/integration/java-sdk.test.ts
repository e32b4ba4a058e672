// The app challenge against a second SDK in another language (SPEC §6, §14): the built server
// (dist/main.js, two workers, so CReqs land on either worker) is driven by test/sdk-java/AppSdk.java,
// which uses only the JDK (java.security, javax.crypto, java.net.http) and shares no code with the
// server. PS256 runs every case of test/sdk-java/runs.ts; ES256 the text and OOB cards, both encs.
// Without `java` on PATH the suite is skipped outside CI and fails under CI=true.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { freePort, ROOT, type RunningServer, startServer } from '../helpers/server.js';
import { JAVA_RUNS, type JavaRun } from '../sdk-java/runs.js';

const SDK = path.join(ROOT, 'test/sdk-java/AppSdk.java');
const INSTALL_HINT = 'apt-get install -y openjdk-17-jdk-headless';

function javaAvailable(): boolean {
  const r = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return r.status === 0;
}

function runJava(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('java', [SDK, ...args], { timeout: 45_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

function suite(alg: 'PS256' | 'ES256', runs: readonly JavaRun[]): void {
  describe(`Java SDK against the built server (${alg})`, function () {
    this.timeout(60_000);
    let server: RunningServer | undefined;
    let dataDir: string;

    before(async function () {
      if (!javaAvailable()) {
        if (process.env.CI === 'true') throw new Error(`java is not on PATH and CI=true: install a JDK 17 (${INSTALL_HINT})`);
        console.warn(`    java not found on PATH: Java SDK tests skipped. Install it with: ${INSTALL_HINT}`);
        this.skip();
      }
      dataDir = mkdtempSync(path.join(os.tmpdir(), 'm3ds-java-sdk-'));
      const port = await freePort();
      // Not waiting inside startServer keeps the handle, so after() stops the tree even if it never gets ready.
      const s = await startServer({
        workers: 2,
        waitReady: false,
        env: {
          PORT: String(port),
          // acsURL (inside acsSignedContent) is built from the public URL: the SDK posts CReqs there.
          PUBLIC_URL: `http://127.0.0.1:${port}`,
          SIGNING_ALGORITHM: alg,
          DATA_DIR: dataDir,
          RESULTS_PUSH_ENABLED: 'false',
        },
      });
      server = s;
      await Promise.race([
        s.waitForLog((l) => l.msg === 'ready', 30_000),
        s.exited.then(({ code }) => {
          throw new Error(`server exited (${code}) before ready: ${s.stderr.join('')}`);
        }),
      ]);
    });

    after(async () => {
      await server?.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    for (const run of runs) {
      it(`${run.name}`, async () => {
        const r = await runJava([(server as RunningServer).url(''), ...run.args]);
        const wanted = run.exit ?? 0;
        expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).to.equal(wanted);
        const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
        expect(out.ok).to.equal(wanted === 0);
        if (wanted === 0) expect(out.alg).to.equal(alg);
      });
    }
  });
}

suite('PS256', JAVA_RUNS);
suite(
  'ES256',
  JAVA_RUNS.filter((r) => /^(text 4001|OOB 4010) /.test(r.name)),
);
