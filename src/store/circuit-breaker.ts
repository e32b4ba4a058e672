// The L2 circuit breaker (SPEC §7): after `failureThreshold` consecutive failures it opens and callers
// fail at once (a fast 503 with Retry-After) instead of each waiting out a timeout; after `openMs` one
// trial call is let through (half-open): success closes it, failure opens it again.
import { StoreUnavailableError } from './store.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  failureThreshold: number;
  openMs: number;
  now?: () => number;
  onStateChange?: (state: BreakerState) => void;
}

/** The admission a call got: a trial decides the half-open breaker; a normal call only counts. */
export type Admission = 'normal' | 'trial';

export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;
  private readonly now: () => number;

  constructor(private readonly opts: CircuitBreakerOptions) {
    this.now = opts.now ?? Date.now;
  }

  get state(): BreakerState {
    return this.current;
  }

  /** Admits a call or throws StoreUnavailableError (breaker open, or a trial already running). */
  admit(): Admission {
    if (this.current === 'closed') return 'normal';
    if (this.current === 'open' && this.now() - this.openedAt >= this.opts.openMs) {
      this.set('half-open');
      this.trialInFlight = false;
    }
    if (this.current === 'half-open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return 'trial';
    }
    throw new StoreUnavailableError('transaction store unavailable (circuit breaker open)', this.retryAfterSeconds());
  }

  success(admission: Admission): void {
    if (admission === 'trial' || this.current === 'closed') {
      // A normal call that succeeds after the breaker opened started before the outage was detected:
      // weak evidence, so only a trial (or the connection coming back: reset()) closes the breaker.
      this.failures = 0;
      this.trialInFlight = false;
      this.set('closed');
    }
  }

  failure(admission: Admission): void {
    if (admission === 'trial') {
      this.trialInFlight = false;
      this.open();
      return;
    }
    if (this.current !== 'closed') return;
    this.failures++;
    if (this.failures >= this.opts.failureThreshold) this.open();
  }

  /** Closes the breaker (the transport reported a fresh connection). */
  reset(): void {
    this.failures = 0;
    this.trialInFlight = false;
    this.set('closed');
  }

  /** Seconds until the next trial, at least 1: the Retry-After of a refused call. */
  retryAfterSeconds(): number {
    if (this.current !== 'open') return 1;
    return Math.max(1, Math.ceil((this.openedAt + this.opts.openMs - this.now()) / 1000));
  }

  private open(): void {
    this.openedAt = this.now();
    this.set('open');
  }

  private set(state: BreakerState): void {
    if (state === this.current) return;
    this.current = state;
    this.opts.onStateChange?.(state);
  }
}
