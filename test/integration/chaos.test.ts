// The chaos scenarios that fit in a few seconds (SPEC §8, §9, §20), as regression tests: the built server
// as real processes, under the chaos flow load of every test card (scripts/chaos/flows.ts, in its own
// process), faults made with real signals. Assertions are on counts — which requests failed, on which
// worker, what was read back — never on how fast something ran, except that a replacement comes at all.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { now, sleep } from '../../scripts/chaos/common.js';
import { Driver } from '../../scripts/chaos/driver.js';
import type { LoadReport, ReqRecord } from '../../scripts/chaos/flows.js';
import { runFuzz } from '../../scripts/chaos/fuzz.js';
import { alive, childrenOf, metric, pollUntil, portFree, readyStatus, startChaosServer } from '../../scripts/chaos/processes.js';
import { readBack } from '../../scripts/chaos/readback.js';
import { failuresByKind, fiveXXOf, total } from '../../scripts/chaos/scenarios.js';
import { type RunningServer, workerPids } from '../helpers/server.js';

const LOOPS = 6;
const base = (s: RunningServer) => `http://127.0.0.1:${s.port}`;

/** Runs the flow load while `during` runs, then a little longer; returns what the driver recorded. */
async function underLoad(s: RunningServer, during: () => Promise<void>): Promise<LoadReport> {
  const driver = await Driver.start({ bases: [base(s)], concurrency: LOOPS });
  try {
    await during();
  } catch (err) {
    driver.kill();
    throw err;
  }
  return driver.stop();
}

const describeFailures = (records: readonly ReqRecord[]) =>
  JSON.stringify(records.filter((r) => !['ok', 'expected', 'rerouted'].includes(r.kind)).slice(0, 5));

