// The embedded store at scale (issue 10): streams transactions through the embedded store in this
// process, which stands in for the primary and runs with Node's default heap settings, and reports what
// it costs: bytes per record held (RSS and JS heap growth ÷ records), peak RSS, the longest GC pause.
// Each transaction is what a browser challenge does to the store: create the open-challenge record (with
// its acsTransID), read it by acsTransID (the ACS page), compare-and-set the completed record. The records
// are real ones (scenarios-store.ts makes them through the protocol) with fresh IDs per transaction.
//
//   node --import tsx scripts/bench/store-stream.ts --records FILE [--transactions N] [--core MODULE --max-entries N]
//
// FILE holds {"open": record, "final": record}. Without --core the store is built as the primary builds
// it, from the default configuration (bounds derived from this machine; STORE_MAX_BYTES and
// STORE_MAX_ENTRIES in the environment apply as they do to the server); --core loads EmbeddedCore from
// another module (e.g. an older version, for a before/after comparison) with a bound of --max-entries.
// Prints one JSON line of figures on stdout and a progress line on stderr.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config/index.js';
import type { StoreOp, StoreOpResult } from '../../src/ipc.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { createEmbeddedHost } from '../../src/store/embedded-host.js';

export interface StreamFigures {
  transactions: number;
  /** Records held at the end (the bounds evict the least recently used). */
  held: number;
  /** Bytes of one completed record's JSON. */
  recordBytes: number;
  /** RSS growth ÷ records held. */
  rssBytesPerRecord: number;
  /** JS heap growth ÷ records held (after a full GC outside the measured window). */
  heapBytesPerRecord: number;
  peakRssBytes: number;
  heapLimitBytes: number;
  /** Longest GC pause during the stream, and the longest per kind. */
  maxGcPauseMs: number;
  maxGcPauseMsByKind: Record<string, number>;
  gcCount: number;
  gcTotalMs: number;
  /** Transactions per second, and the latency of one transaction's three operations. */
  tps: number;
  /** CPU time of the stream (user + system), microseconds. */
  cpuUs: number;
  p50us: number;
  p99us: number;
  maxUs: number;
  /** What the store says it holds (cores that report it). */
  store?: { bytes: number; arenaBytes: number; tableBytes: number; maxEntries: number; maxBytes: number };
}

const TTL = 1800;
const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** A record's JSON with its three IDs rewritten in place per transaction: a flat string, as IPC delivers it. */
class Template {
  private readonly buf: Buffer;
  private readonly at: { pos: number; which: 0 | 1 | 2 }[] = [];

  constructor(json: string, ids: [string, string, string]) {
    this.buf = Buffer.from(json, 'utf8');
    for (const [which, id] of ids.entries()) {
      const needle = Buffer.from(id, 'latin1');
      for (let pos = this.buf.indexOf(needle); pos !== -1; pos = this.buf.indexOf(needle, pos + needle.length)) {
        this.at.push({ pos, which: which as 0 | 1 | 2 });
      }
    }
    if (!this.at.some((a) => a.which === 0)) throw new Error('the record does not hold its ID');
  }

  fill(ids: [string, string, string]): string {
    for (const a of this.at) this.buf.write(ids[a.which], a.pos, 'latin1');
    return this.buf.toString('utf8');
  }

  get length(): number {
    return this.buf.length;
  }
}

interface Core {
  handle(op: StoreOp): StoreOpResult;
  size(): number;
  stats?(): { bytes: number; arenaBytes: number; tableBytes: number };
  bounds?(): { maxEntries: number; maxBytes: number };
}

async function makeCore(root: string, coreModule: string | undefined, maxEntries: number): Promise<Core> {
  if (coreModule) {
    const mod = (await import(pathToFileURL(path.resolve(coreModule)).href)) as {
      EmbeddedCore: new (o: object) => { handle(op: StoreOp): StoreOpResult; size: number };
    };
    const core = new mod.EmbeddedCore({ maxEntries, maxBytes: Number.MAX_SAFE_INTEGER, sweepIntervalMs: 3_600_000 });
    return { handle: (op) => core.handle(op), size: () => core.size };
  }
  // The configuration as shipped (config/default.json and development.json set no store bound), or
  // bounds given as the server takes them: STORE_MAX_ENTRIES, STORE_MAX_BYTES.
  const bounds = Object.fromEntries(
    ['STORE_MAX_ENTRIES', 'STORE_MAX_BYTES'].flatMap((k) => (process.env[k] ? [[k, process.env[k] as string]] : [])),
  );
  const { config } = loadConfig({ env: { NODE_ENV: 'development', ...bounds }, configDir: path.join(root, 'config') });
  const host = createEmbeddedHost({
    maxEntries: config.store.maxEntries,
    maxBytes: config.store.maxBytes,
    logger: createLogger('warn'),
    metrics: createMetrics('primary', { defaults: false }),
    sweepIntervalMs: 3_600_000,
  });
  return host;
}

