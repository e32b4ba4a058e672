// Spawns the built server (dist/main.js) as a real process tree and talks to it over sockets.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/free-port.js';

export { freePort };

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MAIN = path.join(ROOT, 'dist/main.js');

export interface LogLine {
  msg?: string;
  level?: string;
  [k: string]: unknown;
}

export interface ServerOptions {
  workers?: number;
  env?: Record<string, string>;
  args?: string[];
  /** Wait for the ready line (default true). */
  waitReady?: boolean;
  timeoutMs?: number;
}

export class RunningServer {
  readonly lines: LogLine[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: { pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];

  constructor(
    readonly proc: ChildProcess,
    readonly port: number,
    /** The environment the test gave (names the test in a leftover report). */
    readonly env: Record<string, string> = {},
  ) {
    let buf = '';
    proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk;
      let nl = buf.indexOf('\n');
      while (nl !== -1) {
        const raw = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        nl = buf.indexOf('\n');
        let line: LogLine;
        try {
          line = JSON.parse(raw) as LogLine;
        } catch {
          line = { msg: raw, raw: true };
        }
        this.lines.push(line);
        this.waiters = this.waiters.filter((w) => {
          if (!w.pred(line)) return true;
          w.resolve(line);
          return false;
        });
      }
    });
    proc.stderr?.setEncoding('utf8').on('data', (c: string) => this.stderr.push(c));
    this.exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.proc.pid as number;
  }

  url(p: string): string {
    return `http://127.0.0.1:${this.port}${p}`;
  }

  /** Resolves with the first line (already seen or future) matching `pred`. */
  waitForLog(pred: (l: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> {
    const seen = this.lines.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`log line not seen within ${timeoutMs} ms; stderr: ${this.stderr.join('')}`)), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (l) => {
          clearTimeout(t);
          resolve(l);
        },
      });
    });
  }

  signal(sig: NodeJS.Signals): void {
    this.proc.kill(sig);
  }

  /** SIGTERM, then SIGKILL of the whole tree if it lingers; then of any worker its primary left behind. */
  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGTERM');
      const t = setTimeout(() => {
        if (!this.killGroup()) this.proc.kill('SIGKILL');
      }, 8000);
      await this.exited;
      clearTimeout(t);
    }
    // Workers orphaned by a primary that was killed or forced out would hold our stdout pipes open.
    this.killGroup();
  }

  /** SIGKILL to the server's process group (it runs detached, as its own group); false when none is left. */
  private killGroup(): boolean {
    try {
      process.kill(-this.pid, 'SIGKILL');
      return true;
    } catch {
      return false;
    }
  }
}

/** Servers startServer started that have not exited yet (the root hook in no-leftovers.ts checks it is empty at the end). */
const running = new Set<RunningServer>();

/** The servers still running, each stopped (its process group killed); what the caller should report. */
export async function stopLeftovers(): Promise<string[]> {
  const left = [...running];
  await Promise.all(left.map((s) => s.stop()));
  return left.map((s) => `pid ${s.pid}, port ${s.port}, env ${JSON.stringify(s.env)}`);
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const port = opts.env?.PORT ? Number(opts.env.PORT) : await freePort();
  const proc = spawn(process.execPath, [MAIN, ...(opts.args ?? [])], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      ...(opts.workers === undefined ? {} : { WORKERS: String(opts.workers) }),
      LOG_LEVEL: 'info',
      ...opts.env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const server = new RunningServer(proc, port, opts.env ?? {});
  running.add(server);
  void server.exited.then(() => running.delete(server));
  if (opts.waitReady !== false) {
    try {
      await Promise.race([
        server.waitForLog((l) => l.msg === 'ready', opts.timeoutMs ?? 20_000),
        server.exited.then(({ code }) => {
          throw new Error(`server exited (${code}) before ready: ${server.stderr.join('')}`);
        }),
      ]);
    } catch (err) {
      // The caller never gets this server to stop: a process tree left running keeps mocha alive.
      await server.stop();
      throw err;
    }
  }
  return server;
}

/** GETs a test route on fresh connections until `n` distinct worker PIDs answered. */
export async function workerPids(server: RunningServer, n: number, timeoutMs = 5000): Promise<Set<number>> {
  const pids = new Set<number>();
  const deadline = Date.now() + timeoutMs;
  while (pids.size < n && Date.now() < deadline) {
    const res = await fetch(server.url('/__test/config'), { headers: { connection: 'close' }, signal: AbortSignal.timeout(1000) }).catch(
      () => null,
    );
    if (res?.ok) pids.add(((await res.json()) as { pid: number }).pid);
  }
  return pids;
}

export interface LoopStats {
  ok: number;
  failed: number;
  errors: string[];
}

/** Runs GET requests back to back until stopped; counts failures (non-2xx or network errors). */
export function requestLoop(url: string, concurrency = 4): { readonly stats: Readonly<LoopStats>; stop(): Promise<LoopStats> } {
  let running = true;
  const stats: LoopStats = { ok: 0, failed: 0, errors: [] };
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
        if (res.ok) stats.ok++;
        else {
          stats.failed++;
          stats.errors.push(`HTTP ${res.status}`);
        }
      } catch (err) {
        stats.failed++;
        stats.errors.push(String((err as Error).cause ?? err));
      }
    }
  });
  return {
    stats,
    async stop() {
      running = false;
      await Promise.all(loops);
      return stats;
    },
  };
}
