// Shutdown at any moment of start-up, and readiness that tells the truth (SPEC §9, §10), tried from
// outside on the built server: real processes, many tries, signals at spread points of start-up, at
// the first ready 200, and during a rolling restart. Every try must end with exit code 0, no error
// line, and every ready 200 must report all configured workers.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { type RunningServer, startServer } from '../helpers/server.js';

const WORKERS = 2;
/** Tries per kind; STARTUP_RACE_TRIES raises it for a longer hunt (the 50 in a row). */
const TRIES = Number(process.env.STARTUP_RACE_TRIES ?? 8);

interface ReadyBody {
  status: string;
  checks: { store: string; draining: boolean; workers: { alive: number; expected: number } };
}

/** True once the process has installed its own SIGHUP handler: main.ts is running (Node's bootstrap does not catch SIGHUP). */
function catchesSighup(pid: number): boolean {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('SigCgt:'));
    return line !== undefined && (BigInt(`0x${line.slice(7).trim()}`) & 1n) === 1n;
  } catch {
    return false;
  }
}

async function untilMainRuns(server: RunningServer): Promise<void> {
  for (let i = 0; i < 2000 && !catchesSighup(server.pid); i++) {
    if (server.proc.exitCode !== null) throw new Error(`exited before start-up: ${server.stderr.join('')}`);
    await sleep(2);
  }
  expect(catchesSighup(server.pid), 'main.ts installed its signal handlers').to.equal(true);
}

/** Resolves once the primary has forked a worker (so it has read its configuration). */
async function untilForked(server: RunningServer): Promise<void> {
  const children = () => {
    try {
      return readFileSync(`/proc/${server.pid}/task/${server.pid}/children`, 'utf8').trim();
    } catch {
      return '';
    }
  };
  for (let i = 0; i < 2000 && children() === ''; i++) await sleep(2);
  expect(children(), 'a worker was forked').to.not.equal('');
}

/**
 * Polls /health/ready until `stop()`; records every 200 body. Connection refusals (not listening yet,
 * or already closed) and 503s are expected at these moments; anything else fails the try.
 */
function pollReady(server: RunningServer): { stop(): Promise<ReadyBody[]>; firstOk: Promise<ReadyBody> } {
  let running = true;
  const oks: ReadyBody[] = [];
  let resolveFirst: (b: ReadyBody) => void = () => {};
  const firstOk = new Promise<ReadyBody>((r) => {
    resolveFirst = r;
  });
  const loop = (async () => {
    while (running) {
      let res: Response;
      try {
        res = await fetch(server.url('/health/ready'), { headers: { connection: 'close' }, signal: AbortSignal.timeout(2000) });
      } catch {
        await sleep(5);
        continue;
      }
      if (res.status === 200) {
        const body = (await res.json()) as ReadyBody;
        oks.push(body);
        resolveFirst(body);
      } else {
        expect(res.status, 'a ready probe answers 200 or 503').to.equal(503);
        await res.arrayBuffer();
        await sleep(5);
      }
    }
  })();
  return {
    firstOk,
    async stop() {
      running = false;
      await loop;
      return oks;
    },
  };
}

function expectAllWorkers(bodies: ReadyBody[]): void {
  for (const b of bodies) {
    expect(b.status).to.equal('ready');
    expect(b.checks.workers).to.deep.equal({ alive: WORKERS, expected: WORKERS });
    expect(b.checks.store).to.equal('up');
  }
}

async function expectCleanExit(server: RunningServer, what: string): Promise<void> {
  const { code, signal } = await server.exited;
  const errors = server.lines.filter((l) => l.level === 'error' || l.level === 'fatal');
  expect({ code, signal, errors, stderr: server.stderr.join('') }, what).to.deep.equal({ code: 0, signal: null, errors: [], stderr: '' });
}

describe('start-up and shutdown race (integration)', function () {
  this.timeout(240_000);
  let dir: string;
  let server: RunningServer | undefined;
  const cfgFile = () => path.join(dir, 'extra.json');

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'm3ds-race-'));
    writeFileSync(cfgFile(), JSON.stringify({ server: { keepAliveTimeoutMs: 5000 } }));
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const launch = () =>
    startServer({ workers: WORKERS, waitReady: false, args: ['--config', cfgFile()], env: { SHUTDOWN_GRACE_MS: '5000' } });

  /** From main.ts running to the ready line, measured once to spread the tries' signals over start-up. */
  let startupMs = 0;
  before(async () => {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await startServer({ workers: WORKERS, waitReady: false });
      await untilMainRuns(s);
      const t0 = Date.now();
      await s.waitForLog((l) => l.msg === 'ready', 20_000);
      times.push(Date.now() - t0);
      await s.stop();
    }
    startupMs = [...times].sort((a, b) => a - b)[1] as number;
  });

  it(`SIGTERM at the first ready 200: all ${WORKERS} workers reported, ready line with the primary's pid, exit 0 (${TRIES} tries)`, async () => {
    for (let i = 0; i < TRIES; i++) {
      server = await launch();
      await untilMainRuns(server);
      const probe = pollReady(server);
      const first = await Promise.race([
        probe.firstOk,
        server.exited.then(() => {
          throw new Error(`exited before ready: ${server?.stderr.join('')}`);
        }),
      ]);
      server.signal('SIGTERM');
      expectAllWorkers([first, ...(await probe.stop())]);
      const ready = await server.waitForLog((l) => l.msg === 'ready', 5000);
      expect(ready.pid, 'the ready line names the primary').to.equal(server.pid);
      expect(ready.workers).to.equal(WORKERS);
      await expectCleanExit(server, `try ${i + 1}`);
      server = undefined;
    }
  });

  it(`SIGTERM at points spread over start-up, before, during and after the workers come up: exit 0 (${TRIES * 2} tries)`, async () => {
    const points = TRIES * 2;
    for (let i = 0; i < points; i++) {
      server = await launch();
      await untilMainRuns(server);
      const probe = pollReady(server);
      // From the moment main.ts runs to a little past the typical ready time.
      await sleep(Math.round((i / (points - 1)) * startupMs * 1.3));
      server.signal('SIGTERM');
      const oks = await probe.stop();
      expectAllWorkers(oks);
      await expectCleanExit(server, `try ${i + 1} at ${Math.round((i / (points - 1)) * 130)}% of start-up`);
      server = undefined;
    }
  });

  it(`SIGHUP during start-up waits for it; SIGTERM during the rolling restart that follows: exit 0 (${TRIES} tries)`, async () => {
    for (let i = 0; i < TRIES; i++) {
      server = await launch();
      // Once the first worker is forked, the configuration has been read; from there to about ready.
      await untilForked(server);
      // A restart-only key, changed before the SIGHUP: the reload rolls both workers.
      writeFileSync(cfgFile(), JSON.stringify({ server: { keepAliveTimeoutMs: 6000 + i } }));
      await sleep(Math.round((i / Math.max(1, TRIES - 1)) * startupMs * 0.8));
      server.signal('SIGHUP');
      const running = server;
      await running.waitForLog((l) => l.msg === 'configuration reloaded; rolling restart of the workers', 20_000);
      const probe = pollReady(running);
      // Spread over the roll: one worker's start-up per slot.
      await sleep(Math.round((i / Math.max(1, TRIES - 1)) * startupMs * WORKERS));
      running.signal('SIGTERM');
      expectAllWorkers(await probe.stop());
      await expectCleanExit(running, `try ${i + 1}`);
      expect(
        running.lines.some((l) => l.msg === 'ready'),
        'start-up completed before the roll',
      ).to.equal(true);
      server = undefined;
    }
  });
});
