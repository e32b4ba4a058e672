// The fault scenarios of `npm run chaos` (SPEC §20). Each runs on real processes — the built server,
// redis-server, the load driver — under a flow load of every test card, within a time bound, and returns
// one row: requests, failures by kind, 5xx, acknowledged records read back and lost, pushes expected and
// received, time to recover, p99 while the fault lasts, and the verdict against its target.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { redisServerAvailable, startRedis } from '../../test/helpers/redis.js';
import { workerPids } from '../../test/helpers/server.js';
import type { StreamFigures } from '../bench/store-stream.js';
import { now, quantile, ROOT, sleep } from './common.js';
import { Driver } from './driver.js';
import { Flood } from './flood.js';
import { type Ack, type LoadOptions, type LoadReport, NOT_FAILURES, type ReqRecord } from './flows.js';
import { runFuzz } from './fuzz.js';
import {
  alive,
  childrenOf,
  metric,
  openFilesLimit,
  pollUntil,
  portFree,
  type RunningServer,
  readyStatus,
  rssSampler,
  startChaosServer,
  treeRss,
} from './processes.js';
import { type ReadBack, readBack } from './readback.js';
import { startStream } from './stream.js';

export type Verdict = 'PASS' | 'FAIL' | 'PENDING SPEC §19' | 'SKIPPED' | 'ERROR';

export interface Row {
  scenario: string;
  requests: number;
  failures: Record<string, number>;
  /** HTTP 5xx answers other than the documented 502 of the DS-error card. */
  fiveXX: number;
  acked?: number;
  readBack?: number;
  lost?: number;
  pushes?: { expected: number; received: number };
  recoverMs?: number | undefined;
  /** What "recovered" means for this scenario. */
  recovered?: string;
  p99FaultMs?: number | undefined;
  target: string;
  verdict: Verdict;
  /** Why the verdict is what it is: each check with its figure. */
  checks: { what: string; ok: boolean }[];
  notes: string[];
  extra?: Record<string, unknown>;
}

export interface ChaosContext {
  seconds: number;
  seed: number;
  fuzzRequests: number;
  /** Where the run writes its files (fuzz reproductions). */
  outDir: string;
  stamp: string;
  log(line: string): void;
}

export interface ChaosScenario {
  name: string;
  needs: string[];
  run(ctx: ChaosContext): Promise<Row>;
}

/** Loops of the load driver: enough to load both workers without saturating two cores with the driver itself. */
const CONCURRENCY = 8;
const REPLACING = 'worker exited unexpectedly; replacing it';
const ROLLING = 'configuration reloaded; rolling restart of the workers';

// ——— figures from the driver's records ——————————————————————————————————————————————————————————

const isFailure = (r: ReqRecord) => !NOT_FAILURES.has(r.kind);

export function failuresByKind(records: readonly ReqRecord[], keep: (r: ReqRecord) => boolean = () => true): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) if (isFailure(r) && keep(r)) out[r.kind] = (out[r.kind] ?? 0) + 1;
  return out;
}

export const total = (m: Record<string, number>): number => Object.values(m).reduce((s, n) => s + n, 0);

/** 5xx answers, the documented 502 of the DS-error card excepted. */
export const fiveXXOf = (records: readonly ReqRecord[]): number => records.filter((r) => r.status >= 500 && r.kind !== 'expected').length;

/** p99 of the answered requests that started in [from, to] (the slow card's deliberate delay left out). */
export function p99Between(
  records: readonly ReqRecord[],
  from: number,
  to: number,
  keep: (r: ReqRecord) => boolean = () => true,
): number | undefined {
  const xs = records.filter((r) => r.status > 0 && !r.deliberate && r.t0 >= from && r.t0 <= to && keep(r)).map((r) => r.t1 - r.t0);
  return xs.length > 0 ? quantile(xs, 0.99) : undefined;
}

