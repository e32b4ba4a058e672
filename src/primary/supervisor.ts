// Worker supervision: one slot per worker; a slot's worker that exits unplanned is replaced with backoff,
// a crash loop is reported (and slowed to the maximum backoff) instead of spinning; rolling restarts
// replace slots one at a time, each new worker listening before the old one is told to drain.
import cluster, { type Worker } from 'node:cluster';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config/index.js';
import { type ClusterStatus, isOurs, type PrimaryToWorker, type WorkerToPrimary } from '../ipc.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

const MAX_BACKOFF_MS = 30_000;
const READY_TIMEOUT_MS = 30_000;

interface Slot {
  id: number;
  worker?: Worker | undefined;
  /** During a roll: the worker being replaced, which serves until its successor listens. */
  previous?: Worker | undefined;
}

/** How a spawn ended: the worker listens, or it exited because it was told to stop (never a failure). */
export type SpawnOutcome = 'listening' | 'stopped';

export interface SupervisorEvents {
  onMessage(worker: Worker, msg: WorkerToPrimary): void;
  /**
   * The cluster's readiness changed (every configured worker serves and reaches the store, or no longer).
   * Called before the workers are told, so that a log line written here precedes any ready probe's 200.
   */
  onReadiness?(status: ClusterStatus): void;
}

/** A rolling restart that stopped because a new worker could not start. */
export class RollError extends Error {
  constructor(
    message: string,
    /** Slots already running the new config when it stopped. */
    readonly rolled: number,
  ) {
    super(message);
    this.name = 'RollError';
  }
}

export class Supervisor {
  private slots: Slot[] = [];
  private config: Config;
  private readonly exits: number[] = [];
  private readonly retiring = new Set<Worker>();
  /** Workers that listen and have not been told to drain, with whether their store is reachable. */
  private readonly serving = new Map<Worker, { storeReady: boolean }>();
  private readonly listeningWaiters = new Map<Worker, (port: number | Error | 'stopped') => void>();
  /** Set once start() has brought every slot up; before that, readiness is never announced. */
  private started = false;
  private stopping = false;
  private lastReady = false;
  private lastFatal = '';
  port = 0;

  constructor(
    config: Config,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly events: SupervisorEvents,
  ) {
    this.config = config;
    cluster.on('message', (worker, msg: unknown) => this.onMessage(worker, msg));
    cluster.on('exit', (worker, code, signal) => this.onExit(worker, code, signal));
  }

  /** Slots with a worker that serves (the old one during its replacement in a roll). */
  get alive(): number {
    return this.slots.filter((s) => (s.worker && this.serving.has(s.worker)) || (s.previous && this.serving.has(s.previous))).length;
  }

  /** The configured worker count. */
  get expected(): number {
    return this.slots.length;
  }

  /** True once a shutdown has begun. */
  get isStopping(): boolean {
    return this.stopping;
  }

  status(): ClusterStatus {
    const alive = this.alive;
    const expected = this.expected;
    let storesUp = true;
    for (const s of this.serving.values()) storesUp &&= s.storeReady;
    return { alive, expected, ready: this.started && !this.stopping && expected > 0 && alive === expected && storesUp };
  }

  workers(): Worker[] {
    return [...this.serving.keys()];
  }

  /**
   * Forks `count` workers and waits until all listen. Resolves true when they do, false when a shutdown
   * began meanwhile (the workers it stopped are not failures); rejects when a worker could not start.
   * Readiness is announced by the caller (markStarted) once it has logged what it needs to.
   */
  async start(count: number): Promise<boolean> {
    this.slots = Array.from({ length: count }, (_, id) => ({ id }));
    const outcomes = await Promise.all(this.slots.map((s) => this.spawn(s)));
    return !this.stopping && outcomes.every((o) => o === 'listening');
  }

  /** Start-up is over: from now on readiness follows the workers (onReadiness, then the broadcast). */
  markStarted(): void {
    this.started = true;
    this.broadcastCluster();
  }

  send(worker: Worker, msg: PrimaryToWorker): void {
    if (worker.isConnected()) worker.send(msg, undefined, () => {});
  }

  broadcast(msg: PrimaryToWorker): void {
    for (const s of this.slots) if (s.worker) this.send(s.worker, msg);
  }

  /** Live configuration push (no restart). */
  pushConfig(config: Config): void {
    this.config = config;
    this.broadcast({ type: 'm3ds:config', config, reason: 'reload' });
  }

