// The primary's behaviour from outside: a real process tree, real signals, real sockets.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { type RunningServer, requestLoop, startServer, workerPids } from '../helpers/server.js';

/** One scrape of /metrics: a failed scrape throws; a series that is absent is undefined. */
async function metric(server: RunningServer, name: string): Promise<number | undefined> {
  const res = await fetch(server.url('/metrics'), { signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET /metrics answered ${res.status}: ${text.slice(0, 200)}`);
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').pop()) : undefined;
}

/**
 * Polls `fn` until it gives a truthy value. A poll that throws counts as "not yet"; if the time runs out,
 * the wait fails, naming the last error.
 */
async function until<T>(fn: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError === undefined ? '' : `; last error: ${String(lastError)}`}`,
      );
    await sleep(50);
  }
}

let slowSeq = 0;

/** Starts `n` held requests to /__test/slow and resolves once the server logged every one as arrived. */
async function slowRequests(server: RunningServer, n: number, ms: number) {
  // Short IDs: the logger masks long digit runs (PAN-like), which would hide the ID from the wait.
  const ids = Array.from({ length: n }, () => `slow-${++slowSeq}`);
  const results = ids.map((id) =>
    fetch(server.url(`/__test/slow?ms=${ms}`), { headers: { 'x-request-id': id } }).then(async (r) => ({
      status: r.status,
      body: await r.json(),
    })),
  );
  // Rejections are read by the caller; until then they must not count as unhandled.
  for (const r of results) r.catch(() => {});
  await Promise.all(ids.map((id) => server.waitForLog((l) => l.msg === 'slow request held' && l.requestId === id)));
  return results;
}

const CRASH_LOOP = 'crash loop: workers keep exiting; replacing at the maximum backoff';
const REPLACING = 'worker exited unexpectedly; replacing it';

