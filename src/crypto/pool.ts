// One Piscina pool per worker process (SPEC §2), sized so that workers x threads stays near the core
// count (piscina's default of 1.5 x cores per pool oversubscribes when every core already runs a
// worker process, DESIGN §4). Typed against the task map; reports queue size and task durations.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { Metrics } from '../metrics.js';
import { PoolOverloadedError, reviveCryptoError } from './crypto-errors.js';
import type { TaskMap, TaskName, TaskOutcome, TaskRequest, ThreadData } from './tasks/task-types.js';

export interface CryptoPoolOptions {
  threads: number;
  maxQueue: number;
  /** Module run by the threads; the compiled task file next to this one by default. */
  taskFile?: string | URL | undefined;
  workerData?: ThreadData;
  metrics?: Metrics;
  /**
   * Keep all threads started (tasks are offloaded). When false the pool starts threads on demand
   * and lets idle ones go, so an unused pool costs nothing.
   */
  warm?: boolean;
}

/** pool.threads, or for 0: max(1, round(cores / workers)) so workers x threads ~ cores. */
export function poolThreadCount(configured: number, workers: number, cores: number = os.availableParallelism()): number {
  if (configured > 0) return configured;
  return Math.max(1, Math.round(cores / Math.max(1, workers)));
}

/**
 * The task module next to this file: dist/crypto/tasks/crypto-task.js when compiled. Threads do not
 * get a TypeScript loader of their own, so under tsx this points at the .ts file and works only when
 * the loader is in execArgv (node --import tsx), which threads inherit; tests pass their own entry.
 */
export function defaultTaskFile(): string {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return fileURLToPath(new URL(`./tasks/crypto-task.${ext}`, import.meta.url));
}

function isQueueFull(err: unknown): boolean {
  const m = (err as Error | undefined)?.message ?? '';
  return m.includes('Task queue is at limit') || m.includes('No task queue available');
}

export class CryptoPool {
  readonly #piscina: Piscina<TaskRequest, TaskOutcome>;
  readonly #metrics: Metrics | undefined;
  #closed?: Promise<void>;

  constructor(opts: CryptoPoolOptions) {
    const filename = opts.taskFile instanceof URL ? fileURLToPath(opts.taskFile) : (opts.taskFile ?? defaultTaskFile());
    const threads = Math.max(1, opts.threads);
    this.#piscina = new Piscina<TaskRequest, TaskOutcome>({
      filename,
      minThreads: opts.warm ? threads : 0,
      maxThreads: threads,
      maxQueue: opts.maxQueue,
      idleTimeout: opts.warm ? 0 : 10_000,
      // Piscina's default ('sync': threads park in Atomics.wait between tasks) stalled whole worker
      // processes here under sustained load: after a few 4 s rounds of 64 concurrent app AReqs with
      // signing offloaded, one worker's tasks stopped completing (0 answers, 0% CPU) until restart.
      // Message-port hand-off ('disabled') ran the same load clean and ~10% faster (measured).
      atomics: 'disabled',
      workerData: opts.workerData ?? {},
    });
    this.#metrics = opts.metrics;
  }

  get threads(): number {
    return this.#piscina.maxThreads;
  }

  /** Threads started right now. */
  get liveThreads(): number {
    return this.#piscina.threads.length;
  }

  get queueSize(): number {
    return this.#piscina.queueSize;
  }

  get completed(): number {
    return this.#piscina.completed;
  }

  /** Runs one task in a thread. Input errors come back as their typed errors; a full queue is PoolOverloadedError. */
  async run<K extends TaskName>(task: K, input: TaskMap[K]['input']): Promise<TaskMap[K]['output']> {
    if (this.#closed) throw new Error('crypto pool is closed');
    const started = process.hrtime.bigint();
    const queue = this.#metrics?.gauge('pool_queue_size');
    let outcome: TaskOutcome;
    try {
      const running = this.#piscina.run({ task, input } as TaskRequest);
      queue?.set(this.#piscina.queueSize);
      outcome = await running;
    } catch (err) {
      if (isQueueFull(err)) throw new PoolOverloadedError();
      throw err;
    } finally {
      queue?.set(this.#piscina.queueSize);
    }
    this.#metrics?.histogram('pool_task_duration_seconds').observe({ task }, Number(process.hrtime.bigint() - started) / 1e9);
    if (!outcome.ok) throw reviveCryptoError(outcome.error);
    return outcome.value as TaskMap[K]['output'];
  }

  /** Waits for running tasks, then stops the threads. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#piscina.close();
    return this.#closed;
  }
}
