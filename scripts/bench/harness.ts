// Benchmark harness (DESIGN §4): scenarios run against loopback, interleaved (A B A B …) over rounds,
// median per scenario, ratios against baselines measured in the same run. Load comes from wrk for
// single-request scenarios (scripts/bench/wrk-script.ts) and from a Node flow driver (a separate
// process, scripts/bench/flow-driver.ts) for multi-step flows. Every scenario counts only the answers it
// expects: anything else throws a ScenarioFailure, which fails the whole run (exit 1).
import { type ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../free-port.js';
import type { DriverRequest, DriverResult } from './flow-driver.js';
import { parseWrkOutput, type WrkTarget, wrkScript } from './wrk-script.js';

export type { WrkTarget };
export { freePort };

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface StepFigures {
  count: number;
  p50ms: number;
  p99ms: number;
}

export interface Measurement {
  /** Counted units per second: requests (wrk), flows (flow driver) or operations (store). */
  rps: number;
  /** Latency of one unit (a request, or a whole flow). */
  p50ms: number;
  p99ms: number;
  /** CPU time of the measured processes per unit, microseconds (server tree, plus Redis where used). */
  cpuUsPerReq: number;
  /** Units counted: only the answers the scenario expects (anything else fails the run). */
  requests: number;
  /** Share of the server tree's CPU spent in the primary (the embedded store's host), 0..1. */
  primaryCpuShare?: number;
  /** Per-step latency of a flow. */
  steps?: Record<string, StepFigures>;
  /** Scenario-specific figures (event-loop delay p99, driver CPU per flow, …). */
  extra?: Record<string, number>;
}

/** A ratio against a baseline of the same run: this.rps / (baseline.rps / divisor). */
export interface BaselineRef {
  name: string;
  /** The baseline's rate is divided by this first (the browser flow is five requests: bare ÷ 5). */
  divisor?: number;
}

export interface Scenario {
  name: string;
  /** How ratios against this scenario are labelled (default: its name). */
  short?: string;
  /** Seconds of warm-up this scenario needs at least when warm-up is on (a JVM's JIT). */
  minWarmup?: number;
  /** What one counted unit is. */
  unit?: 'req' | 'flow' | 'op' | 'sig';
  /** Baselines this scenario is compared with (ratio = this / baseline), when any. */
  baseline?: (string | BaselineRef)[];
  run(seconds: number): Promise<Measurement>;
}

/** The scenarios of a started group, and how to stop what the group started. */
export interface ScenarioGroup {
  scenarios: Scenario[];
  close(): Promise<void>;
}

/**
 * A benchmark group as scripts/bench.ts knows it: its scenario names are known without starting
 * anything (for --help and --only), and start() returns scenarios with exactly those names. start() is
 * cheap: servers start lazily when a scenario that needs them first runs, so --only spares the others.
 */
export interface BenchGroup {
  name: string;
  description: string;
  /** Programs the group runs besides node. */
  needs: string[];
  scenarioNames(): string[];
  start(root: string): Promise<ScenarioGroup>;
}

/** A scenario saw answers it does not expect (or none at all): the run must fail, not count them. */
export class ScenarioFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioFailure';
  }
}

/** Memoized async start: the first call starts, later calls share the result; a failure is retried. */
export function lazy<T>(start: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    if (!p) {
      p = start();
      p.catch(() => {
        p = undefined;
      });
    }
    return p;
  };
}

/** CPU seconds (user + system) of process trees, from /proc: the total, and per root its tree and its own. */
export function cpuSeconds(rootPids: number[]): { total: number; roots: Map<number, { tree: number; own: number }> } {
  const ticks = 100;
  const children = new Map<number, number[]>();
  for (const line of spawnSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' }).stdout.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (!pid || ppid === undefined) continue;
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid)?.push(pid);
  }
  const own = (pid: number): number => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / ticks;
    } catch {
      return 0; // exited meanwhile
    }
  };
  const roots = new Map<number, { tree: number; own: number }>();
  let total = 0;
  for (const root of new Set(rootPids)) {
    const r = { tree: 0, own: own(root) };
    const stack = [root];
    while (stack.length > 0) {
      const pid = stack.pop() as number;
      r.tree += pid === root ? r.own : own(pid);
      stack.push(...(children.get(pid) ?? []));
    }
    roots.set(root, r);
    total += r.tree;
  }
  return { total, roots };
}