function verdictOf(checks: { what: string; ok: boolean }[]): Verdict {
  return checks.every((c) => c.ok) ? 'PASS' : 'FAIL';
}

function baseRow(scenario: string, target: string, rep: LoadReport | undefined): Row {
  const records = rep?.records ?? [];
  return {
    scenario,
    requests: records.filter((r) => r.kind !== 'rerouted').length,
    failures: failuresByKind(records),
    fiveXX: fiveXXOf(records),
    target,
    verdict: 'PASS',
    checks: [],
    notes: [],
  };
}

function withReadBack(row: Row, rb: ReadBack): void {
  row.acked = rb.acked;
  row.readBack = rb.readBack;
  row.lost = rb.lost + rb.regressed;
  if (rb.unreadable > 0) row.notes.push(`${rb.unreadable} acknowledged records could not be read back (no answer or 5xx)`);
  if (rb.samples.length > 0) row.notes.push(`read-back samples: ${rb.samples.slice(0, 3).join('; ')}`);
}

const ms = (x: number | undefined) => (x === undefined ? 'never' : `${Math.round(x)} ms`);

/** Starts the load, runs `body`, always stops the load; returns the driver's report with body's value. */
async function underLoad<T>(opts: LoadOptions, body: () => Promise<T>): Promise<{ rep: LoadReport; value: T }> {
  const driver = await Driver.start(opts);
  let value: T;
  try {
    value = await body();
  } catch (err) {
    driver.kill();
    throw err;
  }
  return { rep: await driver.stop(), value };
}

/** Servers and Redis processes a scenario starts, stopped whatever happens. */
class Resources {
  private readonly closers: (() => Promise<void>)[] = [];
  add(close: () => Promise<void>): void {
    this.closers.push(close);
  }
  async closeAll(): Promise<void> {
    for (const c of this.closers.reverse()) await c().catch(() => {});
  }
}

async function server(res: Resources, opts: Parameters<typeof startChaosServer>[0]): Promise<RunningServer> {
  const s = await startChaosServer(opts);
  res.add(() => s.stop());
  return s;
}

async function redis(res: Resources) {
  const r = await startRedis({ appendonly: true });
  res.add(() => r.close());
  return r;
}

const baseOf = (s: RunningServer) => `http://127.0.0.1:${s.port}`;

// ——— worker SIGKILL ————————————————————————————————————————————————————————————————————————————

const workerKill: ChaosScenario = {
  name: 'worker SIGKILL',
  needs: [],
  async run(ctx) {
    const res = new Resources();
    try {
      const s = await server(res, { workers: 2 });
      const pids = await workerPids(s, 2);
      const victim = [...pids][0] as number;
      let tKill = 0;
      let tExit: number | undefined;
      let tReady: number | undefined;
      const { rep } = await underLoad({ bases: [baseOf(s)], concurrency: CONCURRENCY }, async () => {
        await sleep((ctx.seconds * 1000) / 3);
        tKill = now();
        process.kill(victim, 'SIGKILL');
        await s.waitForLog((l) => l.msg === REPLACING && l.workerPid === victim, 10_000);
        tExit = now();
        tReady = await pollUntil(async () => (await readyStatus(s.port)) === 200, 15_000, 10);
        await sleep(Math.max(1000, (ctx.seconds * 2000) / 3 - (now() - tKill)));
      });
      const row = baseRow(this.name, 'failed ≤ in flight on the killed worker; replaced ≤ 2 s; 0 acknowledged lost', rep);
      const end = tExit ?? tKill + 1000;
      const onVictim = (r: ReqRecord) => r.pid === victim || r.pid === 0;
      const inFlight = rep.records.filter((r) => onVictim(r) && r.t0 <= end && r.t1 >= tKill && r.kind !== 'rerouted').length;
      const failed = total(row.failures);
      const elsewhere = total(failuresByKind(rep.records, (r) => !onVictim(r)));
      row.recoverMs = tReady === undefined ? undefined : tReady - tKill;
      row.recovered = 'SIGKILL → /health/ready 200 with every worker serving';
      row.p99FaultMs = p99Between(rep.records, tKill, tReady ?? end);
      withReadBack(row, await readBack(baseOf(s), rep.acks));
      const after = await workerPids(s, 2);
      row.checks = [
        { what: `failed ${failed} ≤ in flight on the killed worker ${inFlight}`, ok: failed <= inFlight },
        { what: `failures on the surviving worker: ${elsewhere}`, ok: elsewhere === 0 },
        { what: `replaced in ${ms(row.recoverMs)} ≤ 2000 ms`, ok: row.recoverMs !== undefined && row.recoverMs <= 2000 },
        {
          what: `two workers serving afterwards, the killed one gone (${[...after].join(', ')})`,
          ok: after.size === 2 && !after.has(victim),
        },
        { what: `acknowledged lost: ${row.lost}`, ok: row.lost === 0 },
      ];
      row.extra = { victim, inFlightOnVictim: inFlight };
      row.verdict = verdictOf(row.checks);
      return row;
    } finally {
      await res.closeAll();
    }
  },
};

