// What every protocol step shares: live config, the store, logging, metrics, the clock, the results
// pusher and this worker's timers. Built once by createProtocol; steps are plain functions over it.
import type { Config } from '../config/index.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { DueQueue } from '../store/due-queue.js';
import type { TrailSink } from '../store/inspection/inspection-types.js';
import type { OverrideMatch } from '../store/overrides/override-table.js';
import type { TransactionStore } from '../store/store.js';
import type { ApiShape } from '../types.js';
import type { AppChallengeHook } from './app-hook.js';
import type { TransactionRecord } from './transaction/record.js';
import type { ResultsPusher } from './transaction/results-push.js';

export interface ProtocolCore {
  config: () => Config;
  store: TransactionStore<TransactionRecord>;
  logger: Logger;
  metrics: Metrics;
  now: () => number;
  pusher: ResultsPusher;
  timers: Timers;
  /** Due work shared through Redis (SPEC §19); absent (embedded store): in-process timers. */
  due?: DueQueue;
  appChallenge?: AppChallengeHook;
  /** The message trail of every transaction (SPEC §17); absent: nothing is recorded. */
  trail?: TrailSink;
  /** Runtime scenario overrides (SPEC §17), consulted before the configured table. */
  overrides?: (pan: string) => OverrideMatch | undefined;
}

/** Per request facts the adapter knows: the public base URL every handed-out URL is built from. */
export interface RequestContext {
  baseUrl: string;
  /** Which API the request came through, for the index of transactions (SPEC §17); the mock's by default. */
  api?: ApiShape;
  /**
   * The X-Mock-Scenario header as sent to an authenticate route (SPEC §4); the protocol honours it only
   * under protocol.scenarioHeaderEnabled.
   */
  scenarioHeader?: string;
}

/** Timers of this worker: all unref'd (they never keep a process alive) and cleared by close(). */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();
  private readonly sleepers = new Set<() => void>();
  private closed = false;

  schedule(ms: number, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.pending.delete(t);
      fn();
    }, ms);
    t.unref();
    this.pending.add(t);
  }

  /** Resolves after ms, or at once when the timers are closed (a draining worker answers, not hangs). */
  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.sleepers.delete(done);
        clearTimeout(t);
        resolve();
      };
      const t = setTimeout(done, ms);
      t.unref();
      this.sleepers.add(done);
    });
  }

  get size(): number {
    return this.pending.size + this.sleepers.size;
  }

  close(): void {
    this.closed = true;
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
    for (const wake of [...this.sleepers]) wake();
  }
}
