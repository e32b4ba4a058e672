// The logger's stdout destinations in a real process: nothing logged before process.exit (or a kill, for
// the synchronous destination) is lost, and every line arrives whole.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ROOT } from '../helpers/server.js';

const CHILD = path.join(ROOT, 'test/helpers/logger-child.ts');

interface ChildRun {
  lines: Record<string, unknown>[];
  code: number | null;
  signal: NodeJS.Signals | null;
}

function runChild(mode: string, lines: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, String(lines)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    proc.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c;
    });
    proc.once('error', reject);
    proc.once('close', (code, signal) => {
      try {
        expect(err, 'stderr').to.equal('');
        expect(out.endsWith('\n'), 'ends with a whole line').to.equal(true);
        resolve({
          lines: out
            .trimEnd()
            .split('\n')
            .map((l) => JSON.parse(l) as Record<string, unknown>),
          code,
          signal,
        });
      } catch (e) {
        reject(e);
      }
    });
  });
}

/**
 * Runs the child with its thread pool stuck (two threads, each blocked opening a FIFO nobody writes) and
 * SIGKILLs it once it says "exiting": process.exit cannot finish while the pool is stuck (libuv joins its
 * threads at teardown), and a pool that never frees is the case where a write left to it never happens.
 * Whatever the child wrote on its own thread is in the pipe by then, and is read before the pipe closes.
 */
function runChildWithStuckPool(lines: number): Promise<Record<string, unknown>[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'm3ds-logger-'));
  const fifo = path.join(dir, 'never-written');
  const made = spawnSync('mkfifo', [fifo]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`);
  return new Promise<Record<string, unknown>[]>((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, 'async-fatal-stuck-pool', String(lines), fifo], {
      cwd: ROOT,
      env: { ...process.env, UV_THREADPOOL_SIZE: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    proc.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c;
      if (err.includes('exiting\n')) proc.kill('SIGKILL');
    });
    proc.once('error', reject);
    proc.once('close', (_code, signal) => {
      rmSync(dir, { recursive: true, force: true });
      try {
        expect(err, 'stderr').to.equal('exiting\n');
        expect(signal, 'killed while its exit waited on the stuck pool').to.equal('SIGKILL');
        expect(out === '' || out.endsWith('\n'), 'whole lines').to.equal(true);
        resolve(
          out
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as Record<string, unknown>),
        );
      } catch (e) {
        reject(e);
      }
    });
  });
}

// Under tsx the child's stdout is non-blocking: a child that outran this reader by more than the pipe's
// 64 KiB would meet EAGAIN, which is not what these tests are about. 300 lines are ~40 KiB.
const N = 300;

describe('logger destinations (integration)', function () {
  this.timeout(30_000);

  it('asynchronous: every line logged before process.exit is written', async () => {
    const run = await runChild('async-exit', N);
    expect(run.code).to.equal(0);
    expect(run.lines.map((l) => l.i).sort((a, b) => Number(a) - Number(b))).to.deep.equal(Array.from({ length: N }, (_, i) => i));
    expect(run.lines[0]).to.include({ level: 'info', worker: 1, msg: 'line', card: '411111******1111' });
  });

  it('asynchronous: a fatal line and everything before it are written when the process exits right after', async () => {
    const run = await runChild('async-fatal', N);
    expect(run.code).to.equal(1);
    expect(run.lines).to.have.length(N + 1);
    expect(run.lines.find((l) => l.level === 'fatal')).to.include({ msg: 'bye', i: N });
  });

  it('asynchronous: a fatal line logged while the destination is idle is written even when the thread pool never frees', async () => {
    // Idle, the destination hands a line straight to a thread-pool write: the fatal line would be that
    // write, stuck behind the blocked threads, and lost.
    const lines = await runChildWithStuckPool(0);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ level: 'fatal', msg: 'bye', i: 0, worker: 1 });
  });

  it('asynchronous, thread pool stuck: the lines buffered before a fatal line and the fatal line are written, in order', async () => {
    const lines = await runChildWithStuckPool(N);
    expect(lines.at(-1)).to.include({ level: 'fatal', msg: 'bye', i: N });
    // Only the chunk already handed to the pool (the first line, and at most a pipe buffer's worth) can be
    // missing: what follows it was still buffered and is written on the process's own thread.
    const info = lines.slice(0, -1).map((l) => l.i as number);
    expect(info.length).to.be.at.least(N - 1 - 4096 / 100);
    expect(info).to.deep.equal(Array.from({ length: info.length }, (_, k) => N - info.length + k));
  });

  it('synchronous: every line is out when the call returns, so even a SIGKILL right after loses none', async () => {
    const run = await runChild('sync-kill', N);
    expect(run.signal).to.equal('SIGKILL');
    expect(run.lines.map((l) => l.i)).to.deep.equal(Array.from({ length: N }, (_, i) => i));
  });
});