// ——— primary SIGKILL ——————————————————————————————————————————————————————————————————————————

function primaryKill(withRedis: boolean): ChaosScenario {
  return {
    name: withRedis ? 'primary SIGKILL, Redis (appendfsync always)' : 'primary SIGKILL, embedded store',
    needs: withRedis ? ['redis-server'] : [],
    async run(ctx) {
      const res = new Resources();
      try {
        const r = withRedis ? await redis(res) : undefined;
        const env = r ? { REDIS_URL: r.url } : {};
        const s = await server(res, { workers: 2, env });
        const pids = childrenOf(s.pid);
        let tKill = 0;
        let tGone: number | undefined;
        let tFree: number | undefined;
        const { rep } = await underLoad({ bases: [baseOf(s)], concurrency: CONCURRENCY }, async () => {
          await sleep((ctx.seconds * 1000) / 2);
          tKill = now();
          process.kill(s.pid, 'SIGKILL');
          tGone = await pollUntil(() => pids.every((p) => !alive(p)), 10_000, 10);
          tFree = await pollUntil(() => portFree(s.port), 10_000, 10);
          await sleep(300);
        });
        const leftover = pids.filter(alive);
        // A new server on the same port (and the same Redis): it must be able to bind.
        let bound = false;
        let rb: ReadBack | undefined;
        let tReady: number | undefined;
        try {
          const s2 = await server(res, { workers: 2, env, port: s.port });
          bound = true;
          tReady = now();
          rb = await readBack(baseOf(s2), rep.acks);
        } catch (err) {
          ctx.log(`  the new server did not start: ${(err as Error).message}`);
        }
        const row = baseRow(
          this.name,
          withRedis
            ? 'workers exit; port free; a new server binds it; 0 acknowledged lost after restart'
            : "workers exit; port free; a new server binds it; loss = the embedded store's records (documented)",
          rep,
        );
        // Requests the kill cut off, and refusals while nothing listened, are this fault itself.
        row.failures = failuresByKind(rep.records, (x) => x.t1 < tKill);
        row.notes.push(
          `during the fault (expected: the server is gone): ${JSON.stringify(failuresByKind(rep.records, (x) => x.t1 >= tKill))}`,
        );
        row.fiveXX = fiveXXOf(rep.records.filter((x) => x.t1 < tKill));
        row.recoverMs = tFree === undefined ? undefined : tFree - tKill;
        row.recovered = 'SIGKILL → every worker exited and the port can be bound';
        row.p99FaultMs = p99Between(rep.records, tKill, tFree ?? tKill + 1000);
        if (rb) withReadBack(row, rb);
        row.checks = [
          {
            what: `workers exited in ${ms(tGone === undefined ? undefined : tGone - tKill)} (left: ${leftover.join(', ') || 'none'})`,
            ok: leftover.length === 0,
          },
          { what: `port free after ${ms(row.recoverMs)}`, ok: tFree !== undefined },
          { what: `a new server bound the port${tReady ? '' : ' (it did not)'}`, ok: bound },
          { what: `failures before the kill: ${total(row.failures)}`, ok: total(row.failures) === 0 },
        ];
        if (withRedis)
          row.checks.push({
            what: `acknowledged lost after restart: ${row.lost ?? '?'} of ${row.acked ?? '?'}`,
            ok: rb !== undefined && row.lost === 0,
          });
        else {
          row.checks.push({
            what: `loss as documented: ${row.lost ?? '?'} of ${row.acked ?? '?'} acknowledged records gone with the primary, none answered 5xx`,
            ok: rb !== undefined && rb.unreadable === 0 && rb.lost + rb.regressed === rb.acked,
          });
          row.notes.push(
            "README ('State: L1 over L2') says the embedded store is held by the primary and survives worker crashes and rolling restarts; it does not say in so many words that a primary crash loses every record",
          );
        }
        row.verdict = verdictOf(row.checks);
        return row;
      } finally {
        await res.closeAll();
      }
    },
  };
}

