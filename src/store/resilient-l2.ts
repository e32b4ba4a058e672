// Resilience around any L2 (SPEC §7): idempotent operations retried with exponential backoff, a circuit
// breaker that turns an outage into an immediate StoreUnavailableError (503 + Retry-After), readiness
// that follows the transport, and the L2 metrics.
//
// Readiness = the backend reports its transport up (Redis connection events) AND the breaker is closed.
// A periodic ping keeps it honest without traffic: it feeds the breaker like any call (so a silent
// outage opens it) and, once the breaker's open period is over, it is the half-open trial (so readiness
// comes back even when no request arrives: a not-ready worker gets no traffic to try with). A fresh
// connection ('ready' from Redis) closes the breaker at once.
//
// Writes are never retried: a write whose reply was lost may have been applied, and repeating a
// compare-and-set would then report a conflict for the caller's own write.
import type { StoreOp, StoreResultOf } from '../ipc.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { type Admission, type BreakerState, CircuitBreaker } from './circuit-breaker.js';
import { IDEMPOTENT_OPS, type L2 } from './l2.js';
import { StoreUnavailableError } from './store.js';

export interface ResilienceOptions {
  /** store.readRetries: extra tries of an idempotent operation. */
  readRetries: number;
  /** store.retryBackoffMs: first backoff, doubled per retry, with jitter. */
  retryBackoffMs: number;
  /** store.breaker */
  breaker: { failureThreshold: number; openMs: number };
  /** Period of the readiness ping (default 1000 ms; the timer is unref'd). */
  probeIntervalMs?: number | undefined;
  logger: Logger;
  metrics: Metrics;
}

const BREAKER_GAUGE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

type Observer = { observe(v: number): void };
type Incrementer = { inc(): void };

export class ResilientL2 implements L2 {
  readonly backend: L2['backend'];
  private readonly breaker: CircuitBreaker;
  private readonly timer: NodeJS.Timeout;
  private readonly durations = new Map<string, Observer>();
  private readonly errors = new Map<string, Incrementer>();
  private probing = false;
  private closed = false;

  constructor(
    private readonly inner: L2,
    private readonly opts: ResilienceOptions,
  ) {
    this.backend = inner.backend;
    const gauge = opts.metrics.gauge('store_breaker_state');
    gauge.set(0);
    this.breaker = new CircuitBreaker({
      ...opts.breaker,
      onStateChange: (state) => {
        gauge.set(BREAKER_GAUGE[state]);
        if (state === 'open') opts.logger.warn('store circuit breaker open', { backend: this.backend, openMs: opts.breaker.openMs });
        else if (state === 'closed') opts.logger.info('store circuit breaker closed', { backend: this.backend });
      },
    });
    inner.onConnectionChange((up) => {
      if (up) this.breaker.reset();
    });
    this.timer = setInterval(() => void this.probe(), opts.probeIntervalMs ?? 1000);
    this.timer.unref();
  }

  get breakerState(): BreakerState {
    return this.breaker.state;
  }

  isReady(): boolean {
    return !this.closed && this.inner.isReady() && this.breaker.state === 'closed';
  }

  onConnectionChange(listener: (up: boolean) => void): void {
    this.inner.onConnectionChange(listener);
  }

  async exec<O extends StoreOp>(op: O): Promise<StoreResultOf<O>> {
    const tries = IDEMPOTENT_OPS.has(op.op) ? 1 + this.opts.readRetries : 1;
    for (let attempt = 1; ; attempt++) {
      const admission: Admission = this.breaker.admit();
      const started = performance.now();
      try {
        const result = await this.inner.exec(op);
        this.duration(op.op).observe((performance.now() - started) / 1000);
        this.breaker.success(admission);
        return result;
      } catch (err) {
        this.duration(op.op).observe((performance.now() - started) / 1000);
        this.error(op.op).inc();
        this.breaker.failure(admission);
        if (attempt >= tries || this.breaker.state !== 'closed') throw this.unavailable(err);
        const backoff = this.opts.retryBackoffMs * 2 ** (attempt - 1);
        await sleep(backoff / 2 + Math.random() * backoff);
      }
    }
  }

  /** One readiness ping through the breaker; never rejects. */
  async probe(): Promise<void> {
    if (this.probing || this.closed) return;
    this.probing = true;
    try {
      await this.exec({ op: 'ping' });
    } catch {
      // Counted by exec; readiness reads the breaker.
    } finally {
      this.probing = false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.inner.close();
  }

  private unavailable(err: unknown): StoreUnavailableError {
    if (err instanceof StoreUnavailableError) return err;
    const e = new StoreUnavailableError(
      `transaction store unavailable: ${(err as Error)?.message ?? String(err)}`,
      this.breaker.retryAfterSeconds(),
    );
    e.cause = err;
    return e;
  }

  // Children are bound once per operation: label lookup by object costs more than the observation.
  private duration(op: string): Observer {
    let h = this.durations.get(op);
    if (!h) {
      h = this.opts.metrics.histogram('store_l2_operation_duration_seconds').labels({ backend: this.backend, operation: op });
      this.durations.set(op, h);
    }
    return h;
  }

  private error(op: string): Incrementer {
    let c = this.errors.get(op);
    if (!c) {
      c = this.opts.metrics.counter('store_l2_errors_total').labels({ backend: this.backend, operation: op });
      this.errors.set(op, c);
    }
    return c;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