describe('cluster runtime (integration)', function () {
  this.timeout(60_000);
  let dir: string;
  let server: RunningServer | undefined;
  const cfgFile = () => path.join(dir, 'extra.json');

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'm3ds-cluster-'));
    writeFileSync(cfgFile(), JSON.stringify({ http: { bodyLimitBytes: 65536 } }));
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts the configured workers, logs one ready line and answers /health/ready', async () => {
    server = await startServer({ workers: 2, args: ['--config', cfgFile()] });
    const ready = server.lines.filter((l) => l.msg === 'ready');
    expect(ready).to.have.length(1);
    expect(ready[0]).to.include({ port: server.port, workers: 2, store: 'embedded' });
    expect(ready[0]?.configFiles).to.be.an('array').with.length(3);
    const res = await fetch(server.url('/health/ready'));
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.include({ status: 'ready' });
    expect((await workerPids(server, 2)).size).to.equal(2);
  });

  it('replaces a worker killed with SIGKILL and serves from the new one', async () => {
    server = await startServer({ workers: 2 });
    const before = await workerPids(server, 2);
    expect(before.size).to.equal(2);
    const victim = [...before][0] as number;
    process.kill(victim, 'SIGKILL');
    const replacing = await server.waitForLog((l) => l.msg === REPLACING);
    expect(replacing).to.include({ workerPid: victim, signal: 'SIGKILL', delayMs: 0 });
    // The primary's own pid stays the line's pid (one key, not two).
    expect(replacing.pid).to.equal(server.pid);
    const s = server;
    const after = await until(
      async () => {
        const pids = await workerPids(s, 2, 500);
        return pids.size === 2 && !pids.has(victim) ? pids : undefined;
      },
      15_000,
      'two workers serving, the killed one not among them',
    );
    const replacement = [...after].filter((p) => !before.has(p));
    expect(replacement).to.have.length(1);
    expect(after.has(victim)).to.equal(false);
  });

  it('applies a live key on SIGHUP without restarting workers', async () => {
    server = await startServer({ workers: 2, args: ['--config', cfgFile()] });
    const pidsBefore = await workerPids(server, 2);
    writeFileSync(cfgFile(), JSON.stringify({ http: { bodyLimitBytes: 1234 } }));
    server.signal('SIGHUP');
    const s = server;
    await until(
      async () => {
        const seen = new Set<number>();
        for (let i = 0; i < 20; i++) {
          const r = (await (await fetch(s.url('/__test/config'), { headers: { connection: 'close' } })).json()) as {
            bodyLimitBytes: number;
            pid: number;
          };
          if (r.bodyLimitBytes !== 1234) return false;
          seen.add(r.pid);
        }
        return seen.size === 2;
      },
      5000,
      'the new body limit on every worker',
    );
    const big = await fetch(server.url('/__test/echo'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(2000) }),
    });
    expect(big.status).to.equal(413);
    expect([...(await workerPids(server, 2))].sort()).to.deep.equal([...pidsBefore].sort());
    expect(await metric(server, 'config_last_reload_successful')).to.equal(1);
  });

  it('rolls the workers for a restart-only key (2 → 3) with zero failed requests', async () => {
    writeFileSync(cfgFile(), JSON.stringify({ server: { workers: 2 } }));
    server = await startServer({ args: ['--config', cfgFile()] });
    const pidsBefore = await workerPids(server, 2);
    const loop = requestLoop(server.url('/health'), 4);
    await until(async () => loop.stats.ok >= 20, 10_000, 'the request loop under way');
    writeFileSync(cfgFile(), JSON.stringify({ server: { workers: 3 } }));
    server.signal('SIGHUP');
    await server.waitForLog((l) => l.msg === 'configuration reloaded; rolling restart of the workers');
    const s = server;
    const pidsAfter = await until(
      async () => {
        const p = await workerPids(s, 3, 500);
        return p.size === 3 && [...p].every((x) => !pidsBefore.has(x)) ? p : undefined;
      },
      30_000,
      'three new workers',
    );
    // The loop went on through the roll and keeps being served by the new workers.
    const okAtEnd = loop.stats.ok;
    await until(async () => loop.stats.ok >= okAtEnd + 50, 10_000, 'the request loop served by the new workers');
    const stats = await loop.stop();
    expect(stats.failed, stats.errors.slice(0, 5).join('; ')).to.equal(0);
    expect(pidsAfter.size).to.equal(3);
  });

  it('keeps the running config when the reloaded file is invalid, gauge 0, no failed requests', async () => {
    server = await startServer({ workers: 2, args: ['--config', cfgFile()] });
    const pidsBefore = await workerPids(server, 2);
    const loop = requestLoop(server.url('/health'), 2);
    writeFileSync(cfgFile(), JSON.stringify({ protocol: { challenge: { maxAttempts: 0 } }, nonsense: true }));
    server.signal('SIGHUP');
    const rejected = await server.waitForLog((l) => l.msg === 'configuration reload rejected; keeping the running configuration');
    expect(rejected.problems).to.be.an('array').with.length.greaterThan(1);
    expect(await metric(server, 'config_last_reload_successful')).to.equal(0);
    const okAtReject = loop.stats.ok;
    await until(async () => loop.stats.ok >= okAtReject + 20, 10_000, 'requests served after the rejected reload');
    const stats = await loop.stop();
    expect(stats.failed, stats.errors.slice(0, 5).join('; ')).to.equal(0);
    expect([...(await workerPids(server, 2))].sort()).to.deep.equal([...pidsBefore].sort());
    // A valid file afterwards is taken again.
    writeFileSync(cfgFile(), JSON.stringify({ logging: { level: 'debug' } }));
    server.signal('SIGHUP');
    const s = server;
    await until(async () => (await metric(s, 'config_last_reload_successful')) === 1, 5000, 'gauge back to 1');
  });

  it('keeps the running workers and config when a valid config cannot start (unreadable signing key), gauge 0', async () => {
    writeFileSync(cfgFile(), JSON.stringify({ server: { workers: 2 } }));
    server = await startServer({ args: ['--config', cfgFile()] });
    const pidsBefore = await workerPids(server, 2);
    const missing = path.join(dir, 'absent');
    writeFileSync(
      cfgFile(),
      JSON.stringify({ server: { workers: 2 }, protocol: { signing: { keyPath: `${missing}.key`, certPath: `${missing}.crt` } } }),
    );
    const loop = requestLoop(server.url('/health'), 2);
    server.signal('SIGHUP');
    const failed = await server.waitForLog((l) => l.msg === 'configuration reload failed; keeping the running configuration');
    expect(String((failed.problems as string[])[0])).to.match(/could not start/);
    const stats = await loop.stop();
    expect(stats.failed, stats.errors.slice(0, 5).join('; ')).to.equal(0);
    expect(await metric(server, 'config_last_reload_successful')).to.equal(0);
    expect(await metric(server, 'workers_alive')).to.equal(2);
    // No running worker exited unplanned, so no replacement is scheduled that could fail later on.
    expect(await metric(server, 'worker_restarts_total')).to.equal(0);
    expect([...(await workerPids(server, 2))].sort()).to.deep.equal([...pidsBefore].sort());
    expect(server.lines.some((l) => l.msg === 'replacement worker failed to start')).to.equal(false);
  });

  it('gives a worker that restarts during a live reload the new config', async () => {
    writeFileSync(cfgFile(), JSON.stringify({ server: { workers: 1 }, http: { bodyLimitBytes: 65536 } }));
    server = await startServer({ args: ['--config', cfgFile()] });
    const [before] = [...(await workerPids(server, 1))];
    writeFileSync(cfgFile(), JSON.stringify({ server: { workers: 1 }, http: { bodyLimitBytes: 2222 } }));
    await fetch(server.url('/__test/crash'), { method: 'POST' });
    server.signal('SIGHUP');
    const s = server;
    const config = async () => {
      const res = await fetch(s.url('/__test/config'), { headers: { connection: 'close' }, signal: AbortSignal.timeout(1000) });
      return (await res.json()) as { pid: number; bodyLimitBytes: number };
    };
    const seen = await until(
      async () => {
        const r = await config();
        return r.pid !== before ? r : undefined;
      },
      10_000,
      'the replacement worker',
    );
    expect(seen.pid).to.not.equal(before);
    // The replacement ends up on the new config, whichever came first: its hello or the reload.
    const updated = await until(
      async () => {
        const r = await config();
        return r.bodyLimitBytes === 2222 ? r : undefined;
      },
      5000,
      'the new body limit on the replacement',
    );
    expect(updated.pid).to.equal(seen.pid);
  });

  it('drains on SIGTERM: slow requests in flight all complete, exit code 0', async () => {
    server = await startServer({ workers: 2, env: { LOG_LEVEL: 'debug' } });
    const slow = await slowRequests(server, 6, 1500);
    server.signal('SIGTERM');
    const results = await Promise.all(slow);
    expect(results.map((r) => r.status)).to.deep.equal([200, 200, 200, 200, 200, 200]);
    expect(results.map((r) => (r.body as { slept: number }).slept)).to.deep.equal([1500, 1500, 1500, 1500, 1500, 1500]);
    const { code } = await server.exited;
    expect(code).to.equal(0);
    expect(server.lines.some((l) => l.msg === 'stopped')).to.equal(true);
  });

  it('a second signal forces the exit while a drain is waiting', async () => {
    server = await startServer({ workers: 1, env: { SHUTDOWN_GRACE_MS: '20000', LOG_LEVEL: 'debug' } });
    const [slow] = await slowRequests(server, 1, 15_000);
    server.signal('SIGTERM');
    await server.waitForLog((l) => l.msg === 'shutting down');
    server.signal('SIGTERM');
    const { code } = await server.exited;
    expect(code).to.equal(1);
    // Forced out: the held request never got its answer.
    expect(
      await slow?.then(
        () => 'answered',
        () => 'cut off',
      ),
    ).to.equal('cut off');
  });

  it('detects and reports a crash loop instead of spinning', async () => {
    // Two workers: the slot caught in the loop waits 30 s, the other one keeps serving (and /metrics).
    server = await startServer({ workers: 2, env: { CRASH_LOOP_THRESHOLD: '3', RESTART_BACKOFF_MS: '50' } });
    const s = server;
    const exitsReported = () => s.lines.filter((l) => l.msg === REPLACING || l.msg === CRASH_LOOP).length;
    for (let i = 1; i <= 3; i++) {
      await until(
        async () =>
          (await fetch(s.url('/__test/crash'), { method: 'POST', headers: { connection: 'close' }, signal: AbortSignal.timeout(2000) })).ok,
        10_000,
        `worker crash ${i}`,
      );
      // One crash answered, one exit reported, before the next crash is asked for.
      await until(async () => exitsReported() >= i, 10_000, `exit ${i} reported by the primary`);
    }
    const line = await server.waitForLog((l) => l.msg === CRASH_LOOP);
    expect(line.delayMs).to.equal(30_000);
    expect(exitsReported()).to.equal(3);
    expect((await workerPids(server, 1, 15_000)).size, 'a worker serving besides the looping slot').to.equal(1);
    expect(await metric(server, 'worker_crash_loop')).to.equal(1);
  });

  it('POST /admin/reload needs the token and reloads like SIGHUP', async () => {
    server = await startServer({ workers: 1, env: { ADMIN_TOKEN: 's3cret-token' }, args: ['--config', cfgFile()] });
    expect((await fetch(server.url('/admin/reload'), { method: 'POST' })).status).to.equal(401);
    expect((await fetch(server.url('/admin/reload'), { method: 'POST', headers: { authorization: 'Bearer wrong' } })).status).to.equal(401);
    writeFileSync(cfgFile(), JSON.stringify({ http: { bodyLimitBytes: 4321 } }));
    const ok = await fetch(server.url('/admin/reload'), { method: 'POST', headers: { authorization: 'Bearer s3cret-token' } });
    expect(ok.status).to.equal(200);
    expect(await ok.json()).to.deep.include({ status: 'reloaded', restarted: false, changed: ['http.bodyLimitBytes'] });
    writeFileSync(cfgFile(), '{ not json');
    const bad = await fetch(server.url('/admin/reload'), { method: 'POST', headers: { authorization: 'Bearer s3cret-token' } });
    expect(bad.status).to.equal(422);
    const body = (await bad.json()) as { errorDetails: { errorCode: string } };
    expect(body.errorDetails.errorCode).to.equal('405');
  });

  it('has no admin routes without a token', async () => {
    server = await startServer({ workers: 1 });
    expect((await fetch(server.url('/admin/reload'), { method: 'POST' })).status).to.equal(404);
  });

  it('refuses to start on an invalid configuration, listing every problem, exit 78', async () => {
    server = await startServer({ workers: 1, waitReady: false, env: { PORT: '70000', LOG_LEVEL: 'loud', STORE_TTL_SECONDS: '-5' } });
    const { code } = await server.exited;
    expect(code).to.equal(78);
    const err = server.stderr.join('');
    expect(err).to.match(/server\.port/);
    expect(err).to.match(/logging\.level/);
    expect(err).to.match(/store\.ttlSeconds/);
  });

  it('exits non-zero with the reason when the port is taken', async () => {
    server = await startServer({ workers: 1 });
    const second = await startServer({ workers: 1, waitReady: false, env: { PORT: String(server.port), HOST: '127.0.0.1' } });
    try {
      // Cluster workers share the primary's handle: a second server on the same port cannot bind.
      const { code } = await second.exited;
      expect(code).to.equal(1);
      expect(second.stderr.join('')).to.match(/EADDRINUSE|listen/);
    } finally {
      await second.stop();
    }
  });
});