// ——— Redis down 10 s ——————————————————————————————————————————————————————————————————————————

const OUTAGE_MS = 10_000;

const redisOutage: ChaosScenario = {
  name: 'Redis killed for 10 s, restarted',
  needs: ['redis-server'],
  async run(ctx) {
    const res = new Resources();
    try {
      const r = await redis(res);
      const s = await server(res, { workers: 2, env: { REDIS_URL: r.url } });
      let tDown = 0;
      let tBack = 0;
      let tReady: number | undefined;
      const { rep } = await underLoad({ bases: [baseOf(s)], concurrency: CONCURRENCY }, async () => {
        await sleep(Math.max(2000, (ctx.seconds * 1000) / 2));
        tDown = now();
        await r.kill('SIGKILL');
        await sleep(OUTAGE_MS);
        await r.restart();
        tBack = now();
        tReady = await pollUntil(async () => (await readyStatus(s.port)) === 200, 30_000, 10);
        await sleep(Math.max(2000, (ctx.seconds * 1000) / 2));
      });
      const row = baseRow(
        this.name,
        'outage answers 503 + Retry-After, their p99 < 100 ms; ready ≤ 2 s after Redis returns; 0 acknowledged lost',
        rep,
      );
      const until = tReady ?? tBack + 5000;
      const during = rep.records.filter((x) => x.t1 >= tDown && x.t0 <= until);
      const refusals = during.filter((x) => x.kind === '503' || x.kind === '503 without Retry-After');
      const other = failuresByKind(during, (x) => x.kind !== '503');
      const outside = failuresByKind(rep.records, (x) => x.t1 < tDown || x.t0 > until);
      row.recoverMs = tReady === undefined ? undefined : tReady - tBack;
      row.recovered = 'Redis restarted (answers PING) → /health/ready 200';
      const p503 = refusals.map((x) => x.t1 - x.t0);
      row.p99FaultMs = p503.length > 0 ? quantile(p503, 0.99) : undefined;
      withReadBack(row, await readBack(baseOf(s), rep.acks));
      const ok200 = during.filter((x) => x.kind === 'ok').length;
      row.checks = [
        { what: `${refusals.length} answers 503 during the outage (${ok200} others answered as usual)`, ok: refusals.length > 0 },
        { what: `other failures during the outage: ${JSON.stringify(other)}`, ok: total(other) === 0 },
        { what: `p99 of the 503s ${ms(row.p99FaultMs)} < 100 ms`, ok: row.p99FaultMs !== undefined && row.p99FaultMs < 100 },
        { what: `ready ${ms(row.recoverMs)} after Redis returned (≤ 2000 ms)`, ok: row.recoverMs !== undefined && row.recoverMs <= 2000 },
        { what: `failures outside the outage: ${total(outside)}`, ok: total(outside) === 0 },
        { what: `acknowledged lost: ${row.lost}`, ok: row.lost === 0 },
      ];
      row.extra = { outageMs: tBack - tDown, max503Ms: p503.length ? Math.max(...p503) : undefined, p50503Ms: quantile(p503, 0.5) };
      row.verdict = verdictOf(row.checks);
      return row;
    } finally {
      await res.closeAll();
    }
  },
};

