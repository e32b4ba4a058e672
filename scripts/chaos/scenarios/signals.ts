// The chaos scenarios of process faults (SPEC §20): a worker SIGKILLed, the primary SIGKILLed (with the
// embedded store or with Redis), SIGHUP for a live reload and for a rolling restart, SIGTERM draining
// under load.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { redisServerAvailable } from '../../../test/helpers/redis.js';
import { workerPids } from '../../../test/helpers/server.js';
import { now, sleep } from '../common.js';
import type { ReqRecord } from '../flows.js';
import { alive, childrenOf, metric, pollUntil, portFree, type RunningServer, readyStatus } from '../processes.js';
import { type ReadBack, readBack } from '../readback.js';
import {
  baseOf,
  baseRow,
  type ChaosScenario,
  failuresByKind,
  fiveXXOf,
  isFailure,
  loadOn,
  ms,
  p99Between,
  REPLACING,
  redis,
  scenario,
  server,
  total,
  underLoad,
  withReadBack,
} from './shared.js';

const ROLLING = 'configuration reloaded; rolling restart of the workers';

// ——— worker SIGKILL ————————————————————————————————————————————————————————————————————————————

export const workerKill = scenario({
  name: 'worker SIGKILL',
  needs: [],
  async run(ctx, res) {
    const s = await server(res, { workers: 2 });
    const pids = await workerPids(s, 2);
    const victim = [...pids][0] as number;
    let tKill = 0;
    let tExit: number | undefined;
    let tReady: number | undefined;
    const { rep } = await underLoad(loadOn(s), async () => {
      await sleep((ctx.seconds * 1000) / 3);
      tKill = now();
      process.kill(victim, 'SIGKILL');
      await s.waitForLog((l) => l.msg === REPLACING && l.workerPid === victim, 10_000);
      tExit = now();
      tReady = await pollUntil(async () => (await readyStatus(s.port)) === 200, 15_000, 10);
      await sleep(Math.max(1000, (ctx.seconds * 2000) / 3 - (now() - tKill)));
    });
    const row = baseRow(this.name, 'failed ≤ in flight on the killed worker; replaced ≤ 2 s; 0 acknowledged lost', rep);
    const end = tExit ?? tKill + 1000;
    const onVictim = (r: ReqRecord) => r.pid === victim || r.pid === 0;
    const inFlight = rep.records.filter((r) => onVictim(r) && r.t0 <= end && r.t1 >= tKill && r.kind !== 'rerouted').length;
    const failed = total(row.failures);
    const elsewhere = total(failuresByKind(rep.records, (r) => !onVictim(r)));
    row.recoverMs = tReady === undefined ? undefined : tReady - tKill;
    row.recovered = 'SIGKILL → /health/ready 200 with every worker serving';
    row.p99FaultMs = p99Between(rep.records, tKill, tReady ?? end);
    withReadBack(row, await readBack(baseOf(s), rep.acks));
    const after = await workerPids(s, 2);
    row.checks = [
      { what: `failed ${failed} ≤ in flight on the killed worker ${inFlight}`, ok: failed <= inFlight },
      { what: `failures on the surviving worker: ${elsewhere}`, ok: elsewhere === 0 },
      { what: `replaced in ${ms(row.recoverMs)} ≤ 2000 ms`, ok: row.recoverMs !== undefined && row.recoverMs <= 2000 },
      {
        what: `two workers serving afterwards, the killed one gone (${[...after].join(', ')})`,
        ok: after.size === 2 && !after.has(victim),
      },
      { what: `acknowledged lost: ${row.lost}`, ok: row.lost === 0 },
    ];
    row.extra = { victim, inFlightOnVictim: inFlight };
    return row;
  },
});

// ——— primary SIGKILL ——————————————————————————————————————————————————————————————————————————