describe('chaos: faults under a flow load of every test card (integration)', function () {
  this.timeout(120_000);
  let server: RunningServer | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('worker SIGKILL: only requests on the killed worker fail, it is replaced, nothing acknowledged is lost', async () => {
    const s = await startChaosServer({ workers: 2 });
    server = s;
    const victim = [...(await workerPids(s, 2))][0] as number;
    let tKill = 0;
    let tExit = 0;
    let replaced: number | undefined;
    const rep = await underLoad(s, async () => {
      await sleep(1500);
      tKill = now();
      process.kill(victim, 'SIGKILL');
      await s.waitForLog((l) => l.msg === 'worker exited unexpectedly; replacing it' && l.workerPid === victim, 10_000);
      tExit = now();
      replaced = await pollUntil(async () => (await readyStatus(s.port)) === 200, 15_000);
      await sleep(1000);
    });
    expect(replaced, 'ready again with two workers').to.not.equal(undefined);
    const onVictim = (r: ReqRecord) => r.pid === victim || r.pid === 0;
    const inFlight = rep.records.filter((r) => onVictim(r) && r.t0 <= tExit && r.t1 >= tKill).length;
    const failed = total(failuresByKind(rep.records));
    expect(
      total(failuresByKind(rep.records, (r) => !onVictim(r))),
      `failures on the surviving worker: ${describeFailures(rep.records)}`,
    ).to.equal(0);
    expect(failed, `failed requests vs in flight on the killed worker: ${describeFailures(rep.records)}`).to.be.at.most(inFlight);
    expect(fiveXXOf(rep.records)).to.equal(0);
    expect(rep.flowsOk).to.be.greaterThan(50);
    const after = await workerPids(s, 2);
    expect(after.size).to.equal(2);
    expect(after.has(victim)).to.equal(false);
    const rb = await readBack(base(s), rep.acks);
    expect(rb.acked).to.be.greaterThan(50);
    expect({ lost: rb.lost, regressed: rb.regressed, unreadable: rb.unreadable }, rb.samples.join('; ')).to.deep.equal({
      lost: 0,
      regressed: 0,
      unreadable: 0,
    });
  });

  it('primary SIGKILL: the workers exit, nothing keeps the port, a new server binds it', async () => {
    const s = await startChaosServer({ workers: 2 });
    server = s;
    const workers = childrenOf(s.pid);
    expect(workers).to.have.length(2);
    const rep = await underLoad(s, async () => {
      await sleep(1000);
      process.kill(s.pid, 'SIGKILL');
      expect(await pollUntil(() => workers.every((p) => !alive(p)), 10_000), 'every worker exited').to.not.equal(undefined);
      expect(await pollUntil(() => portFree(s.port), 10_000), 'the port is free').to.not.equal(undefined);
    });
    expect(rep.flowsOk).to.be.greaterThan(10);
    const again = await startChaosServer({ workers: 2, port: s.port });
    server = again;
    expect(await readyStatus(again.port)).to.equal(200);
  });

  it('SIGTERM under load: every answer is a right one, no request sent before the signal fails, exit 0', async () => {
    const s = await startChaosServer({ workers: 2 });
    server = s;
    let tTerm = 0;
    let code: number | null = null;
    const rep = await underLoad(s, async () => {
      await sleep(1500);
      tTerm = now();
      s.signal('SIGTERM');
      code = (await s.exited).code;
    });
    expect(code).to.equal(0);
    expect(fiveXXOf(rep.records), 'no 5xx (no 503 "shutting down" either)').to.equal(0);
    // Requests sent well before the signal (in flight when it came, or done) all got their answer.
    expect(total(failuresByKind(rep.records, (r) => r.t0 < tTerm - 100)), describeFailures(rep.records)).to.equal(0);
    // After it: refusals (the server stopped accepting) and resets, nothing else. The resets are what
    // `npm run chaos` reports against SPEC §20's target of 0: a keep-alive connection closed as idle
    // while its client reused it, and fresh connections accepted by the primary's listening socket during
    // the drain, then closed.
    const after = failuresByKind(rep.records, (r) => r.t0 >= tTerm - 100);
    const { refused: _refused, reset: _reset, ...other } = after;
    expect(other, describeFailures(rep.records)).to.deep.equal({});
    expect(rep.records.filter((r) => r.t0 >= tTerm).length, 'the load ran on across the signal').to.be.greaterThan(0);
  });

  for (const rolling of [false, true]) {
    it(`SIGHUP ${rolling ? 'with a restart-only key (rolling restart)' : 'with a live key'} under load: zero failed requests, nothing lost`, async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'm3ds-chaos-test-'));
      const file = path.join(dir, 'extra.json');
      writeFileSync(file, JSON.stringify(rolling ? { server: { keepAliveTimeoutMs: 65_000 } } : { http: { bodyLimitBytes: 65_536 } }));
      const s = await startChaosServer({ workers: 2, args: ['--config', file] });
      server = s;
      const before = await workerPids(s, 2);
      const rep = await underLoad(s, async () => {
        await sleep(1000);
        writeFileSync(file, JSON.stringify(rolling ? { server: { keepAliveTimeoutMs: 64_000 } } : { http: { bodyLimitBytes: 65_537 } }));
        s.signal('SIGHUP');
        await s.waitForLog(
          (l) => l.msg === (rolling ? 'configuration reloaded; rolling restart of the workers' : 'configuration reloaded live'),
          10_000,
        );
        if (rolling) {
          const done = await pollUntil(() => [...before].every((p) => !alive(p)) && childrenOf(s.pid).length === 2, 30_000, 50);
          expect(done, 'the old workers drained and exited').to.not.equal(undefined);
        }
        await sleep(1000);
      });
      expect(total(failuresByKind(rep.records)), describeFailures(rep.records)).to.equal(0);
      expect(rep.flowsOk).to.be.greaterThan(50);
      const after = await workerPids(s, 2);
      if (rolling) expect([...after].some((p) => before.has(p))).to.equal(false);
      else expect([...after].sort()).to.deep.equal([...before].sort());
      expect(await metric(s.port, 'config_last_reload_successful')).to.equal(1);
      const rb = await readBack(base(s), rep.acks);
      expect({ lost: rb.lost, regressed: rb.regressed }, rb.samples.join('; ')).to.deep.equal({ lost: 0, regressed: 0 });
    });
  }

  it('fuzzing, a 10,000-request slice with seed 42: no 5xx but the DS-error 502, no dropped connection, no worker lost', async () => {
    const s = await startChaosServer({ workers: 2 });
    server = s;
    const pids = await workerPids(s, 2);
    // The field sweep first (every field of every valid body made an object without toString, or one with a
    // `__proto__` key: it found two 500s, now fixed), then 10,000 random requests.
    const f = await runFuzz({ base: base(s), seed: 42, requests: 10_000, concurrency: 8 });
    expect(f.sweepRequests).to.be.greaterThan(1000);
    expect(f.requests).to.equal(10_000 + f.sweepRequests);
    expect(f.failures.map((x) => `${x.endpoint} ${x.status || x.error}: ${x.response?.slice(0, 120)}`)).to.deep.equal([]);
    expect({ unexpected5xx: f.unexpected5xx, outage503: f.outage503, dropped: f.dropped }).to.deep.equal({
      unexpected5xx: 0,
      outage503: 0,
      dropped: 0,
    });
    // Every endpoint was exercised, and answered.
    expect(Object.keys(f.byEndpoint).length).to.be.at.least(14);
    expect(f.pids.every((p) => pids.has(p))).to.equal(true);
    expect([...(await workerPids(s, 2))].sort()).to.deep.equal([...pids].sort());
    expect(await metric(s.port, 'worker_restarts_total')).to.equal(0);
  });
});