// ——— SIGHUP live, SIGHUP rolling, SIGTERM ————————————————————————————————————————————————————

async function configOf(s: RunningServer): Promise<{ pid: number; bodyLimitBytes: number }> {
  const r = await fetch(s.url('/__test/config'), { headers: { connection: 'close' }, signal: AbortSignal.timeout(1000) });
  return (await r.json()) as { pid: number; bodyLimitBytes: number };
}

function sighup(rolling: boolean): ChaosScenario {
  return {
    name: rolling ? 'SIGHUP rolling restart (restart-only key)' : 'SIGHUP live reload (live key)',
    needs: [],
    async run(ctx) {
      const res = new Resources();
      const dir = mkdtempSync(path.join(os.tmpdir(), 'm3ds-chaos-'));
      res.add(async () => rmSync(dir, { recursive: true, force: true }));
      try {
        const file = path.join(dir, 'chaos.json');
        const before = rolling ? { server: { keepAliveTimeoutMs: 65_000 } } : { http: { bodyLimitBytes: 65_536 } };
        const after = rolling ? { server: { keepAliveTimeoutMs: 64_000 } } : { http: { bodyLimitBytes: 65_537 } };
        writeFileSync(file, JSON.stringify(before));
        const s = await server(res, { workers: 2, args: ['--config', file] });
        const pids = await workerPids(s, 2);
        let tHup = 0;
        let tDone: number | undefined;
        let tOldGone: number | undefined;
        const { rep } = await underLoad({ bases: [baseOf(s)], concurrency: CONCURRENCY }, async () => {
          await sleep((ctx.seconds * 1000) / 3);
          writeFileSync(file, JSON.stringify(after));
          tHup = now();
          s.signal('SIGHUP');
          if (rolling) {
            await s.waitForLog((l) => l.msg === ROLLING, 10_000);
            tDone = await pollUntil(
              async () => {
                const p = await workerPids(s, 2, 500);
                return p.size === 2 && [...p].every((x) => !pids.has(x));
              },
              30_000,
              50,
            );
            tOldGone = await pollUntil(() => [...pids].every((p) => !alive(p)), 30_000, 50);
          } else {
            tDone = await pollUntil(
              async () => {
                const seen = new Set<number>();
                for (let i = 0; i < 12; i++) {
                  const c = await configOf(s);
                  if (c.bodyLimitBytes !== 65_537) return false;
                  seen.add(c.pid);
                }
                return seen.size === 2;
              },
              10_000,
              20,
            );
          }
          await sleep(Math.max(1000, (ctx.seconds * 2000) / 3 - (now() - tHup)));
        });
        const row = baseRow(this.name, '0 failed, 0 in-flight dropped; 0 acknowledged lost', rep);
        row.recoverMs = tDone === undefined ? undefined : tDone - tHup;
        row.recovered = rolling ? 'SIGHUP → two new workers serving' : 'SIGHUP → the new value on every worker';
        row.p99FaultMs = p99Between(rep.records, tHup, tOldGone ?? tDone ?? tHup + 1000);
        withReadBack(row, await readBack(baseOf(s), rep.acks));
        const afterPids = await workerPids(s, 2);
        const gauge = await metric(s.port, 'config_last_reload_successful');
        row.checks = [
          { what: `failed ${total(row.failures)}`, ok: total(row.failures) === 0 },
          { what: `applied in ${ms(row.recoverMs)}`, ok: tDone !== undefined },
          rolling
            ? {
                what: `old workers exited ${ms(tOldGone === undefined ? undefined : tOldGone - tHup)} after SIGHUP`,
                ok: tOldGone !== undefined,
              }
            : {
                what: `same worker pids (no restart): ${[...afterPids].sort().join(', ')}`,
                ok: [...afterPids].sort().join() === [...pids].sort().join(),
              },
          { what: `config_last_reload_successful ${gauge}`, ok: gauge === 1 },
          { what: `acknowledged lost: ${row.lost}`, ok: row.lost === 0 },
        ];
        row.verdict = verdictOf(row.checks);
        return row;
      } finally {
        await res.closeAll();
      }
    },
  };
}

