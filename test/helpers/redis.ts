// Real Redis for tests (SPEC §14): starts `redis-server` from PATH on a free loopback port in a temporary
// directory, standalone or as a three-node cluster. Without redis-server the Redis suites are skipped
// with the install command, except under CI=true, where its absence fails them.
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const INSTALL_HINT = 'apt-get install -y redis-server';

let available: boolean | undefined;
let hinted = false;

export function redisServerAvailable(): boolean {
  if (available === undefined) {
    const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
    available = r.status === 0;
  }
  return available;
}

/** Call first in a Redis suite's before(): skips it (outside CI) or fails it (CI=true) without redis-server. */
export function requireRedis(ctx: Mocha.Context): void {
  if (redisServerAvailable()) return;
  if (process.env.CI === 'true') throw new Error(`redis-server is not on PATH and CI=true: install it (${INSTALL_HINT})`);
  if (!hinted) {
    hinted = true;
    console.warn(`    redis-server not found on PATH: Redis tests skipped. Install it with: ${INSTALL_HINT}`);
  }
  ctx.skip();
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** Whether the process is running. */
  running(): boolean;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** Sends a signal (default SIGKILL: a crash) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and directory (after stop or kill). */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

export interface RedisServerOptions {
  /** Append-only file with fsync per write, so a killed server keeps what it acknowledged (default true). */
  appendonly?: boolean;
  /** Port to use (default: a free one). */
  port?: number;
  extraArgs?: string[];
}

export async function startRedis(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'm3ds-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--protected-mode',
    'no',
    '--daemonize',
    'no',
    '--logfile',
    path.join(dir, 'redis.log'),
    ...(opts.appendonly === false ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', 'always']),
    ...(opts.extraArgs ?? []),
  ];
  let proc: ChildProcess | undefined;
  const launch = async () => {
    proc = spawn('redis-server', args, { stdio: 'ignore' });
    await waitForPing(port, proc, dir);
  };
  const waitExit = async (signal: NodeJS.Signals) => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill(signal);
    await exited;
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    running: () => proc !== undefined && proc.exitCode === null && proc.signalCode === null,
    stop: () => waitExit('SIGTERM'),
    kill: (signal = 'SIGKILL') => waitExit(signal),
    restart: launch,
    async close() {
      await waitExit('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisCluster {
  /** "127.0.0.1:port" of each master. */
  readonly nodes: string[];
  close(): Promise<void>;
}

/** A cluster of `size` masters and no replicas, every slot assigned, state ok on every node. */
export async function startRedisCluster(size = 3): Promise<RedisCluster> {
  const servers: RedisServer[] = [];
  try {
    for (let i = 0; i < size; i++) {
      // The cluster bus listens on port + 10000, so that one must be free too.
      const port = await freePort(true);
      servers.push(
        await startRedis({
          port,
          appendonly: false,
          extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'],
        }),
      );
    }
    const nodes = servers.map((s) => `127.0.0.1:${s.port}`);
    await execFileAsync('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 20_000 });
    for (const s of servers)
      await waitFor(async () => (await cli(s.port, 'cluster', 'info')).includes('cluster_state:ok'), 20_000, 'cluster state ok');
    return {
      nodes,
      async close() {
        await Promise.all(servers.map((s) => s.close()));
      },
    };
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }
}

export interface RedisSentinel {
  /** "127.0.0.1:port" of the Sentinel. */
  readonly node: string;
  close(): Promise<void>;
}

/** One Sentinel monitoring a running server as master group `name` (quorum 1). */
export async function startRedisSentinel(masterPort: number, name = 'mymaster'): Promise<RedisSentinel> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'm3ds-sentinel-'));
  const conf = path.join(dir, 'sentinel.conf');
  // Sentinel rewrites its configuration file, so it gets its own writable one.
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `logfile ${path.join(dir, 'redis.log')}`,
      `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
      `sentinel down-after-milliseconds ${name} 1000`,
      '',
    ].join('\n'),
  );
  const proc = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  await waitForPing(port, proc, dir);
  return {
    node: `127.0.0.1:${port}`,
    async close() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs redis-cli against a local port; returns its output. */
export async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 5000 });
  return stdout;
}

/** Polls `cond` until true; rejects after timeoutMs naming what it waited for. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await cond()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function waitForPing(port: number, proc: ChildProcess, dir: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) break;
    if (await ping(port)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  let log = '';
  try {
    log = readFileSync(path.join(dir, 'redis.log'), 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    // no log
  }
  proc.kill('SIGKILL');
  throw new Error(`redis-server on port ${port} did not answer PING\n${log}`);
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let buf = '';
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
  });
}

/** A loopback port nothing listens on (and port + 10000 too, for a cluster bus). */
export async function freePort(withBus = false): Promise<number> {
  if (!withBus) return listenOnce(0);
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 25000);
    try {
      await listenOnce(port);
      await listenOnce(port + 10000);
      return port;
    } catch {
      // taken; try another
    }
  }
  throw new Error('no free port pair found');
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
}
