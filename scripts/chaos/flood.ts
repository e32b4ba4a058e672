// The connection flood of the slow-clients scenario (SPEC §20), in a process of its own (it may need a
// raised open-files limit, and its thousands of sockets stay off the driver's event loop):
//   - idle keep-alive connections: each sends one GET /health/live, reads the answer, then stays open
//     and silent;
//   - slow clients that dribble a whole request (headers and body) byte by byte, and slow clients that
//     send the headers at once and dribble the body; each reads its answer and starts again.
// Flood (below) is the orchestrator's handle on it: start → ready (the idle connections are open) →
// stop → the report.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { now, sleep } from './common.js';
import { killChild, messagesOf, stopChild } from './ipc.js';
import { withOpenFiles } from './processes.js';

export interface FloodOptions {
  port: number;
  idle: number;
  slowHeaders: number;
  slowBodies: number;
  /** Milliseconds between two bytes of a slow client. */
  byteIntervalMs: number;
}

export interface FloodReport {
  idle: { wanted: number; open: number; failed: number; closedByServer: number; stillOpen: number };
  slow: { started: number; completed: number; statuses: Record<string, number>; errors: Record<string, number>; bytesSent: number };
}

type ToFlood = { type: 'start'; opts: FloodOptions } | { type: 'stop' };
type FromFlood =
  | { type: 'ready'; open: number; failed: number }
  | { type: 'report'; report: FloodReport }
  | { type: 'error'; message: string };

const SELF = fileURLToPath(import.meta.url);

/** The orchestrator's handle on a flood process. */
export class Flood {
  private constructor(
    private readonly child: ChildProcess,
    private readonly next: () => Promise<FromFlood>,
  ) {}

  /** Starts the flood process (with the open files it needs) and resolves once the idle connections are open. */
  static async start(opts: FloodOptions): Promise<{ flood: Flood; open: number; failed: number; raisedTo?: number }> {
    const need = opts.idle + opts.slowHeaders + opts.slowBodies + 256;
    const { cmd, args, raisedTo } = withOpenFiles(process.execPath, ['--import', 'tsx', SELF], need);
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    const next = messagesOf<FromFlood>(child, (code) => ({ type: 'error', message: `the flood exited with ${code}` }));
    const flood = new Flood(child, next);
    child.send({ type: 'start', opts } satisfies ToFlood);
    const m = await next();
    if (m.type !== 'ready') {
      flood.kill();
      throw new Error(m.type === 'error' ? m.message : 'the flood did not start');
    }
    return { flood, open: m.open, failed: m.failed, ...(raisedTo !== undefined && { raisedTo }) };
  }

  async stop(): Promise<FloodReport> {
    return stopChild<FloodReport>(this.child, this.next, 'the flood');
  }

  kill(): void {
    killChild(this.child);
  }
}

/** Reads one HTTP/1.1 answer (status line, headers, Content-Length body) from a socket. */
function readAnswer(sock: net.Socket): Promise<number> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = buf.subarray(0, end).toString('latin1');
      const len = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (buf.length < end + 4 + len) return;
      cleanup();
      resolve(Number(head.split(' ')[1]));
    };
    const onClose = () => {
      cleanup();
      reject(new Error('closed'));
    };
    const onError = (err: NodeJS.ErrnoException) => {
      cleanup();
      reject(new Error(err.code ?? err.message));
    };
    const cleanup = () => {
      sock.off('data', onData);
      sock.off('close', onClose);
      sock.off('error', onError);
    };
    sock.on('data', onData);
    sock.once('close', onClose);
    sock.once('error', onError);
  });
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

async function runFlood(
  opts: FloodOptions,
  stopped: () => boolean,
): Promise<{ ready: { open: number; failed: number }; finish: () => Promise<FloodReport> }> {
  const report: FloodReport = {
    idle: { wanted: opts.idle, open: 0, failed: 0, closedByServer: 0, stillOpen: 0 },
    slow: { started: 0, completed: 0, statuses: {}, errors: {}, bytesSent: 0 },
  };
  const idle: net.Socket[] = [];
  let closing = false;
  // Idle keep-alive connections, opened 100 at a time.
  let k = 0;
  const opener = async () => {
    while (k < opts.idle) {
      k++;
      try {
        const s = await connect(opts.port);
        s.on('error', () => {});
        s.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
        await readAnswer(s);
        s.once('close', () => {
          if (!closing) report.idle.closedByServer++;
        });
        idle.push(s);
        report.idle.open++;
      } catch {
        report.idle.failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: 100 }, opener));
  const ready = { open: report.idle.open, failed: report.idle.failed };

  // Slow clients.
  const body = '{"cardNumber":"4000400040004000"}';
  const request = (p: string) =>
    `POST ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n`;
  const slowSockets = new Set<net.Socket>();
  const slowClient = async (whole: boolean) => {
    report.slow.started++;
    let sock: net.Socket | undefined;
    while (!stopped()) {
      try {
        if (!sock || sock.destroyed) {
          sock = await connect(opts.port);
          sock.on('error', () => {});
          slowSockets.add(sock);
        }
        const s = sock;
        const answer = readAnswer(s);
        answer.catch(() => {});
        const head = request('/3ds/version');
        const dribble = whole ? head + body : body;
        if (!whole) s.write(head);
        for (const ch of dribble) {
          if (stopped() || s.destroyed) break;
          s.write(ch);
          report.slow.bytesSent++;
          await sleep(opts.byteIntervalMs);
        }
        if (stopped()) break;
        const status = await answer;
        report.slow.completed++;
        report.slow.statuses[status] = (report.slow.statuses[status] ?? 0) + 1;
      } catch (err) {
        const e = (err as Error).message;
        report.slow.errors[e] = (report.slow.errors[e] ?? 0) + 1;
        sock?.destroy();
        sock = undefined;
        await sleep(opts.byteIntervalMs);
      }
    }
  };
  const slow = [
    ...Array.from({ length: opts.slowHeaders }, () => slowClient(true)),
    ...Array.from({ length: opts.slowBodies }, () => slowClient(false)),
  ];
  return {
    ready,
    async finish() {
      await Promise.race([Promise.all(slow), sleep(5000)]);
      report.idle.stillOpen = idle.filter((s) => !s.destroyed && s.readyState === 'open').length;
      closing = true;
      for (const s of idle) s.destroy();
      for (const s of slowSockets) s.destroy();
      return report;
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF && process.send) {
  let stop = false;
  let finish: (() => Promise<FloodReport>) | undefined;
  const reply = (m: FromFlood) => process.send?.(m);
  process.on('message', (m: ToFlood) => {
    if (m.type === 'start') {
      const t0 = now();
      runFlood(m.opts, () => stop).then(
        (f) => {
          finish = f.finish;
          process.stderr.write(
            `  flood: ${f.ready.open} idle connections open (${f.ready.failed} failed) in ${Math.round(now() - t0)} ms\n`,
          );
          reply({ type: 'ready', ...f.ready });
        },
        (err: Error) => reply({ type: 'error', message: err.message }),
      );
    } else if (m.type === 'stop') {
      stop = true;
      if (!finish) {
        reply({ type: 'error', message: 'not started' });
        return;
      }
      finish().then(
        (report) => reply({ type: 'report', report }),
        (err: Error) => reply({ type: 'error', message: err.message }),
      );
    }
  });
  process.on('disconnect', () => process.exit(0));
}
