// The results push (SPEC §3.3): when a transition records results (lifecycle.ts) and the AReq named a
// resultsResponseNotificationUrl, POST the outcome there. Fire-and-forget after the record is stored,
// so the cardholder never waits on a merchant; a timeout per try, no redirects followed, only to
// allowed hosts, up to `tries` with doubling backoff. Outcomes are counted in results_push_total.
import type { Config } from '../../config/index.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics.js';
import type { TrailSink } from '../../store/inspection/inspection-types.js';
import type { Timers } from '../core.js';
import { configTables } from '../rules/config-tables.js';
import type { FinalOutcome } from '../wire/messages.js';

export interface ResultsPusher {
  /**
   * Starts a push in the background; never throws, never blocks the caller. `settled` is called once the
   * push is over: delivered, given up or refused (aborted false), or cut short by close() (aborted true).
   */
  push(url: string, payload: FinalOutcome, settled?: (aborted: boolean) => void): void;
  /** Resolves when no push is in flight (tests, shutdown). */
  idle(): Promise<void>;
  close(): void;
}

type PushOutcome = 'success' | 'retry' | 'failed' | 'blocked' | 'redirect' | 'disabled';

export function createResultsPusher(opts: {
  config: () => Config;
  logger: Logger;
  metrics: Metrics;
  timers: Timers;
  fetchImpl?: typeof fetch;
  /** Every attempt and its outcome go into the transaction's trail (SPEC §17). */
  trail?: TrailSink;
}): ResultsPusher {
  const fetchImpl = opts.fetchImpl ?? fetch;
  const shutdown = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const count = (outcome: PushOutcome) => opts.metrics.counter('results_push_total').inc({ outcome });

  const note = (id: string, url: string, attempt: number, outcome: PushOutcome, detail: Record<string, unknown> = {}) =>
    opts.trail?.add(id, 'push', { url, attempt, outcome, ...detail });

  async function run(url: string, body: string, id: string): Promise<void> {
    const n = opts.config().notifications;
    for (let attempt = 1; attempt <= n.tries; attempt++) {
      if (shutdown.signal.aborted) return;
      let retriable: boolean;
      let why: string;
      const started = Date.now();
      try {
        const res = await fetchImpl(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          redirect: 'manual',
          signal: AbortSignal.any([AbortSignal.timeout(n.timeoutMs), shutdown.signal]),
        });
        // The body is not needed; release the connection.
        await res.body?.cancel().catch(() => undefined);
        if (res.status >= 200 && res.status < 300) {
          count('success');
          note(id, url, attempt, 'success', { status: res.status, ms: Date.now() - started });
          return;
        }
        if (res.status >= 300 && res.status < 400) {
          count('redirect');
          note(id, url, attempt, 'redirect', { status: res.status, ms: Date.now() - started });
          opts.logger.warn('results push answered a redirect; not followed', { threeDSServerTransID: id, status: res.status });
          return;
        }
        retriable = res.status >= 500 || res.status === 429 || res.status === 408;
        why = `HTTP ${res.status}`;
      } catch (err) {
        retriable = !shutdown.signal.aborted;
        why = (err as Error).name === 'TimeoutError' ? 'timeout' : (err as Error).message;
      }
      const last = !retriable || attempt === n.tries;
      note(id, url, attempt, last ? 'failed' : 'retry', { reason: why, ms: Date.now() - started });
      if (last) {
        count('failed');
        opts.logger.warn('results push failed', { threeDSServerTransID: id, attempts: attempt, reason: why });
        return;
      }
      count('retry');
      await opts.timers.sleep(n.backoffMs * 2 ** (attempt - 1));
    }
  }

  return {
    push(url: string, payload: FinalOutcome, settled?: (aborted: boolean) => void): void {
      const config = opts.config();
      const id = payload.threeDSServerTransID;
      if (!config.notifications.enabled) {
        count('disabled');
        note(id, url, 0, 'disabled');
        settled?.(false);
        return;
      }
      let host: string;
      let hostname: string;
      try {
        const u = new URL(url);
        host = u.host.toLowerCase();
        hostname = u.hostname.toLowerCase();
      } catch {
        count('blocked');
        note(id, url, 0, 'blocked', { reason: 'not a URL' });
        settled?.(false);
        return;
      }
      const allowed = configTables(config).pushHosts;
      if (allowed.size > 0 && !allowed.has(hostname) && !allowed.has(host)) {
        count('blocked');
        note(id, url, 0, 'blocked', { reason: 'host not in notifications.allowedHosts' });
        opts.logger.warn('results push refused: host not allowed', { threeDSServerTransID: payload.threeDSServerTransID, host });
        settled?.(false);
        return;
      }
      const p = run(url, JSON.stringify(payload), payload.threeDSServerTransID).catch((err: unknown) => {
        opts.logger.error('results push crashed', { err: err as Error });
      });
      inFlight.add(p);
      void p.finally(() => {
        inFlight.delete(p);
        // Aborted by close(): not settled, so a shared due queue hands the push to a live instance.
        if (!shutdown.signal.aborted) settled?.(false);
      });
    },
    async idle(): Promise<void> {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    close(): void {
      shutdown.abort();
    },
  };
}