  /**
   * Replaces every worker, one at a time, with the new config; grows or shrinks to `count`. When a new
   * worker cannot start, its slot keeps the old worker, the previous config is restored and the error
   * says how many slots had already been replaced (the caller rolls those back). A shutdown that begins
   * meanwhile ends the roll quietly: the shutdown stops every worker, old and new.
   */
  async roll(config: Config, count: number): Promise<void> {
    const previous = this.config;
    this.config = config;
    let rolled = 0;
    const fail = (slot: Slot, old: Worker | undefined, err: unknown): never => {
      const failed = slot.worker;
      if (failed && failed !== old && !failed.isDead()) {
        this.retiring.add(failed);
        failed.process.kill('SIGKILL');
      }
      slot.previous = undefined;
      this.config = previous;
      if (old && !old.isDead()) slot.worker = old;
      else {
        // Its old worker died meanwhile: the slot gets a new one under the previous config.
        slot.worker = undefined;
        this.respawnLater(slot, 0);
      }
      this.broadcastCluster();
      throw new RollError((err as Error).message, rolled);
    };
    const keep = Math.min(count, this.slots.length);
    for (let i = 0; i < keep; i++) {
      if (this.stopping) return;
      const slot = this.slots[i] as Slot;
      const old = slot.worker;
      slot.previous = old;
      let outcome: SpawnOutcome;
      try {
        outcome = await this.spawn(slot);
      } catch (err) {
        return fail(slot, old, err);
      }
      slot.previous = undefined;
      if (outcome === 'stopped' || this.stopping) return;
      if (old && !old.isDead()) this.retire(old, 'roll');
      rolled++;
      this.broadcastCluster();
    }
    for (let i = keep; i < count; i++) {
      if (this.stopping) return;
      const slot: Slot = { id: i };
      this.slots.push(slot);
      let outcome: SpawnOutcome;
      try {
        outcome = await this.spawn(slot);
      } catch (err) {
        this.slots.splice(this.slots.indexOf(slot), 1);
        return fail(slot, undefined, err);
      }
      if (outcome === 'stopped' || this.stopping) return;
      rolled++;
      this.broadcastCluster();
    }
    const surplus = this.slots.splice(count);
    for (const s of surplus) if (s.worker) this.retire(s.worker, 'roll');
    this.broadcastCluster();
  }

