// The chaos scenarios of load (SPEC §20): slow clients beside 5,000 idle keep-alive connections,
// structure-aware fuzzing of every endpoint, and the embedded store streamed at its entry bound.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { workerPids } from '../../../test/helpers/server.js';
import type { StreamFigures } from '../../bench/store-stream.js';
import { ROOT, sleep } from '../common.js';
import { Flood } from '../flood.js';
import { runFuzz } from '../fuzz.js';
import { metric, openFilesLimit, rssSampler, treeRss } from '../processes.js';
import { startStream } from '../stream.js';
import {
  baseOf,
  baseRow,
  failuresByKind,
  loadOn,
  ms,
  p99Between,
  REPLACING,
  type Row,
  scenario,
  server,
  total,
  underLoad,
} from './shared.js';

// ——— slow clients and idle connections ——————————————————————————————————————————————————————————

const IDLE = 5000;
const SLOW = 50;

export const slowClients = scenario({
  name: 'slow clients + 5,000 idle keep-alive connections',
  needs: [],
  async run(ctx, res) {
    const limits = openFilesLimit();
    const need = IDLE + 2 * SLOW + 1024;
    const s = await server(res, { workers: 2, nofile: need });
    const load = loadOn(s);
    // Warm-up, then the unloaded p99.
    await underLoad(load, () => sleep(1000));
    const phase = Math.max(3000, (ctx.seconds * 1000) / 2);
    const base = await underLoad(load, () => sleep(phase));
    const p99Base = p99Between(base.rep.records, 0, Number.MAX_VALUE) ?? 0;
    const rssBefore = treeRss(s.pid).tree;
    const started = await Flood.start({ port: s.port, idle: IDLE, slowHeaders: SLOW, slowBodies: SLOW, byteIntervalMs: 50 });
    res.add(async () => started.flood.kill());
    const rssIdle = treeRss(s.pid).tree;
    const sampler = rssSampler(() => s.pid, 1000);
    const loaded = await underLoad(load, () => sleep(Math.max(3000, ctx.seconds * 1000)));
    const samples = sampler.stop();
    const flood = await started.flood.stop();
    const rssAfter = treeRss(s.pid).tree;
    const p99Loaded = p99Between(loaded.rep.records, 0, Number.MAX_VALUE) ?? 0;
    const row = baseRow(this.name, 'p99 ≤ 2× unloaded; 0 failed; idle connections kept; memory bounded', loaded.rep);
    row.p99FaultMs = p99Loaded;
    const peak = Math.max(...samples.map((x) => x.tree), rssIdle);
    const perConn = started.open > 0 ? (rssIdle - rssBefore) / started.open : 0;
    const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
    row.checks = [
      { what: `p99 ${ms(p99Loaded)} ≤ 2 × unloaded ${ms(p99Base)}`, ok: p99Loaded <= 2 * p99Base },
      { what: `failed ${total(row.failures)}`, ok: total(row.failures) === 0 },
      {
        what: `idle connections open ${started.open}/${IDLE}, closed by the server ${flood.idle.closedByServer}`,
        ok: started.open === IDLE && flood.idle.closedByServer === 0,
      },
      {
        what: `server RSS ${mib(rssBefore)} → ${mib(rssIdle)} with the idle connections (${Math.round(perConn / 1024)} KiB each), peak ${mib(peak)}, after ${mib(rssAfter)}`,
        ok: perConn < 64 * 1024,
      },
    ];
    row.notes.push(
      `slow clients: ${flood.slow.started} started, ${flood.slow.completed} requests completed ${JSON.stringify(flood.slow.statuses)}, errors ${JSON.stringify(flood.slow.errors)}, ${flood.slow.bytesSent} bytes dribbled`,
      `open files: soft ${limits.soft}, hard ${limits.hard} (Node raises its soft limit to the hard one at start-up); needed ${need}${started.raisedTo ? `, raised to ${started.raisedTo} for the flood` : ''}`,
    );
    row.extra = {
      p99UnloadedMs: p99Base,
      p99LoadedMs: p99Loaded,
      rssBytes: { before: rssBefore, withIdle: rssIdle, peak, after: rssAfter },
      rssCurve: samples.map((x) => ({ t: Math.round(x.t), tree: x.tree, primary: x.own })),
      flood,
    };
    return row;
  },
});