const sigterm: ChaosScenario = {
  name: 'SIGTERM drain under load',
  needs: [],
  async run(ctx) {
    const res = new Resources();
    try {
      const r = redisServerAvailable() ? await redis(res) : undefined;
      const env = r ? { REDIS_URL: r.url } : {};
      const s = await server(res, { workers: 2, env });
      let tTerm = 0;
      let tExit = 0;
      let code: number | null = null;
      const { rep } = await underLoad({ bases: [baseOf(s)], concurrency: CONCURRENCY }, async () => {
        await sleep((ctx.seconds * 1000) / 2);
        tTerm = now();
        s.signal('SIGTERM');
        code = (await s.exited).code;
        tExit = now();
        await sleep(200);
      });
      const row = baseRow(this.name, '0 failed, 0 in-flight dropped; exit 0; 0 acknowledged lost (Redis)', rep);
      // Connections refused once the server stopped accepting are the shutdown itself, not a failure.
      const refusedAfter = rep.records.filter((x) => x.kind === 'refused' && x.t0 >= tTerm).length;
      row.failures = failuresByKind(rep.records, (x) => !(x.kind === 'refused' && x.t0 >= tTerm));
      const dropped = ['reset', 'timeout', 'transport'].reduce((n, k) => n + (row.failures[k] ?? 0), 0);
      row.recoverMs = tExit - tTerm;
      row.recovered = 'SIGTERM → primary exited';
      row.p99FaultMs = p99Between(rep.records, tTerm, tExit);
      row.notes.push(`${refusedAfter} connections refused after SIGTERM (expected: the server stopped accepting)`);
      const failed = rep.records.filter((x) => isFailure(x) && !(x.kind === 'refused' && x.t0 >= tTerm));
      if (failed.length > 0) {
        const before = failed.filter((x) => x.t0 < tTerm).length;
        const reusedAfter = failed.filter((x) => x.reused && x.t0 >= tTerm).length;
        const freshAfter = failed.filter((x) => !x.reused && x.t0 >= tTerm).length;
        row.notes.push(
          `failed requests: ${before} sent before SIGTERM; ${reusedAfter} sent after it on a reused keep-alive connection ` +
            '(the keep-alive race: the drain closed the connection as idle while the client reused it); ' +
            `${freshAfter} sent after it on a fresh connection that was accepted, then reset (the primary's listening socket stays open until every worker has stopped; connections it accepts meanwhile are queued, then closed). ` +
            failed
              .slice(0, 8)
              .map(
                (x) =>
                  `${x.step} ${x.kind} sent ${Math.round(x.t0 - tTerm)} ms after SIGTERM, ${x.reused ? 'reused' : 'fresh'} connection, answered after ${Math.round(x.t1 - x.t0)} ms`,
              )
              .join('; '),
        );
        row.extra = { failedBeforeSigterm: before, resetReusedAfter: reusedAfter, resetFreshAfter: freshAfter };
      }
      if (r) {
        const s2 = await server(res, { workers: 2, env, port: s.port });
        withReadBack(row, await readBack(baseOf(s2), rep.acks));
      } else row.notes.push('no redis-server: the embedded store goes with the primary, nothing to read back');
      row.checks = [
        { what: `failed ${total(row.failures)}`, ok: total(row.failures) === 0 },
        { what: `in-flight dropped ${dropped}`, ok: dropped === 0 },
        { what: `exit code ${code}`, ok: code === 0 },
        ...(r ? [{ what: `acknowledged lost after restart: ${row.lost}`, ok: row.lost === 0 }] : []),
      ];
      row.verdict = verdictOf(row.checks);
      return row;
    } finally {
      await res.closeAll();
    }
  },
};