  /** Drains every worker and resolves when all have exited (or the grace period plus a margin passed). */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.broadcastCluster();
    const all = Object.values(cluster.workers ?? {}).filter((w): w is Worker => Boolean(w));
    for (const w of all) this.send(w, { type: 'm3ds:shutdown', graceMs, reason: 'sigterm' });
    const deadline = Date.now() + graceMs + 2000;
    while (Object.keys(cluster.workers ?? {}).length > 0 && Date.now() < deadline) await sleep(25);
    this.killAll();
  }

  killAll(): void {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
  }

  private retire(worker: Worker, reason: 'roll' | 'sigterm'): void {
    this.retiring.add(worker);
    this.serving.delete(worker);
    this.send(worker, { type: 'm3ds:shutdown', graceMs: this.config.server.shutdownGraceMs, reason });
    const killTimer = setTimeout(() => {
      if (!worker.isDead()) worker.process.kill('SIGKILL');
    }, this.config.server.shutdownGraceMs + 5000);
    killTimer.unref();
  }

  private spawn(slot: Slot): Promise<SpawnOutcome> {
    const worker = cluster.fork({ M3DS_WORKER_ID: String(slot.id) });
    slot.worker = worker;
    // A message to a worker that has just died fails with EPIPE, Node's own cluster messages included (a
    // listening handle answered after the worker exited). Unhandled, that error would end the primary;
    // the worker's exit is what matters, and onExit deals with it.
    worker.on('error', (err: NodeJS.ErrnoException) => {
      this.logger.debug('message channel to a worker failed', { workerPid: worker.process.pid, code: err.code });
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeningWaiters.delete(worker);
        reject(new Error(`worker ${slot.id} did not listen within ${READY_TIMEOUT_MS} ms`));
      }, READY_TIMEOUT_MS);
      timer.unref();
      this.listeningWaiters.set(worker, (res) => {
        clearTimeout(timer);
        this.listeningWaiters.delete(worker);
        if (res instanceof Error) return reject(res);
        if (res === 'stopped') return resolve('stopped');
        this.port = res;
        resolve('listening');
      });
      // The config goes out when the worker says hello (its message listener is installed by then), and it
      // is the one current at that moment: a live reload pushed between fork and hello must not be lost.
      // A shutdown that began before the hello is said now: a message sent before it could have been lost.
      const onHello = (msg: unknown) => {
        if (!isOurs<WorkerToPrimary>(msg) || msg.type !== 'm3ds:hello') return;
        worker.off('message', onHello);
        if (this.stopping) {
          worker.send({ type: 'm3ds:shutdown', graceMs: 0, reason: 'sigterm' } satisfies PrimaryToWorker);
          return;
        }
        worker.send({ type: 'm3ds:config', config: this.config, reason: 'initial', cluster: this.status() } satisfies PrimaryToWorker);
      };
      worker.on('message', onHello);
    });
  }

  private onMessage(worker: Worker, msg: unknown): void {
    if (!isOurs<WorkerToPrimary>(msg)) return;
    if (msg.type === 'm3ds:listening') {
      if (!this.retiring.has(worker) && !this.stopping) this.serving.set(worker, { storeReady: msg.storeReady });
      this.listeningWaiters.get(worker)?.(msg.port);
    } else if (msg.type === 'm3ds:worker-state') {
      const s = this.serving.get(worker);
      if (s && s.storeReady !== msg.storeReady) {
        s.storeReady = msg.storeReady;
        this.broadcastCluster();
      }
    } else if (msg.type === 'm3ds:fatal') this.lastFatal = msg.message;
    this.events.onMessage(worker, msg);
  }

  private onExit(worker: Worker, code: number | null, signal: string | null): void {
    this.serving.delete(worker);
    const waiter = this.listeningWaiters.get(worker);
    // A worker told to stop (shutdown, or retired by a roll) that exits before listening did what it was
    // told: its spawn ends 'stopped', never as a start-up failure.
    const told = this.stopping || this.retiring.has(worker);
    if (waiter) waiter(told ? 'stopped' : new Error(this.lastFatal || `worker exited (${signal ?? code}) before listening`));
    if (this.retiring.delete(worker) || this.stopping) return;
    // The old worker of a slot being rolled died before its successor listened: the roll goes on
    // without it (its successor, or the roll's failure path, takes care of the slot).
    const rolling = this.slots.find((s) => s.previous === worker);
    if (rolling) {
      rolling.previous = undefined;
      this.broadcastCluster();
      return;
    }
    const slot = this.slots.find((s) => s.worker === worker);
    if (!slot) return;
    slot.worker = undefined;
    this.broadcastCluster();
    // start() and roll() report a worker that never listened; a replacement that never listened is replaced.
    if (waiter && (!this.started || slot.previous)) return;
    const now = Date.now();
    this.exits.push(now);
    while (this.exits.length > 0 && now - (this.exits[0] as number) > this.config.server.crashLoopWindowMs) this.exits.shift();
    const n = this.exits.length;
    const looping = n >= this.config.server.crashLoopThreshold;
    this.metrics.counter('worker_restarts_total').inc();
    this.metrics.gauge('worker_crash_loop').set(looping ? 1 : 0);
    const delay = looping ? MAX_BACKOFF_MS : n <= 1 ? 0 : Math.min(this.config.server.restartBackoffMs * 2 ** (n - 2), MAX_BACKOFF_MS);
    const log = looping ? this.logger.error.bind(this.logger) : this.logger.warn.bind(this.logger);
    log(looping ? 'crash loop: workers keep exiting; replacing at the maximum backoff' : 'worker exited unexpectedly; replacing it', {
      slot: slot.id,
      workerPid: worker.process.pid,
      code,
      signal,
      exitsInWindow: n,
      delayMs: delay,
    });
    this.respawnLater(slot, delay);
  }

  /** Forks a replacement for an empty slot after `delay` ms (unless one came meanwhile or a shutdown began). */
  private respawnLater(slot: Slot, delay: number): void {
    const t = setTimeout(() => {
      if (this.stopping || slot.worker || !this.slots.includes(slot)) return;
      this.spawn(slot)
        .then(() => {
          this.broadcastCluster();
          if (this.exits.length < this.config.server.crashLoopThreshold) this.metrics.gauge('worker_crash_loop').set(0);
        })
        .catch((err: Error) => this.logger.error('replacement worker failed to start', { slot: slot.id, err }));
    }, delay);
    // Deliberately not unref'd: with every worker gone, this timer is what keeps the primary alive.
    void t;
  }

  /** Tells every worker the cluster's status; a change of readiness is reported (onReadiness) first. */
  broadcastCluster(): void {
    const status = this.status();
    this.metrics.gauge('workers_alive').set(status.alive);
    if (status.ready !== this.lastReady) {
      this.lastReady = status.ready;
      if (!this.stopping) this.events.onReadiness?.(status);
    }
    this.broadcast({ type: 'm3ds:cluster', ...status });
  }

  /** Why start() failed: the reason the worker gave, when it said one. */
  startFailure(err: Error): string {
    return this.lastFatal || err.message;
  }
}
