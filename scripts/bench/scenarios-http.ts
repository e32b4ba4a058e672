// HTTP scenarios: the server as users run it (all cores, embedded store, log level warn so the
// measurement is of the server rather than of a terminal), against a bare node:http cluster.
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { freePort, runWrk, type Scenario, startProcess, stopProcess } from './harness.js';

export interface ScenarioGroup {
  scenarios: Scenario[];
  close(): Promise<void>;
}

const VERSION_BODY = JSON.stringify({ cardNumber: '4000400040004001' });

async function httpOk(url: string): Promise<boolean> {
  const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
  return r.ok;
}

export async function httpScenarios(root: string): Promise<ScenarioGroup> {
  const workers = String(os.availableParallelism());
  const procs: ChildProcess[] = [];
  const barePort = await freePort();
  const mockPort = await freePort();
  const mock = await startProcess(
    process.execPath,
    [path.join(root, 'dist/main.js')],
    { NODE_ENV: 'development', PORT: String(mockPort), HOST: '127.0.0.1', WORKERS: workers, LOG_LEVEL: 'warn' },
    (p) => httpOk(`http://127.0.0.1:${p}/health/ready`),
    mockPort,
  );
  procs.push(mock);
  // The bare baseline serves the body our /3ds/version answers for the same card.
  const sample = await fetch(`http://127.0.0.1:${mockPort}/3ds/version`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: VERSION_BODY,
  })
    .then((r) => (r.ok ? r.text() : '{"status":"healthy"}'))
    .catch(() => '{"status":"healthy"}');
  const bare = await startProcess(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'scripts/bench/bare-server.ts')],
    { PORT: String(barePort), WORKERS: workers, BARE_BODY: sample },
    (p) => httpOk(`http://127.0.0.1:${p}/`),
    barePort,
  );
  procs.push(bare);
  const bareName = `bare node:http cluster (${workers} workers)`;
  const scenarios: Scenario[] = [
    {
      name: bareName,
      run: (s) => runWrk({ url: `http://127.0.0.1:${barePort}/`, method: 'POST', body: VERSION_BODY }, s, bare.pid as number),
    },
    {
      name: 'mock GET /health',
      baseline: [bareName],
      run: (s) => runWrk({ url: `http://127.0.0.1:${mockPort}/health` }, s, mock.pid as number),
    },
    {
      name: 'mock POST /3ds/version',
      baseline: [bareName],
      run: (s) => runWrk({ url: `http://127.0.0.1:${mockPort}/3ds/version`, method: 'POST', body: VERSION_BODY }, s, mock.pid as number),
    },
  ];
  return {
    scenarios,
    async close() {
      for (const p of procs.reverse()) await stopProcess(p);
    },
  };
}