export function primaryKill(withRedis: boolean): ChaosScenario {
  return scenario({
    name: withRedis ? 'primary SIGKILL, Redis (appendfsync always)' : 'primary SIGKILL, embedded store',
    needs: withRedis ? ['redis-server'] : [],
    async run(ctx, res) {
      const r = withRedis ? await redis(res) : undefined;
      const env = r ? { REDIS_URL: r.url } : {};
      const s = await server(res, { workers: 2, env });
      const pids = childrenOf(s.pid);
      let tKill = 0;
      let tGone: number | undefined;
      let tFree: number | undefined;
      const { rep } = await underLoad(loadOn(s), async () => {
        await sleep((ctx.seconds * 1000) / 2);
        tKill = now();
        process.kill(s.pid, 'SIGKILL');
        tGone = await pollUntil(() => pids.every((p) => !alive(p)), 10_000, 10);
        tFree = await pollUntil(() => portFree(s.port), 10_000, 10);
        await sleep(300);
      });
      const leftover = pids.filter(alive);
      // A new server on the same port (and the same Redis): it must be able to bind.
      let bound = false;
      let rb: ReadBack | undefined;
      let tReady: number | undefined;
      try {
        const s2 = await server(res, { workers: 2, env, port: s.port });
        bound = true;
        tReady = now();
        rb = await readBack(baseOf(s2), rep.acks);
      } catch (err) {
        ctx.log(`  the new server did not start: ${(err as Error).message}`);
      }
      const row = baseRow(
        this.name,
        withRedis
          ? 'workers exit; port free; a new server binds it; 0 acknowledged lost after restart'
          : "workers exit; port free; a new server binds it; loss = the embedded store's records (documented)",
        rep,
      );
      // Requests the kill cut off, and refusals while nothing listened, are this fault itself.
      row.failures = failuresByKind(rep.records, (x) => x.t1 < tKill);
      row.notes.push(
        `during the fault (expected: the server is gone): ${JSON.stringify(failuresByKind(rep.records, (x) => x.t1 >= tKill))}`,
      );
      row.fiveXX = fiveXXOf(rep.records.filter((x) => x.t1 < tKill));
      row.recoverMs = tFree === undefined ? undefined : tFree - tKill;
      row.recovered = 'SIGKILL → every worker exited and the port can be bound';
      row.p99FaultMs = p99Between(rep.records, tKill, tFree ?? tKill + 1000);
      if (rb) withReadBack(row, rb);
      row.checks = [
        {
          what: `workers exited in ${ms(tGone === undefined ? undefined : tGone - tKill)} (left: ${leftover.join(', ') || 'none'})`,
          ok: leftover.length === 0,
        },
        { what: `port free after ${ms(row.recoverMs)}`, ok: tFree !== undefined },
        { what: `a new server bound the port${tReady ? '' : ' (it did not)'}`, ok: bound },
        { what: `failures before the kill: ${total(row.failures)}`, ok: total(row.failures) === 0 },
      ];
      if (withRedis)
        row.checks.push({
          what: `acknowledged lost after restart: ${row.lost ?? '?'} of ${row.acked ?? '?'}`,
          ok: rb !== undefined && row.lost === 0,
        });
      else {
        row.checks.push({
          what: `loss as documented: ${row.lost ?? '?'} of ${row.acked ?? '?'} acknowledged records gone with the primary, none answered 5xx`,
          ok: rb !== undefined && rb.unreadable === 0 && rb.lost + rb.regressed === rb.acked,
        });
        row.notes.push(
          "README ('State: L1 over L2') says the embedded store is held by the primary and survives worker crashes and rolling restarts; it does not say in so many words that a primary crash loses every record",
        );
      }
      return row;
    },
  });
}

// ——— SIGHUP live, SIGHUP rolling, SIGTERM ————————————————————————————————————————————————————

async function configOf(s: RunningServer): Promise<{ pid: number; bodyLimitBytes: number }> {
  const r = await fetch(s.url('/__test/config'), { headers: { connection: 'close' }, signal: AbortSignal.timeout(1000) });
  return (await r.json()) as { pid: number; bodyLimitBytes: number };
}

export function sighup(rolling: boolean): ChaosScenario {
  return scenario({
    name: rolling ? 'SIGHUP rolling restart (restart-only key)' : 'SIGHUP live reload (live key)',
    needs: [],
    async run(ctx, res) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'm3ds-chaos-'));
      res.add(async () => rmSync(dir, { recursive: true, force: true }));
      const file = path.join(dir, 'chaos.json');
      const before = rolling ? { server: { keepAliveTimeoutMs: 65_000 } } : { http: { bodyLimitBytes: 65_536 } };
      const after = rolling ? { server: { keepAliveTimeoutMs: 64_000 } } : { http: { bodyLimitBytes: 65_537 } };
      writeFileSync(file, JSON.stringify(before));
      const s = await server(res, { workers: 2, args: ['--config', file] });
      const pids = await workerPids(s, 2);
      let tHup = 0;
      let tDone: number | undefined;
      let tOldGone: number | undefined;
      const { rep } = await underLoad(loadOn(s), async () => {
        await sleep((ctx.seconds * 1000) / 3);
        writeFileSync(file, JSON.stringify(after));
        tHup = now();
        s.signal('SIGHUP');
        if (rolling) {
          await s.waitForLog((l) => l.msg === ROLLING, 10_000);
          tDone = await pollUntil(
            async () => {
              const p = await workerPids(s, 2, 500);
              return p.size === 2 && [...p].every((x) => !pids.has(x));
            },
            30_000,
            50,
          );
          tOldGone = await pollUntil(() => [...pids].every((p) => !alive(p)), 30_000, 50);
        } else {
          tDone = await pollUntil(
            async () => {
              const seen = new Set<number>();
              for (let i = 0; i < 12; i++) {
                const c = await configOf(s);
                if (c.bodyLimitBytes !== 65_537) return false;
                seen.add(c.pid);
              }
              return seen.size === 2;
            },
            10_000,
            20,
          );
        }
        await sleep(Math.max(1000, (ctx.seconds * 2000) / 3 - (now() - tHup)));
      });
      const row = baseRow(this.name, '0 failed, 0 in-flight dropped; 0 acknowledged lost', rep);
      row.recoverMs = tDone === undefined ? undefined : tDone - tHup;
      row.recovered = rolling ? 'SIGHUP → two new workers serving' : 'SIGHUP → the new value on every worker';
      row.p99FaultMs = p99Between(rep.records, tHup, tOldGone ?? tDone ?? tHup + 1000);
      withReadBack(row, await readBack(baseOf(s), rep.acks));
      const afterPids = await workerPids(s, 2);
      const gauge = await metric(s.port, 'config_last_reload_successful');
      row.checks = [
        { what: `failed ${total(row.failures)}`, ok: total(row.failures) === 0 },
        { what: `applied in ${ms(row.recoverMs)}`, ok: tDone !== undefined },
        rolling
          ? {
              what: `old workers exited ${ms(tOldGone === undefined ? undefined : tOldGone - tHup)} after SIGHUP`,
              ok: tOldGone !== undefined,
            }
          : {
              what: `same worker pids (no restart): ${[...afterPids].sort().join(', ')}`,
              ok: [...afterPids].sort().join() === [...pids].sort().join(),
            },
        { what: `config_last_reload_successful ${gauge}`, ok: gauge === 1 },
        { what: `acknowledged lost: ${row.lost}`, ok: row.lost === 0 },
      ];
      return row;
    },
  });
}