// ——— slow clients and idle connections ——————————————————————————————————————————————————————————

const IDLE = 5000;
const SLOW = 50;

const slowClients: ChaosScenario = {
  name: 'slow clients + 5,000 idle keep-alive connections',
  needs: [],
  async run(ctx) {
    const res = new Resources();
    try {
      const limits = openFilesLimit();
      const need = IDLE + 2 * SLOW + 1024;
      const s = await server(res, { workers: 2, nofile: need });
      const load = { bases: [baseOf(s)], concurrency: CONCURRENCY };
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
      row.verdict = verdictOf(row.checks);
      return row;
    } finally {
      await res.closeAll();
    }
  },
};

// ——— fuzzing ——————————————————————————————————————————————————————————————————————————————————

const fuzz: ChaosScenario = {
  name: 'structure-aware fuzzing of every endpoint',
  needs: [],
  async run(ctx) {
    const res = new Resources();
    try {
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
      row.verdict = verdictOf(row.checks);
      return row;
    } finally {
      await res.closeAll();
    }
  },
};

// ——— the embedded store at its entry bound ——————————————————————————————————————————————————————

/** The entry bound of the stream: a quarter of its transactions, so three quarters of them evict. */
const STREAM_BOUND = 250_000;

const STREAM_TRANSACTIONS = 1_000_000;

const storeStream: ChaosScenario = {
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
    row.verdict = verdictOf(row.checks);
    return row;
  },
};

// ——— two instances on one Redis ———————————————————————————————————————————————————————————————

interface Receiver {
  url: string;
  received: Map<string, number>;
  close(): Promise<void>;
}