// ——— fuzzing ——————————————————————————————————————————————————————————————————————————————————

export const fuzz = scenario({
  name: 'structure-aware fuzzing of every endpoint',
  needs: [],
  async run(ctx, res) {
    const s = await server(res, { workers: 2 });
    const pids = await workerPids(s, 2);
    const { rep, value: f } = await underLoad({ bases: [baseOf(s)], concurrency: 2 }, () =>
      runFuzz({
        base: baseOf(s),
        seed: ctx.seed,
        requests: ctx.fuzzRequests,
        concurrency: 16,
        maxSeconds: Math.max(600, ctx.seconds * 10),
        progress: (n) => ctx.log(`  fuzz: ${n.toLocaleString('en-US')} requests`),
      }),
    );
    const after = await workerPids(s, 2);
    const restarts = await metric(s.port, 'worker_restarts_total');
    const exits = s.lines.filter((l) => l.msg === REPLACING || l.msg === 'uncaught exception; worker exits and is replaced').length;
    const row = baseRow(
      this.name,
      `≥ ${ctx.fuzzRequests.toLocaleString('en-US')} requests: 0 5xx (but the DS-error 502), 0 dead workers, 0 dropped`,
      rep,
    );
    row.requests += f.requests;
    row.fiveXX += f.unexpected5xx + f.outage503;
    for (const [k, n] of Object.entries(f.dropKinds)) row.failures[`fuzz: no answer (${k})`] = n;
    if (f.unexpected5xx > 0) row.failures['fuzz: 5xx'] = f.unexpected5xx;
    row.p99FaultMs = f.p99ms;
    const strangers = f.pids.filter((p) => !pids.has(p));
    // Error lines other than the DS-error card's (logged at error level with its stack): what the server itself calls a failure.
    const errorLines: Record<string, number> = {};
    for (const l of s.lines) {
      if (l.level !== 'error' && l.level !== 'fatal') continue;
      const err = (l.err as { message?: string } | undefined)?.message ?? '';
      if (err.startsWith('Directory Server error')) continue;
      const key = `${l.msg}${err ? `: ${err.slice(0, 120)}` : ''}`;
      errorLines[key] = (errorLines[key] ?? 0) + 1;
    }
    row.checks = [
      {
        what: `fuzz requests: ${f.sweepRequests.toLocaleString('en-US')} of the field sweep + ${(f.requests - f.sweepRequests).toLocaleString('en-US')} random ≥ ${ctx.fuzzRequests.toLocaleString('en-US')}`,
        ok: f.requests - f.sweepRequests >= ctx.fuzzRequests,
      },
      {
        what: `unexpected 5xx ${f.unexpected5xx} (documented 502 of card 4012: ${f.documented502}; 503: ${f.outage503})`,
        ok: f.unexpected5xx === 0 && f.outage503 === 0,
      },
      { what: `dropped connections ${f.dropped}`, ok: f.dropped === 0 },
      {
        what: `dead workers: pids ${[...pids].join(', ')} → ${[...after].join(', ')}, restarts ${restarts}, exits logged ${exits}, unknown answering pids ${strangers.length}`,
        ok: [...after].sort().join() === [...pids].sort().join() && restarts === 0 && exits === 0 && strangers.length === 0,
      },
      { what: `flow load beside it: failed ${total(failuresByKind(rep.records))}`, ok: total(failuresByKind(rep.records)) === 0 },
      { what: `error log lines (the DS error aside): ${JSON.stringify(errorLines)}`, ok: total(errorLines) === 0 },
    ];
    if (f.failures.length > 0) {
      const file = path.join(ctx.outDir, `chaos-${ctx.stamp}-fuzz-failures.jsonl`);
      writeFileSync(file, `${f.failures.map((x) => JSON.stringify(x)).join('\n')}\n`);
      row.notes.push(
        `reproductions: ${path.relative(ROOT, file)} (replay: node --import tsx scripts/chaos/fuzz.ts --replay ${path.relative(ROOT, file)} --base URL)`,
      );
    }
    row.notes.push(
      `fuzz: ${f.requests.toLocaleString('en-US')} requests in ${f.elapsedS.toFixed(1)} s, statuses ${JSON.stringify(f.byStatus)}`,
    );
    row.extra = { fuzz: { ...f, failures: f.failures.length }, seed: ctx.seed };
    return row;
  },
});

