// Runs deploy/nginx/nginx.conf — the proxy compose's two-instances profile puts in front of its instances —
// with the nginx on PATH (Debian's package; CI installs it), rewriting only what differs outside Docker:
// the upstream addresses, the listening port, the pid file and the temporary folders.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/free-port.js';
import { ROOT } from './server.js';

export const NGINX_CONF = path.join(ROOT, 'deploy/nginx/nginx.conf');
const INSTALL_HINT = 'apt-get install -y nginx-light';

let binary: string | null | undefined;
let hinted = false;

/** nginx from PATH, else where Debian puts it (/usr/sbin, often not on a non-root user's PATH). */
function nginxBinary(): string | null {
  binary ??= ['nginx', '/usr/sbin/nginx'].find((b) => spawnSync(b, ['-v'], { stdio: 'ignore' }).status === 0) ?? null;
  return binary;
}

function nginxAvailable(): boolean {
  return nginxBinary() !== null;
}

/** Skips the suite when nginx is absent on a developer machine; fails it under CI=true. */
export function requireNginx(ctx: Mocha.Context): void {
  if (nginxAvailable()) return;
  if (process.env.CI === 'true') throw new Error(`nginx is not on PATH and CI=true: install it (${INSTALL_HINT})`);
  if (!hinted) {
    hinted = true;
    console.warn(`    nginx not found on PATH: proxy tests skipped. Install it with: ${INSTALL_HINT}`);
  }
  ctx.skip();
}

/** The committed configuration with its upstream servers, port, pid file and temp folders made local. */
export function localNginxConf(upstreams: string[], port: number, dir: string): string {
  const conf = readFileSync(NGINX_CONF, 'utf8');
  const servers = [...conf.matchAll(/^\s*server\s+(mock-3ds-[a-z]+:8080)\b/gm)].map((m) => m[1] as string);
  if (servers.length !== upstreams.length) {
    throw new Error(`${NGINX_CONF} names ${servers.length} upstream servers (${servers.join(', ')}); ${upstreams.length} given`);
  }
  let out = conf;
  servers.forEach((s, i) => {
    out = out.replace(s, upstreams[i] as string);
  });
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${path.join(dir, t)};`).join('\n');
  return out
    .replace(/^(\s*)listen\s+8080;/m, `$1listen 127.0.0.1:${port};`)
    .replace(/^pid\s+\S+;/m, `pid ${path.join(dir, 'nginx.pid')};`)
    .replace(/^http\s*\{/m, `http {\n${temps}`);
}

export interface RunningNginx {
  readonly port: number;
  readonly stderr: string[];
  url(p: string): string;
  /** Resolves once a request through nginx reaches an upstream that answers /health/live. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts nginx in the foreground in front of `upstreams` (host:port each); resolves once a request through
 * it reaches an upstream, or at once with `waitReady: false` (the upstreams start later).
 */
export async function startNginx(upstreams: string[], opts: { waitReady?: boolean } = {}): Promise<RunningNginx> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'm3ds-nginx-'));
  // Run as root, nginx's workers drop to nobody: they must reach the temp folders.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(conf, localNginxConf(upstreams, port, dir));
  const proc: ChildProcess = spawn(nginxBinary() ?? 'nginx', ['-p', dir, '-c', conf, '-e', 'stderr', '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr: string[] = [];
  proc.stderr?.setEncoding('utf8').on('data', (c: string) => stderr.push(c));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = (p: string) => `http://127.0.0.1:${port}${p}`;
  const close = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const ready = async () => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`nginx exited (${proc.exitCode}): ${stderr.join('')}`);
      const ok = await fetch(url('/health/live'), { signal: AbortSignal.timeout(1000) }).then(
        async (r) => {
          await r.arrayBuffer();
          return r.ok;
        },
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`nothing answered through nginx within 10 s: ${stderr.join('')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  if (opts.waitReady !== false) {
    try {
      await ready();
    } catch (err) {
      await close();
      throw err;
    }
  }
  return { port, stderr, url, ready, close };
}
