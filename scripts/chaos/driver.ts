// The load driver process: runs FlowLoad (flows.ts) apart from the orchestrator, so that signalling,
// polling and the flood of idle connections never sit on the event loop that times the requests.
// The orchestrator talks to it with Driver (below): start → stop → the report.
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowLoad, type LoadOptions, type LoadReport } from './flows.js';
import { killChild, messagesOf, stopChild } from './ipc.js';

type ToDriver = { type: 'start'; opts: LoadOptions } | { type: 'stop' };
type FromDriver = { type: 'started' } | { type: 'report'; report: LoadReport } | { type: 'error'; message: string };

const SELF = fileURLToPath(import.meta.url);

/** The parent's handle on a driver process. */
export class Driver {
  private constructor(
    private readonly child: ChildProcess,
    private readonly next: () => Promise<FromDriver>,
  ) {}

  /** Forks a driver and starts the load. */
  static async start(opts: LoadOptions): Promise<Driver> {
    const child = fork(SELF, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    const next = messagesOf<FromDriver>(child, (code) => ({ type: 'error', message: `the load driver exited with ${code}` }));
    const d = new Driver(child, next);
    child.send({ type: 'start', opts } satisfies ToDriver);
    const m = await next();
    if (m.type !== 'started') {
      d.kill();
      throw new Error(m.type === 'error' ? m.message : 'the load driver did not start');
    }
    return d;
  }

  /** Stops the loops (each finishes its flow) and returns everything recorded. */
  async stop(): Promise<LoadReport> {
    return stopChild<LoadReport>(this.child, this.next, 'the load driver');
  }

  kill(): void {
    killChild(this.child);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF && process.send) {
  let load: FlowLoad | undefined;
  const reply = (m: FromDriver) => process.send?.(m);
  process.on('message', (m: ToDriver) => {
    if (m.type === 'start') {
      try {
        load = new FlowLoad(m.opts);
        load.start();
        reply({ type: 'started' });
      } catch (err) {
        reply({ type: 'error', message: (err as Error).message });
      }
    } else if (m.type === 'stop') {
      if (!load) {
        reply({ type: 'error', message: 'not started' });
        return;
      }
      load.stop().then(
        (report) => reply({ type: 'report', report }),
        (err: Error) => reply({ type: 'error', message: err.message }),
      );
    }
  });
  process.on('disconnect', () => process.exit(0));
}
