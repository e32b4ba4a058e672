// Baseline: WireMock standalone (the jar inside the `wiremock` npm package, on the machine's Java)
// serving one static stub — POST /3ds/version answers the body our server answers — tuned as its docs
// advise for load: no request journal, no request logging, asynchronous responses. The stub mapping is
// a file in a temporary root directory, removed on close.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startProcess, stopProcess } from './harness.js';

export interface WireMock {
  port: number;
  pid: number;
  close(): Promise<void>;
}

export function wiremockJar(root: string): string {
  const dir = path.join(root, 'node_modules/wiremock/build');
  let jar: string | undefined;
  try {
    jar = readdirSync(dir).find((f) => /^wiremock-standalone-.*\.jar$/.test(f));
  } catch {
    jar = undefined;
  }
  if (!jar) throw new Error(`no WireMock jar in ${dir}: run npm install (the wiremock devDependency carries it)`);
  return path.join(dir, jar);
}

export async function startWireMock(
  root: string,
  stub: { method: string; url: string; body: string; contentType: string },
): Promise<WireMock> {
  const jar = wiremockJar(root);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'm3ds-wiremock-'));
  let proc: ChildProcess | undefined;
  try {
    mkdirSync(path.join(dir, 'mappings'));
    mkdirSync(path.join(dir, '__files'));
    writeFileSync(
      path.join(dir, 'mappings/stub.json'),
      JSON.stringify({
        request: { method: stub.method, url: stub.url },
        response: { status: 200, headers: { 'Content-Type': stub.contentType }, body: stub.body },
      }),
    );
    const port = await freePort();
    proc = await startProcess(
      'java',
      [
        '-jar',
        jar,
        '--port',
        String(port),
        '--bind-address',
        '127.0.0.1',
        '--root-dir',
        dir,
        '--no-request-journal',
        '--disable-request-logging',
        '--async-response-enabled=true',
        '--disable-banner',
      ],
      {},
      async (p) => {
        const r = await fetch(`http://127.0.0.1:${p}${stub.url}`, { method: stub.method, body: '{}', signal: AbortSignal.timeout(1000) });
        return r.ok && (await r.text()) === stub.body;
      },
      port,
    );
    const p = proc;
    return {
      port,
      pid: p.pid as number,
      async close() {
        await stopProcess(p);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (proc) await stopProcess(proc);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