export const sigterm = scenario({
  name: 'SIGTERM drain under load',
  needs: [],
  async run(ctx, res) {
    const r = redisServerAvailable() ? await redis(res) : undefined;
    const env = r ? { REDIS_URL: r.url } : {};
    const s = await server(res, { workers: 2, env });
    let tTerm = 0;
    let tExit = 0;
    let code: number | null = null;
    const { rep } = await underLoad(loadOn(s), async () => {
      await sleep((ctx.seconds * 1000) / 2);
      tTerm = now();
      s.signal('SIGTERM');
      code = (await s.exited).code;
      tExit = now();
      await sleep(200);
    });
    const row = baseRow(this.name, '0 failed, 0 in-flight dropped; exit 0; 0 acknowledged lost (Redis)', rep);
    // Connections refused once the server stopped accepting are the shutdown itself, not a failure.
    const refusedAfter = rep.records.filter((x) => x.kind === 'refused' && x.t0 >= tTerm).length;
    row.failures = failuresByKind(rep.records, (x) => !(x.kind === 'refused' && x.t0 >= tTerm));
    const dropped = ['reset', 'timeout', 'transport'].reduce((n, k) => n + (row.failures[k] ?? 0), 0);
    row.recoverMs = tExit - tTerm;
    row.recovered = 'SIGTERM → primary exited';
    row.p99FaultMs = p99Between(rep.records, tTerm, tExit);
    row.notes.push(`${refusedAfter} connections refused after SIGTERM (expected: the server stopped accepting)`);
    const failed = rep.records.filter((x) => isFailure(x) && !(x.kind === 'refused' && x.t0 >= tTerm));
    if (failed.length > 0) {
      const before = failed.filter((x) => x.t0 < tTerm).length;
      const reusedAfter = failed.filter((x) => x.reused && x.t0 >= tTerm).length;
      const freshAfter = failed.filter((x) => !x.reused && x.t0 >= tTerm).length;
      row.notes.push(
        `failed requests: ${before} sent before SIGTERM; ${reusedAfter} sent after it on a reused keep-alive connection ` +
          '(the keep-alive race: the drain closed the connection as idle while the client reused it); ' +
          `${freshAfter} sent after it on a fresh connection that was accepted, then reset (the primary's listening socket stays open until every worker has stopped; connections it accepts meanwhile are queued, then closed). ` +
          failed
            .slice(0, 8)
            .map(
              (x) =>
                `${x.step} ${x.kind} sent ${Math.round(x.t0 - tTerm)} ms after SIGTERM, ${x.reused ? 'reused' : 'fresh'} connection, answered after ${Math.round(x.t1 - x.t0)} ms`,
            )
            .join('; '),
      );
      row.extra = { failedBeforeSigterm: before, resetReusedAfter: reusedAfter, resetFreshAfter: freshAfter };
    }
    if (r) {
      const s2 = await server(res, { workers: 2, env, port: s.port });
      withReadBack(row, await readBack(baseOf(s2), rep.acks));
    } else row.notes.push('no redis-server: the embedded store goes with the primary, nothing to read back');
    row.checks = [
      { what: `failed ${total(row.failures)}`, ok: total(row.failures) === 0 },
      { what: `in-flight dropped ${dropped}`, ok: dropped === 0 },
      { what: `exit code ${code}`, ok: code === 0 },
      ...(r ? [{ what: `acknowledged lost after restart: ${row.lost}`, ok: row.lost === 0 }] : []),
    ];
    return row;
  },
});