/** Whose CPU a scenario charges: the server's process tree (and Redis's, where used); the primary's share separately. */
export interface CpuTarget {
  /** Roots of the process trees whose CPU is the cost of the scenario. */
  pids: number[];
  /** The primary of our cluster (the embedded store's host): its share of its own tree's CPU is reported. */
  primaryPid?: number;
}

function cpuWindow(t: CpuTarget): () => { cpu: number; primaryShare?: number } {
  const roots = t.primaryPid !== undefined && !t.pids.includes(t.primaryPid) ? [...t.pids, t.primaryPid] : t.pids;
  const before = cpuSeconds(roots);
  return () => {
    const after = cpuSeconds(roots);
    const cpu = after.total - before.total;
    if (t.primaryPid === undefined) return { cpu };
    const a = after.roots.get(t.primaryPid);
    const b = before.roots.get(t.primaryPid);
    const tree = (a?.tree ?? 0) - (b?.tree ?? 0);
    const own = (a?.own ?? 0) - (b?.own ?? 0);
    return { cpu, primaryShare: tree > 0 ? own / tree : 0 };
  };
}

/** A fresh 19-character UUID prefix ("xxxxxxxx-xxxx-xxxx-") for one wrk run: IDs never repeat across runs. */
export function runNonce(): string {
  const h = randomBytes(8).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-`;
}

/**
 * Runs wrk (1 thread, 32 connections by default) against a target while measuring the CPU of `cpu`.
 * Throws a ScenarioFailure when any answer is not one the target expects, or on socket errors.
 */
export async function runWrk(t: WrkTarget, seconds: number, cpu: CpuTarget): Promise<Measurement> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'm3ds-wrk-'));
  try {
    const script = path.join(dir, 's.lua');
    writeFileSync(script, wrkScript(t));
    const window = cpuWindow(cpu);
    const args = [
      '-t',
      String(t.threads ?? 1),
      '-c',
      String(t.connections ?? 32),
      '-d',
      `${seconds}s`,
      '-s',
      script,
      t.url,
      '--',
      runNonce(),
    ];
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let o = '';
      p.stdout.on('data', (c: Buffer) => {
        o += c.toString();
      });
      p.stderr.on('data', (c: Buffer) => {
        o += c.toString();
      });
      p.once('error', reject);
      p.once('exit', () => resolve(o));
    });
    const { cpu: cpuS, primaryShare } = window();
    const r = parseWrkOutput(out);
    const expected = (t.expect ?? [200]).join('/');
    const socket = r.connectErrors + r.readErrors + r.writeErrors + r.timeouts;
    if (r.unexpected.length > 0 || socket > 0 || r.ok === 0) {
      const bad = r.unexpected.map(([what, n]) => `${n}× HTTP ${what}`).join(', ');
      throw new ScenarioFailure(
        `${t.method ?? (t.body !== undefined ? 'POST' : 'GET')} ${t.url}: ${r.ok} expected answers (HTTP ${expected}${t.bodyIncludes ? ` with ${t.bodyIncludes}` : ''}) of ${r.requests}` +
          (bad ? `; unexpected: ${bad}` : '') +
          (socket > 0
            ? `; socket errors: connect ${r.connectErrors}, read ${r.readErrors}, write ${r.writeErrors}, timeout ${r.timeouts}`
            : '') +
          (r.sample ? `; first unexpected body: ${r.sample}` : ''),
      );
    }
    const elapsed = r.durationUs / 1e6;
    return {
      requests: r.ok,
      rps: r.ok / elapsed,
      p50ms: r.p50ms,
      p99ms: r.p99ms,
      cpuUsPerReq: (cpuS / r.ok) * 1e6,
      ...(primaryShare !== undefined && { primaryCpuShare: primaryShare }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The flow driver process (one per bench run, started on first use): flows are run by message. */
export interface FlowDriver {
  run(req: Omit<DriverRequest, 'type'>, cpu: CpuTarget): Promise<Measurement>;
  close(): Promise<void>;
}

export function flowDriver(): FlowDriver {
  let child: ChildProcess | undefined;
  let pending: { resolve: (r: DriverResult) => void; reject: (e: Error) => void } | undefined;
  const start = lazy(async () => {
    const c = fork(path.join(HERE, 'flow-driver.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    c.on('message', (m) => {
      const p = pending;
      pending = undefined;
      p?.resolve(m as DriverResult);
    });
    c.once('exit', (code) => {
      const p = pending;
      pending = undefined;
      p?.reject(new Error(`flow driver exited with ${code}`));
    });
    child = c;
    return c;
  });
  return {
    async run(req, cpu) {
      const c = await start();
      const reply = new Promise<DriverResult>((resolve, reject) => {
        pending = { resolve, reject };
      });
      const window = cpuWindow(cpu);
      c.send({ type: 'run', ...req } satisfies DriverRequest);
      const r = await reply;
      const { cpu: cpuS, primaryShare } = window();
      if (r.unexpected.length > 0 || r.flows === 0) {
        const lines = r.unexpected.map((u) => `${u.count}× step ${u.step}: ${u.why}${u.sample ? ` — ${u.sample}` : ''}`);
        throw new ScenarioFailure(
          `${req.kind} flow at ${req.base}: ${r.flows} complete flows; unexpected answers: ${lines.join('; ') || 'none (no flow completed)'}`,
        );
      }
      return {
        requests: r.flows,
        rps: r.flows / r.elapsedS,
        p50ms: r.flow.p50ms,
        p99ms: r.flow.p99ms,
        cpuUsPerReq: (cpuS / r.flows) * 1e6,
        steps: r.steps,
        extra: { driverCpuUsPerFlow: r.driverCpuUs / r.flows },
        ...(primaryShare !== undefined && { primaryCpuShare: primaryShare }),
      };
    },
    async close() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((r) => child?.once('exit', r));
      child.disconnect();
      await exited;
    },
  };
}

/** The environment a server gets: its own settings on top of a minimal base, not the caller's whole environment. */
export function cleanEnv(env: Record<string, string>): Record<string, string> {
  const base: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    const v = process.env[k];
    if (v !== undefined) base[k] = v;
  }
  return { ...base, ...env };
}

/**
 * Starts a server process and resolves once `ready` says so. Its stdout (the access log of our server)
 * goes to /dev/null: the server pays for writing every line, the terminal's cost is not measured.
 */
export async function startProcess(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  ready: (port: number) => Promise<boolean>,
  port: number,
  opts: { cwd?: string } = {},
): Promise<ChildProcess> {
  const p = spawn(cmd, args, {
    env: cleanEnv(env),
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
    ...(opts.cwd && { cwd: opts.cwd }),
  });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (p.exitCode !== null) throw new Error(`${cmd} ${args.join(' ')} exited with ${p.exitCode}`);
    if (await ready(port).catch(() => false)) return p;
    await new Promise((r) => setTimeout(r, 200));
  }
  await stopProcess(p);
  throw new Error(`${cmd} ${args.join(' ')} did not become ready`);
}

export async function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  const t = setTimeout(() => {
    try {
      process.kill(-(p.pid as number), 'SIGKILL');
    } catch {
      p.kill('SIGKILL');
    }
  }, 10_000);
  await exited;
  clearTimeout(t);
}

/** A throwaway redis-server (no persistence) on a free port, with its pid for the CPU figures. */
export interface BenchRedis {
  url: string;
  pid: number;
  close(): Promise<void>;
}

export async function startBenchRedis(): Promise<BenchRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'm3ds-bench-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    '--protected-mode',
    'no',
    '--logfile',
    path.join(dir, 'redis.log'),
  ];
  try {
    const p = await startProcess('redis-server', args, {}, (pt) => redisPing(pt), port);
    return {
      url: `redis://127.0.0.1:${port}`,
      pid: p.pid as number,
      async close() {
        await stopProcess(p);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function redisPing(port: number): Promise<boolean> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

/** GET a URL's status is 2xx (readiness probes). */
export async function httpOk(url: string): Promise<boolean> {
  const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
  await r.body?.cancel();
  return r.ok;
}

/** One counter series summed from a server's /metrics (0 when absent), e.g. fresh authentications. */
export async function metricValue(port: number, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** The value at quantile q (0..1) of sorted numbers. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] as number;
}
