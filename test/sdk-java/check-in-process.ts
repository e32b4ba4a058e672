// Runs the Java SDK (AppSdk.java) against an in-process server: createApp(deps) with the real tiered
// store (embedded L2 in this process) and the real crypto service, on 127.0.0.1:0, with
// server.publicUrl set to that address so acsURL is reachable. For checking the Java SDK without a
// build (the integration test, test/integration/java-sdk.test.ts, runs it against dist/main.js).
//   npx tsx test/sdk-java/check-in-process.ts [PS256|ES256]
// Prints one line per run and exits non-zero when any run did not end as expected.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCryptoService } from '../../src/crypto/crypto-service.js';
import { createApp } from '../../src/http/app.js';
import { createProtocol } from '../../src/protocol/protocol.js';
import { isFinalRecord, type TransactionRecord } from '../../src/protocol/transaction/record.js';
import { createStore } from '../../src/store/create-store.js';
import { testDeps } from '../helpers/app-deps.js';
import { testConfig } from '../protocol/helpers.js';
import { JAVA_RUNS } from './runs.js';

const SDK = fileURLToPath(new URL('./AppSdk.java', import.meta.url));
const alg = process.argv[2] === 'ES256' ? 'ES256' : 'PS256';

function java(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('java', [SDK, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mock3ds-java-'));
const deps = testDeps();
const edit = (base?: string) =>
  testConfig((c) => {
    c.notifications.enabled = false;
    c.protocol.signing.algorithm = alg;
    c.protocol.signing.dataDir = dataDir;
    if (base) c.server.publicUrl = base;
  });
deps.setConfig(edit());
const store = await createStore<TransactionRecord>({
  config: deps.config(),
  logger: deps.logger,
  metrics: deps.metrics,
  isImmutable: isFinalRecord,
});
const crypto = await createCryptoService({ config: deps.config(), logger: deps.logger, metrics: deps.metrics, workers: 1 });
const protocol = createProtocol({ config: () => deps.config(), store, logger: deps.logger, metrics: deps.metrics, crypto });
deps.protocol = protocol;
const server = http.createServer(createApp(deps));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
deps.setConfig(edit(base));

let failed = 0;
try {
  for (const run of JAVA_RUNS) {
    const r = await java([base, ...run.args]);
    const ok = r.code === (run.exit ?? 0);
    if (!ok) failed++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${alg} ${run.name}: exit ${r.code} ${r.stdout.trim()}${ok ? '' : `\n${r.stderr}`}`);
  }
} finally {
  await protocol.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await crypto.close();
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
}
process.exitCode = failed === 0 ? 0 : 1;
