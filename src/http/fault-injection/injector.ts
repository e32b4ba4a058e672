// Latency and fault injection, off by default and live (SPEC: the mock must let payment teams rehearse a
// slow or failing 3DS provider). Faults come from `faults.rules` (per route, with a probability) or, when
// `faults.headersEnabled`, from a test client's headers: `X-Mock-Delay: 250 | uniform:100-300 |
// lognormal:200,0.5`, `X-Mock-Error: 503 | 503:405` (HTTP status and EMVCo code, in the SPEC §8 envelope),
// `X-Mock-Drop: true` (the socket is destroyed without an answer). A request with X-Mock-* headers gets
// exactly what they say and no rule. With headers disabled they are ignored, never honoured.
// Delays are capped by faults.maxDelayMs, use unref'd timers and end early if the client goes away.
// Health, metrics and admin routes are exempt. The stage runs after the body is read, so an injected
// answer comes where a real server's would: after the request arrived.
import { AppError, errorEnvelope } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Exchange, Next, Stage } from '../exchange.js';
import { sendJson } from '../reply.js';
import { type Fault, FaultHeaderError, faultFromHeaders, faultFromRules, NO_FAULT } from './fault-spec.js';

// setTimeout fires at once above this; faults.maxDelayMs may be configured higher.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Runs `fn` after `ms` (never keeping the process alive); returns a function that cancels it. */
export type DelayScheduler = (fn: () => void, ms: number) => () => void;

const timerScheduler: DelayScheduler = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

export interface FaultInjectionOptions {
  logger: Logger;
  /** Source of randomness for probabilities and delays (tests). */
  random?: () => number;
  /** How delays wait: unref'd timers by default; tests record and fire them instead of measuring time. */
  schedule?: DelayScheduler;
}

function answer(ex: Exchange, error: NonNullable<Fault['error']>): void {
  const err = new AppError('INJECTED_FAULT', `injected fault: HTTP ${error.status}, errorCode ${error.errorCode}`);
  const body = errorEnvelope(err);
  body.errorDetails.errorCode = error.errorCode;
  // What a real server under load says with these statuses.
  sendJson(ex, error.status, body, error.status === 429 || error.status === 503 ? { 'Retry-After': '1' } : undefined);
}

export function faultInjection(opts: FaultInjectionOptions): Stage {
  const random = opts.random ?? Math.random;
  const schedule = opts.schedule ?? timerScheduler;

  const act = (fault: Fault, ex: Exchange, next: Next): void => {
    if (fault.drop) {
      opts.logger.debug('injected fault: connection dropped', { requestId: ex.id });
      ex.req.socket.destroy();
      return;
    }
    if (fault.error) return answer(ex, fault.error);
    next();
  };

  return function faultInjectionStage(ex, next) {
    const live = ex.live;
    if (!live.faultsActive) return next();
    if (live.isControlPath(ex.path)) return next();
    const f = live.config.faults;
    let fault: Fault | undefined;
    if (f.headersEnabled) {
      try {
        fault = faultFromHeaders(ex.req.headers, f.maxDelayMs, random);
      } catch (err) {
        if (err instanceof FaultHeaderError) return next(new AppError('INVALID_FORMAT', err.message));
        throw err;
      }
    }
    if (fault === undefined) {
      if (live.faultRules.length === 0) return next();
      fault = faultFromRules(live.faultRules, ex.req.method ?? 'GET', ex.path, f.maxDelayMs, random);
    }
    if (fault === NO_FAULT) return next();
    if (fault.delayMs <= 0) return act(fault, ex, next);
    const chosen = fault;
    const onClose = () => cancel();
    const cancel = schedule(
      () => {
        ex.res.off('close', onClose);
        act(chosen, ex, next);
      },
      Math.min(Math.round(fault.delayMs), MAX_TIMER_MS),
    );
    ex.res.once('close', onClose);
  };
}
