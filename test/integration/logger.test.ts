// The logger's stdout destinations in a real process: nothing logged before process.exit (or a kill, for
// the synchronous destination) is lost, and every line arrives whole.
import { spawn } from 'node:child_process';
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
        resolve({ lines: out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>), code, signal });
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

  it('synchronous: every line is out when the call returns, so even a SIGKILL right after loses none', async () => {
    const run = await runChild('sync-kill', N);
    expect(run.signal).to.equal('SIGKILL');
    expect(run.lines.map((l) => l.i)).to.deep.equal(Array.from({ length: N }, (_, i) => i));
  });
});
