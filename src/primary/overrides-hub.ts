// The primary's side of the scenario overrides (SPEC §17): the one holder its workers ask (overrides.get
// when a worker starts, so a replaced worker starts with the table in force) and the one that changes it
// (overrides.change, from the admin API of any worker). After a change, and after another instance
// changed the shared Redis table, the new table is pushed to every worker; a change is answered only once
// every worker acknowledged it (or a short bound passed), so the next transaction on any worker of this
// instance already sees it. Changes are applied one at a time.
import type { Worker } from 'node:cluster';
import type { PrimaryToWorker } from '../ipc.js';
import type { Logger } from '../logger.js';
import type { OverridesBackend } from '../store/overrides/overrides-backend.js';
import type { OverrideChange, OverrideChangeResult, OverridesSnapshot } from '../types.js';

export interface OverridesHubOptions {
  backend: OverridesBackend;
  logger: Logger;
  /** The workers to tell (every connected one, starting ones included). */
  workers: () => Worker[];
  send: (worker: Worker, msg: PrimaryToWorker) => void;
  /** Longest wait for the workers' acknowledgements (default 2000 ms). */
  ackTimeoutMs?: number;
}

interface AckWait {
  waiting: Set<Worker>;
  done: () => void;
}

export class OverridesHub {
  private snapshot: OverridesSnapshot = { seq: 0, version: 0, entries: [] };
  private seq = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly waits = new Map<number, AckWait>();
  private loaded = false;

  constructor(private readonly opts: OverridesHubOptions) {
    opts.backend.onRemoteChange(() => {
      void this.serialized(() => this.refresh()).catch((err: Error) =>
        opts.logger.warn('scenario overrides could not be reloaded', { error: err.message }),
      );
    });
  }

  /** Loads the table before the workers start (bounded); on failure they start empty and a reload follows. */
  async start(): Promise<void> {
    try {
      await this.serialized(() => this.refresh());
      const n = this.snapshot.entries.length;
      if (n > 0) this.opts.logger.info('scenario overrides loaded', { overrides: n, from: this.opts.backend.kind });
    } catch (err) {
      this.opts.logger.warn('scenario overrides not loaded yet; retrying when the store is reachable', { error: (err as Error).message });
    }
  }

  /** The table in force (overrides.get). */
  get(): OverridesSnapshot {
    return this.snapshot;
  }

  /** Applies a change where the table lives, then pushes the table to every worker (overrides.change). */
  change(c: OverrideChange): Promise<OverrideChangeResult> {
    return this.serialized(async () => {
      const result = await this.opts.backend.change(c, Date.now());
      if (result.changed || !this.loaded) await this.refresh();
      return result;
    });
  }

  /** A worker applied snapshot `seq` (or a later one). */
  ack(worker: Worker, seq: number): void {
    for (const [s, w] of this.waits) {
      if (s > seq) continue;
      w.waiting.delete(worker);
      if (w.waiting.size === 0) w.done();
    }
  }

  /** A worker exited: nothing more to wait for from it. */
  forget(worker: Worker): void {
    for (const w of this.waits.values()) {
      w.waiting.delete(worker);
      if (w.waiting.size === 0) w.done();
    }
  }

  async close(): Promise<void> {
    for (const w of this.waits.values()) w.done();
    await this.opts.backend.close();
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Reads the table and, when it differs from the one in force, pushes it and waits for the acks. */
  private async refresh(): Promise<void> {
    const stored = await this.opts.backend.load();
    if (this.loaded && stored.version === this.snapshot.version) return;
    this.loaded = true;
    this.snapshot = { seq: ++this.seq, version: stored.version, entries: stored.entries };
    await this.push(this.snapshot);
  }

  private push(snapshot: OverridesSnapshot): Promise<void> {
    const targets = this.opts.workers();
    if (targets.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const late = this.waits.get(snapshot.seq);
        if (late && late.waiting.size > 0)
          this.opts.logger.warn('workers did not acknowledge the scenario overrides in time', { workers: late.waiting.size });
        finish();
      }, this.opts.ackTimeoutMs ?? 2000);
      timer.unref();
      const finish = () => {
        clearTimeout(timer);
        this.waits.delete(snapshot.seq);
        resolve();
      };
      this.waits.set(snapshot.seq, { waiting: new Set(targets), done: finish });
      for (const w of targets) this.opts.send(w, { type: 'm3ds:overrides', snapshot });
    });
  }
}
