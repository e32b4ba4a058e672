// Requests the server holds and never answers (SPEC §4: the ACS of test card acs-no-answer never answers
// the CReq, so that a client can rehearse its timeout). A held request ends in one of three ways, always
// without a response: the client gives up (its connection closes), the bounded maximum passes
// (protocol.hangMaxMs: the connection is destroyed), or the worker drains or closes (every held
// connection is destroyed at once, so a drain never waits on one). Never an unbounded hang, never a timer
// left behind: each timer is unref'd and cleared when its request ends.
import type { Logger } from '../logger.js';
import type { Exchange } from './exchange.js';
import type { DelayScheduler } from './fault-injection/injector.js';

// setTimeout fires at once above this.
const MAX_TIMER_MS = 2 ** 31 - 1;

const timerScheduler: DelayScheduler = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

type Ending = 'client left' | 'maximum reached' | 'draining';

export class HeldRequests {
  private readonly held = new Map<Exchange, (why: Ending) => void>();
  private released = false;

  /** `schedule`: how the maximum is waited for (unref'd timers; tests record and fire it instead). */
  constructor(
    private readonly logger: Logger,
    private readonly schedule: DelayScheduler = timerScheduler,
  ) {}

  /** Holds `ex` without answering, at most `maxMs`; then its connection is destroyed. */
  hold(ex: Exchange, maxMs: number): void {
    const socket = ex.req.socket;
    if (socket.destroyed) return;
    if (this.released) {
      socket.destroy();
      return;
    }
    const startedAt = Date.now();
    let cancel = (): void => {};
    const end = (why: Ending): void => {
      if (!this.held.delete(ex)) return;
      cancel();
      ex.res.off('close', onClose);
      this.logger.info('request held without an answer ended', {
        requestId: ex.id,
        route: ex.route,
        transId: ex.transId,
        why,
        heldMs: Date.now() - startedAt,
      });
      if (why !== 'client left') socket.destroy();
    };
    const onClose = (): void => end('client left');
    this.held.set(ex, end);
    // The access log never sees these (no response finishes): these two lines stand in for it.
    this.logger.info('request held without an answer', { requestId: ex.id, route: ex.route, transId: ex.transId, maxMs });
    cancel = this.schedule(() => end('maximum reached'), Math.min(Math.max(0, maxMs), MAX_TIMER_MS));
    ex.res.once('close', onClose);
  }

  /** Requests held now. */
  get size(): number {
    return this.held.size;
  }

  /** Drain and close: ends every held request now (connection destroyed), and any later one on arrival. */
  releaseAll(): void {
    this.released = true;
    for (const end of [...this.held.values()]) end('draining');
  }
}
