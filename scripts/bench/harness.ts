// Benchmark harness (DESIGN §4): scenarios run against loopback, interleaved (A B A B …) over rounds,
// median per scenario, ratios against baselines measured in the same run. Load comes from wrk for
// single-request scenarios and from a Node flow driver (a separate process) for multi-step flows.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort } from '../free-port.js';

export { freePort };

export interface Measurement {
  rps: number;
  p50ms: number;
  p99ms: number;
  /** Server CPU time per request (all processes of the server tree), microseconds. */
  cpuUsPerReq: number;
  requests: number;
  errors: number;
  /** Event-loop delay p99 of the server workers where the scenario reports it. */
  extra?: Record<string, number>;
}

export interface Scenario {
  name: string;
  /** Scenario this one is compared with (ratio = this / baseline), when any. */
  baseline?: string[];
  run(seconds: number): Promise<Measurement>;
}

/** The scenarios of a started group, and how to stop what the group started. */
export interface ScenarioGroup {
  scenarios: Scenario[];
  close(): Promise<void>;
}

/**
 * A benchmark group as scripts/bench.ts knows it: its scenario names are known without starting
 * anything (for --help and --only), and start() returns scenarios with exactly those names.
 */
export interface BenchGroup {
  name: string;
  description: string;
  /** Programs the group runs besides node. */
  needs: string[];
  scenarioNames(): string[];
  start(root: string): Promise<ScenarioGroup>;
}


/** CPU seconds (user + system) of a process and all its descendants, from /proc. */
export function treeCpuSeconds(rootPid: number): number {
  const ticks = 100;
  const children = new Map<number, number[]>();
  const cpu = new Map<number, number>();
  for (const line of spawnSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' }).stdout.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (!pid || ppid === undefined) continue;
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid)?.push(pid);
  }
  const stack = [rootPid];
  let total = 0;
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const t = (Number(fields[11]) + Number(fields[12])) / ticks;
      cpu.set(pid, t);
      total += t;
    } catch {
      // exited meanwhile
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

export interface WrkTarget {
  url: string;
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  connections?: number;
  /** Lua body for wrk instead of the generated one. */
  lua?: string;
}

function wrkScript(t: WrkTarget): string {
  if (t.lua) return t.lua;
  const headers = { ...(t.body ? { 'Content-Type': 'application/json' } : {}), ...t.headers };
  const lines = [`wrk.method = ${JSON.stringify(t.method ?? 'GET')}`];
  if (t.body) lines.push(`wrk.body = ${luaString(t.body)}`);
  for (const [k, v] of Object.entries(headers)) lines.push(`wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`);
  lines.push(
    'done = function(summary, latency, requests)',
    '  io.write(string.format("BENCH %d %d %.3f %.3f\\n", summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000))',
    'end',
  );
  return lines.join('\n');
}

function luaString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Runs wrk against a target while measuring the server tree's CPU. */
export async function runWrk(t: WrkTarget, seconds: number, serverPid: number): Promise<Measurement> {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const dir = mkdtempSync(path.join(tmpdir(), 'm3ds-wrk-'));
  const script = path.join(dir, 's.lua');
  writeFileSync(script, wrkScript(t));
  const cpu0 = treeCpuSeconds(serverPid);
  const started = process.hrtime.bigint();
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn('wrk', ['-t1', `-c${t.connections ?? 32}`, `-d${seconds}s`, '-s', script, t.url], { stdio: ['ignore', 'pipe', 'pipe'] });
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
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = treeCpuSeconds(serverPid) - cpu0;
  const m = /BENCH (\d+) (\d+) ([\d.]+) ([\d.]+)/.exec(out);
  if (!m) throw new Error(`wrk gave no result: ${out.slice(-500)}`);
  const requests = Number(m[1]);
  const rpsLine = /Requests\/sec:\s+([\d.]+)/.exec(out);
  return {
    requests,
    errors: Number(m[2]),
    rps: rpsLine ? Number(rpsLine[1]) : requests / elapsed,
    p50ms: Number(m[3]),
    p99ms: Number(m[4]),
    cpuUsPerReq: requests > 0 ? (cpu / requests) * 1e6 : 0,
  };
}

/** Starts a server process and resolves once `ready` says so. */
export async function startProcess(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  ready: (port: number) => Promise<boolean>,
  port: number,
): Promise<ChildProcess> {
  const p = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'], detached: true });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (p.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${p.exitCode}`);
    if (await ready(port).catch(() => false)) return p;
    await new Promise((r) => setTimeout(r, 200));
  }
  p.kill('SIGKILL');
  throw new Error(`${args.join(' ')} did not become ready`);
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

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