// ——— the embedded store at its entry bound ——————————————————————————————————————————————————————

/** The entry bound of the stream: a quarter of its transactions, so three quarters of them evict. */
const STREAM_BOUND = 250_000;

const STREAM_TRANSACTIONS = 1_000_000;

export const storeStream = scenario({
  name: 'embedded store at its entry bound, 1,000,000 transactions',
  needs: [],
  async run(ctx) {
    ctx.log(
      `  streaming ${STREAM_TRANSACTIONS.toLocaleString('en-US')} transactions through the embedded store bounded at ${STREAM_BOUND.toLocaleString('en-US')} entries …`,
    );
    const run = await startStream(STREAM_TRANSACTIONS, STREAM_BOUND);
    const sampler = rssSampler(() => run.child.pid, 1000);
    let f: StreamFigures;
    try {
      f = await run.figures;
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
    const curve = sampler.stop().filter((x) => x.own > 0);
    const mib = (b: number) => Math.round(b / 2 ** 20);
    // The bound is reached after a quarter of the stream; from the midpoint on the RSS must stay flat.
    const mid = curve[Math.floor(curve.length / 2)]?.own ?? 0;
    const lastHalfMax = Math.max(0, ...curve.slice(Math.floor(curve.length / 2)).map((x) => x.own));
    const row: Row = {
      scenario: this.name,
      requests: f.transactions,
      failures: {},
      fiveXX: 0,
      target: 'records held = the bound; RSS flat once it is reached (last half ≤ 1.2× the midpoint); bytes per record reported',
      verdict: 'PASS',
      recovered: 'not applicable',
      checks: [
        {
          what: `records held ${f.held.toLocaleString('en-US')} = the bound ${STREAM_BOUND.toLocaleString('en-US')}`,
          ok: f.held === STREAM_BOUND,
        },
        {
          what: `RSS at the midpoint ${mib(mid)} MiB, highest in the last half ${mib(lastHalfMax)} MiB (${curve.length} samples)`,
          ok: curve.length >= 4 && lastHalfMax <= 1.2 * mid,
        },
      ],
      notes: [
        `${f.rssBytesPerRecord} B of RSS and ${f.heapBytesPerRecord} B of JS heap per record held (${f.recordBytes} B of JSON each); peak RSS ${mib(f.peakRssBytes)} MiB (heap limit ${mib(f.heapLimitBytes)} MiB); longest GC pause ${f.maxGcPauseMs.toFixed(1)} ms (${f.gcCount} GCs); ${Math.round(f.tps).toLocaleString('en-US')} transactions/s`,
        `RSS every second (MiB): ${curve.map((x) => mib(x.own)).join(' ')}`,
        "the store runs in a child standing in for the primary (the bench's store stream, scripts/bench/store-stream.ts), not behind a live server",
      ],
      extra: { figures: f, bound: STREAM_BOUND, rssCurve: curve.map((x) => ({ t: Math.round(x.t), rss: x.own })) },
    };
    return row;
  },
});
