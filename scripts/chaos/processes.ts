// Real processes for the chaos scenarios: the built server (dist/main.js) as its own process group, with
// its log lines read as test/helpers/server.ts reads them, optionally under a raised open-files limit;
// what the kernel says about a process tree (alive, RSS); whether a port can be bound again; readiness.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { freePort, MAIN, RunningServer } from '../../test/helpers/server.js';
import { now, ROOT, sleep } from './common.js';

export { freePort, RunningServer };

export interface ChaosServerOptions {
  workers?: number;
  env?: Record<string, string>;
  args?: string[];
  /** Listen on this port (default: a free one). */
  port?: number;
  /** Open files the server needs (the soft limit is raised for it when lower, up to the hard limit). */
  nofile?: number;
  timeoutMs?: number;
}

/** The soft and hard open-files limits of this process (what a child inherits). */
export function openFilesLimit(): { soft: number; hard: number } {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft, hard] = (line ?? '')
    .replace('Max open files', '')
    .trim()
    .split(/\s+/)
    .map((v) => (v === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(v)));
  return { soft: soft ?? 1024, hard: hard ?? 1024 };
}

/**
 * How to start a command with at least `need` open files: as it is when the soft limit suffices, else
 * through `sh -c 'ulimit -Sn N && exec …'` (the pid stays the command's). Throws when the hard limit is lower.
 */
export function withOpenFiles(cmd: string, args: string[], need: number | undefined): { cmd: string; args: string[]; raisedTo?: number } {
  const { soft, hard } = openFilesLimit();
  if (need === undefined || soft >= need) return { cmd, args };
  if (hard < need) throw new Error(`needs ${need} open files; the hard limit is ${hard} (raise it: ulimit -Hn ${need})`);
  return { cmd: '/bin/sh', args: ['-c', `ulimit -Sn ${need} && exec "$0" "$@"`, cmd, ...args], raisedTo: need };
}

/** Servers started and not yet exited: their process groups are killed if the run is interrupted. */
const started = new Set<RunningServer>();

/** SIGKILL to the process group of every server not stopped yet (an interrupted run leaves none behind). */
export function killAllServers(): void {
  for (const s of started) {
    try {
      process.kill(-s.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  started.clear();
}

/** Starts dist/main.js (NODE_ENV test: test routes and X-Worker-Pid on; no access log) and waits for its ready line. */
export async function startChaosServer(opts: ChaosServerOptions = {}): Promise<RunningServer> {
  const port = opts.port ?? (await freePort());
  const { cmd, args } = withOpenFiles(process.execPath, [MAIN, ...(opts.args ?? [])], opts.nofile);
  const proc = spawn(cmd, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      // The primary's info lines (reloads, exits) without one access line per request.
      LOG_LEVEL: 'info',
      ACCESS_LOG: 'false',
      // Header-driven faults stay off: every fault here is one the scenario makes on purpose.
      FAULT_HEADERS_ENABLED: 'false',
      ...(opts.workers === undefined ? {} : { WORKERS: String(opts.workers) }),
      ...opts.env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const server = new RunningServer(proc, port);
  // Forgotten once stopped (stop() kills whatever is left of its group): its pid may then be reused.
  started.add(server);
  const stop = server.stop.bind(server);
  server.stop = async () => {
    await stop();
    started.delete(server);
  };
  try {
    await Promise.race([
      server.waitForLog((l) => l.msg === 'ready', opts.timeoutMs ?? 30_000),
      server.exited.then(({ code }) => {
        throw new Error(`server exited (${code}) before ready: ${server.stderr.join('').slice(0, 2000)}`);
      }),
    ]);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

/** Whether a pid is alive (and not a zombie). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Children of a pid, from /proc. */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Resident set size of one process in bytes (0 when gone). */
export function rssOf(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.replace(/\D+/g, '')) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** RSS of a process and of every descendant, in bytes: the root's own and the tree's. */
export function treeRss(root: number): { own: number; tree: number; pids: number[] } {
  const pids: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const p = stack.pop() as number;
    pids.push(p);
    stack.push(...childrenOf(p));
  }
  const own = rssOf(root);
  return { own, tree: pids.reduce((s, p) => s + (p === root ? own : rssOf(p)), 0), pids };
}

/** Samples a tree's RSS every `everyMs` until stopped. */
export function rssSampler(root: () => number | undefined, everyMs = 1000): { stop(): { t: number; own: number; tree: number }[] } {
  const samples: { t: number; own: number; tree: number }[] = [];
  const take = () => {
    const pid = root();
    if (pid === undefined) return;
    const r = treeRss(pid);
    if (r.own > 0) samples.push({ t: now(), own: r.own, tree: r.tree });
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

/** True when something can listen on 127.0.0.1:port now (nothing holds it). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** GET /health/ready on a fresh connection: its status (0 when nothing answered). */
export async function readyStatus(port: number): Promise<number> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/health/ready`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(1000) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}

/** Polls `cond` every `everyMs` until true or `timeoutMs` passed; the time it became true (epoch ms) or undefined. */
export async function pollUntil(cond: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<number | undefined> {
  const deadline = now() + timeoutMs;
  for (;;) {
    try {
      if (await cond()) return now();
    } catch {
      // not yet
    }
    if (now() > deadline) return undefined;
    await sleep(everyMs);
  }
}

/** The pids of the server's workers, from the primary's children in /proc. */
export function workerPidsOf(server: RunningServer): number[] {
  return childrenOf(server.pid);
}

/** One counter or gauge from /metrics, summed over matching series (undefined when the scrape fails). */
export async function metric(port: number, name: string): Promise<number | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    if (!res.ok) return undefined;
    let sum = 0;
    for (const line of text.split('\n')) {
      if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return sum;
  } catch {
    return undefined;
  }
}
