// The embedded store at its entry bound (SPEC §7, §20), reusing the bench's stream
// (scripts/bench/store-stream.ts): a child with Node's default heap settings streams transactions through
// the store as a browser challenge uses it (create, read by acsTransID, compare-and-set) with real
// records, bounded at `maxEntries`, and prints its figures; the orchestrator samples its RSS every second.
//
// The records are made here through the
// protocol in-process, as the bench's realRecords() makes them (scripts/bench/scenarios-store.ts does not
// export it); the core is the product's EmbeddedCore, bounded by --max-entries.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { createProtocol } from '../../src/protocol/protocol.js';
import { isFinalRecord, type TransactionRecord } from '../../src/protocol/transaction/record.js';
import { createStore } from '../../src/store/create-store.js';
import type { StreamFigures } from '../bench/store-stream.js';
import { ROOT } from './common.js';

/** An open browser challenge (card 4001) and the same once completed, made by the protocol code. */
export async function realRecords(): Promise<{ open: TransactionRecord; final: TransactionRecord }> {
  const { config } = loadConfig({ env: { NODE_ENV: 'development' }, configDir: path.join(ROOT, 'config') });
  const logger = createLogger('warn');
  const store = await createStore<TransactionRecord>({
    config,
    logger,
    metrics: createMetrics('worker', { defaults: false }),
    isImmutable: isFinalRecord,
  });
  const protocol = createProtocol({ config: () => config, store, logger, metrics: createMetrics('worker', { defaults: false }) });
  try {
    const ctx = { baseUrl: 'http://127.0.0.1:8080' };
    const areq = JSON.parse(readFileSync(path.join(ROOT, 'examples/authenticate-browser.json'), 'utf8')) as Record<string, unknown>;
    const id = (await protocol.version({ cardNumber: '4000400040004001' }, ctx)).threeDSServerTransID;
    const ares = await protocol.authenticate({ ...areq, threeDSServerTransID: id }, ctx);
    if (ares.transStatus !== 'C') throw new Error(`authenticate of card 4001 answered ${ares.transStatus}, not C`);
    const page = await protocol.openChallenge({ creq: ares.base64EncodedChallengeRequest, threeDSSessionData: 'order-42' }, ctx);
    if (page.type !== 'challenge') throw new Error(`the challenge did not open (${page.type})`);
    const open = (await store.get(id))?.value;
    await protocol.submitChallenge({ threeDSServerTransID: id, value: config.protocol.otp }, ctx);
    const final = (await store.get(id))?.value;
    if (!open || !final || !isFinalRecord(final) || isFinalRecord(open)) throw new Error('the protocol left no open and final records');
    return { open, final };
  } finally {
    await protocol.close();
    await store.close();
  }
}

export interface StreamRun {
  child: ChildProcess;
  figures: Promise<StreamFigures>;
}

/** Forks store-stream.ts (default heap settings, --expose-gc as the bench runs it) with the adapters above. */
export async function startStream(transactions: number, maxEntries: number): Promise<StreamRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'm3ds-chaos-stream-'));
  const file = path.join(dir, 'records.json');
  writeFileSync(file, JSON.stringify(await realRecords()));
  const child = fork(
    path.join(ROOT, 'scripts/bench/store-stream.ts'),
    [
      '--records',
      file,
      '--transactions',
      String(transactions),
      '--core',
      path.join(ROOT, 'src/store/embedded-core.ts'),
      '--max-entries',
      String(maxEntries),
    ],
    { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    process.stderr.write(d);
  });
  const figures = new Promise<StreamFigures>((resolve, reject) =>
    child.once('exit', (code) => {
      rmSync(dir, { recursive: true, force: true });
      if (code !== 0) return reject(new Error(`the store stream exited with ${code}: ${err.trim().split('\n').slice(-4).join(' | ')}`));
      resolve(JSON.parse(out.trim().split('\n').pop() as string) as StreamFigures);
    }),
  );
  return { child, figures };
}