export async function streamStore(opts: {
  root: string;
  records: { open: object; final: object };
  transactions: number;
  coreModule?: string;
  maxEntries: number;
}): Promise<StreamFigures> {
  const open = opts.records.open as { threeDSServerTransID: string; auth: { acsTransID: string; dsTransID: string } };
  const ids: [string, string, string] = [open.threeDSServerTransID, open.auth.acsTransID, open.auth.dsTransID];
  const openT = new Template(JSON.stringify(opts.records.open), ids);
  const finalT = new Template(JSON.stringify(opts.records.final), ids);
  const core = await makeCore(opts.root, opts.coreModule, opts.maxEntries);

  let maxPause = 0;
  let gcCount = 0;
  let gcTotal = 0;
  const byKind: Record<string, number> = {};
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcCount++;
      gcTotal += e.duration;
      maxPause = Math.max(maxPause, e.duration);
      const kind = GC_KINDS[(e as unknown as { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'other';
      byKind[kind] = Math.max(byKind[kind] ?? 0, e.duration);
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  const before = process.memoryUsage();
  const lat = new Float64Array(opts.transactions);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < opts.transactions; i++) {
    const tx: [string, string, string] = [randomUUID(), randomUUID(), randomUUID()];
    const openJson = openT.fill(tx);
    const finalJson = finalT.fill(tx);
    const s = process.hrtime.bigint();
    const created = core.handle({ op: 'create', id: tx[0], value: openJson, ttlSeconds: TTL, acsTransID: tx[1] });
    const read = core.handle({ op: 'getByIndex', acsTransID: tx[1], ttlSeconds: TTL });
    // Versions come from one store-wide sequence (an ID created again never reuses one): CAS against the create's.
    const version = created.status === 'written' ? created.version : -1;
    const done = core.handle({ op: 'cas', id: tx[0], expectedVersion: version, value: finalJson, ttlSeconds: TTL });
    lat[i] = Number(process.hrtime.bigint() - s) / 1000;
    if (created.status !== 'written' || read.status !== 'found' || done.status !== 'written') {
      throw new Error(`transaction ${i}: create ${created.status}, read ${read.status}, cas ${done.status}`);
    }
    // Yield like the primary's event loop does between IPC messages (and let the GC observer report).
    if (i % 10_000 === 9_999) {
      await new Promise((r) => setImmediate(r));
      if (i % 100_000 === 99_999)
        process.stderr.write(
          `\r  ${i + 1} transactions, ${core.size()} held, RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB   `,
        );
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  const rss = process.memoryUsage().rss;
  // Outside the measured window: a full GC so the heap figure counts what is held, not garbage.
  (globalThis as { gc?: () => void }).gc?.();
  const after = process.memoryUsage();
  process.stderr.write('\n');
  const held = core.size();
  const sorted = Float64Array.from(lat).sort();
  const stats = core.stats?.();
  const bounds = core.bounds?.();
  const { heap_size_limit } = (await import('node:v8')).getHeapStatistics();
  return {
    transactions: opts.transactions,
    held,
    recordBytes: finalT.length,
    rssBytesPerRecord: Math.round((rss - before.rss) / held),
    heapBytesPerRecord: Math.round((after.heapUsed - before.heapUsed) / held),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    heapLimitBytes: heap_size_limit,
    maxGcPauseMs: maxPause,
    maxGcPauseMsByKind: byKind,
    gcCount,
    gcTotalMs: gcTotal,
    tps: opts.transactions / seconds,
    cpuUs: cpu.user + cpu.system,
    p50us: sorted[Math.floor(sorted.length * 0.5)] ?? 0,
    p99us: sorted[Math.floor(sorted.length * 0.99)] ?? 0,
    maxUs: sorted[sorted.length - 1] ?? 0,
    ...(stats && bounds && { store: { ...stats, ...bounds } }),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      records: { type: 'string' },
      transactions: { type: 'string', default: '1000000' },
      core: { type: 'string' },
      'max-entries': { type: 'string', default: '1000000' },
    },
    strict: true,
  });
  if (!values.records) throw new Error('--records FILE is required');
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const figures = await streamStore({
    root,
    records: JSON.parse(readFileSync(values.records, 'utf8')) as { open: object; final: object },
    transactions: Number(values.transactions),
    ...(values.core && { coreModule: values.core }),
    maxEntries: Number(values['max-entries']),
  });
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}