async function pushReceiver(): Promise<Receiver> {
  const received = new Map<string, number>();
  const srv = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      try {
        const id = (JSON.parse(body) as { threeDSServerTransID?: string }).threeDSServerTransID;
        if (id) received.set(id, (received.get(id) ?? 0) + 1);
      } catch {
        // not a push
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/results`, received, close: () => new Promise((resolve) => srv.close(() => resolve())) };
}

const DECOUPLED_MS = 3000;

const twoInstances: ChaosScenario = {
  name: 'two instances on one Redis, one killed',
  needs: ['redis-server'],
  async run(ctx) {
    const res = new Resources();
    try {
      const r = await redis(res);
      const rx = await pushReceiver();
      res.add(() => rx.close());
      const env = { REDIS_URL: r.url, DECOUPLED_DELAY_MS: String(DECOUPLED_MS) };
      const a = await server(res, { workers: 1, env });
      const b = await server(res, { workers: 1, env });
      const aWorkers = childrenOf(a.pid);
      let tKill = 0;
      let tGone: number | undefined;
      const { rep } = await underLoad({ bases: [baseOf(a), baseOf(b)], concurrency: CONCURRENCY, pushUrl: rx.url }, async () => {
        await sleep(Math.max(2000, (ctx.seconds * 1000) / 2));
        tKill = now();
        process.kill(a.pid, 'SIGKILL');
        tGone = await pollUntil(() => aWorkers.every((p) => !alive(p)), 10_000, 10);
        await sleep(Math.max(2000, (ctx.seconds * 1000) / 2));
      });
      // Every push due by now has had its time (decoupled delay, then the push and its retries).
      await sleep(DECOUPLED_MS + 2000);
      const due = rep.acks.filter((x) => x.level === 'completed' || x.status === 'D');
      const receivedBefore = due.filter((x) => rx.received.has(x.id)).length;
      const missing = due.filter((x) => !rx.received.has(x.id));
      // Acknowledged by instance A (the answer may have arrived a moment after the kill was sent).
      const onA = (x: Ack) => x.inst === 0;
      const missingDecoupledA = missing.filter((x) => x.status === 'D' && onA(x)).length;
      const missingCompletedA = missing.filter((x) => x.level === 'completed' && onA(x)).length;
      const missingB = missing.filter((x) => x.inst === 1).length;
      const rb = await readBack(baseOf(b), rep.acks);
      await sleep(2000);
      const receivedAfter = due.filter((x) => rx.received.has(x.id)).length;
      const row = baseRow(this.name, 'nothing acknowledged lost; every push delivered (SPEC §19: due work kept in Redis)', rep);
      // Requests cut off on the killed instance are the fault; refusals are rerouted to the other one.
      row.failures = failuresByKind(rep.records, (x) => x.inst === 1 || x.t1 < tKill);
      row.notes.push(
        `on the killed instance after the kill (the fault itself): ${JSON.stringify(failuresByKind(rep.records, (x) => x.inst === 0 && x.t1 >= tKill))}`,
      );
      withReadBack(row, rb);
      row.pushes = { expected: due.length, received: receivedBefore };
      row.recoverMs = tGone === undefined ? undefined : tGone - tKill;
      row.recovered = "SIGKILL of instance A's primary → its worker gone (B serves throughout)";
      row.p99FaultMs = p99Between(rep.records, tKill, tKill + 2000, (x) => x.inst === 1);
      row.notes.push(
        `pushes missing without a read: ${missing.length} (decoupled authenticated on A: ${missingDecoupledA}; challenges completed on A: ${missingCompletedA}; on B: ${missingB}); after reading every transaction back through B: ${receivedAfter}/${due.length} received`,
        'due work (decoupled completion, challenge timeout, results push) is kept in Redis and claimed by a live instance (src/store/due-queue.ts, SPEC §19); a push in flight on the killed instance comes back after its lease (5 s)',
      );
      row.checks = [
        { what: `acknowledged lost ${row.lost}`, ok: row.lost === 0 },
        {
          what: `failures on the surviving instance ${total(failuresByKind(rep.records, (x) => x.inst === 1))}`,
          ok: total(failuresByKind(rep.records, (x) => x.inst === 1)) === 0,
        },
        { what: `pushes received ${receivedBefore}/${due.length} without any read`, ok: missing.length === 0 },
      ];
      const duplicates = [...rx.received.values()].reduce((n, c) => n + c - 1, 0);
      row.notes.push(
        `pushes delivered more than once: ${duplicates} (at least once is the contract; receivers de-duplicate by threeDSServerTransID)`,
      );
      row.extra = {
        duplicatePushes: duplicates,
        missingPushes: missing.length,
        missingDecoupledOnKilled: missingDecoupledA,
        missingCompletedOnKilled: missingCompletedA,
        receivedAfterReadBack: receivedAfter,
      };
      const lostOrFailed = row.checks.slice(0, 2).some((c) => !c.ok);
      row.verdict = lostOrFailed ? 'FAIL' : missing.length > 0 ? 'PENDING SPEC §19' : 'PASS';
      return row;
    } finally {
      await res.closeAll();
    }
  },
};

export const SCENARIOS: readonly ChaosScenario[] = [
  workerKill,
  primaryKill(false),
  primaryKill(true),
  redisOutage,
  sighup(false),
  sighup(true),
  sigterm,
  slowClients,
  fuzz,
  storeStream,
  twoInstances,
];
