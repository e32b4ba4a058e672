// What every chaos scenario (scenarios/*.ts) is made of: the row it returns and its verdict, the figures
// taken from the load driver's records, the load run around a fault, the servers and Redis processes a
// scenario starts (stopped whatever happens), and scenario(): the one shape of them all.
import { startRedis } from '../../../test/helpers/redis.js';
import { quantile } from '../common.js';
import { Driver } from '../driver.js';
import { type LoadOptions, type LoadReport, NOT_FAILURES, type ReqRecord } from '../flows.js';
import { type RunningServer, startChaosServer } from '../processes.js';
import type { ReadBack } from '../readback.js';

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
export const CONCURRENCY = 8;
export const REPLACING = 'worker exited unexpectedly; replacing it';

// ——— figures from the driver's records ——————————————————————————————————————————————————————————

export const isFailure = (r: ReqRecord) => !NOT_FAILURES.has(r.kind);

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

export function verdictOf(checks: { what: string; ok: boolean }[]): Verdict {
  return checks.every((c) => c.ok) ? 'PASS' : 'FAIL';
}

export function baseRow(scenario: string, target: string, rep: LoadReport | undefined): Row {
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

export function withReadBack(row: Row, rb: ReadBack): void {
  row.acked = rb.acked;
  row.readBack = rb.readBack;
  row.lost = rb.lost + rb.regressed;
  if (rb.unreadable > 0) row.notes.push(`${rb.unreadable} acknowledged records could not be read back (no answer or 5xx)`);
  if (rb.samples.length > 0) row.notes.push(`read-back samples: ${rb.samples.slice(0, 3).join('; ')}`);
}

export const ms = (x: number | undefined) => (x === undefined ? 'never' : `${Math.round(x)} ms`);

/** Starts the load, runs `body`, always stops the load; returns the driver's report with body's value. */
export async function underLoad<T>(opts: LoadOptions, body: () => Promise<T>): Promise<{ rep: LoadReport; value: T }> {
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
export class Resources {
  private readonly closers: (() => Promise<void>)[] = [];
  add(close: () => Promise<void>): void {
    this.closers.push(close);
  }
  async closeAll(): Promise<void> {
    for (const c of this.closers.reverse()) await c().catch(() => {});
  }
}

export async function server(res: Resources, opts: Parameters<typeof startChaosServer>[0]): Promise<RunningServer> {
  const s = await startChaosServer(opts);
  res.add(() => s.stop());
  return s;
}

export async function redis(res: Resources) {
  const r = await startRedis({ appendonly: true });
  res.add(() => r.close());
  return r;
}

export const baseOf = (s: RunningServer) => `http://127.0.0.1:${s.port}`;

/** The flow load of every test card on one server. */
export const loadOn = (s: RunningServer): LoadOptions => ({ bases: [baseOf(s)], concurrency: CONCURRENCY });

// ——— the shape of a scenario ————————————————————————————————————————————————————————————————

export interface ScenarioSpec {
  name: string;
  needs: string[];
  /** Makes the fault and measures it; what it starts goes into `res`. Returns the row with its checks. */
  run(ctx: ChaosContext, res: Resources): Promise<Row>;
  /** The verdict from the row; by default PASS when every check holds, FAIL otherwise. */
  verdict?(row: Row): Verdict;
}

/** A scenario from what is its own: its Resources are closed whatever happens, its verdict is set from its checks. */
export function scenario(spec: ScenarioSpec): ChaosScenario {
  return {
    name: spec.name,
    needs: spec.needs,
    async run(ctx) {
      const res = new Resources();
      try {
        const row = await spec.run(ctx, res);
        row.verdict = spec.verdict ? spec.verdict(row) : verdictOf(row.checks);
        return row;
      } finally {
        await res.closeAll();
      }
    },
  };
}
