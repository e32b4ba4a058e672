// The 3DS protocol service of a worker (DESIGN §1 "protocol/"): plain objects in, plain results out,
// AppError for every client error. Route adapters call it; nothing here knows about HTTP. This is where
// the flows (flows/<flow>/) are put together over one core; each flow imports the kernel (transaction/,
// wire/, rules/), never another flow.
import type { Config } from '../config/index.js';
import type { CryptoService } from '../crypto/crypto-service.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { ClaimedJob, DueQueue } from '../store/due-queue.js';
import type { TrailSink } from '../store/inspection/inspection-types.js';
import type { TransactionStore } from '../store/store.js';
import type { AppChallengeHook } from './app-hook.js';
import { type ProtocolCore, type RequestContext, Timers } from './core.js';
import { type AppChallengeReply, appChallengeCall } from './flows/app-challenge/app-challenge.js';
import { appChallengeHook } from './flows/app-challenge/app-prepare.js';
import { authenticateCall } from './flows/authenticate/authenticate.js';
import {
  type AcsResult,
  type OpenInput,
  openBrowserChallenge,
  type SubmitInput,
  submitBrowserChallenge,
} from './flows/browser-challenge/browser-challenge.js';
import { type NetceteraApi, netceteraApi } from './flows/netcetera/netcetera.js';
import { finalCall, resultsCall } from './flows/results/results.js';
import { type MethodResult, threeDSMethodCall } from './flows/three-ds-method/three-ds-method.js';
import { versionCall } from './flows/version/card-range-lookup.js';
import { loadRecord } from './transaction/lifecycle.js';
import { finalOutcome, type TransactionRecord } from './transaction/record.js';
import { createResultsPusher } from './transaction/results-push.js';
import type { AuthenticateResponse, FinalOutcome, ResultsResponse, VersionResponse } from './wire/messages.js';

export interface Protocol {
  version(body: unknown, ctx: RequestContext): Promise<VersionResponse>;
  authenticate(body: unknown, ctx: RequestContext): Promise<AuthenticateResponse>;
  results(body: unknown, ctx: RequestContext): Promise<ResultsResponse>;
  final(body: unknown, ctx: RequestContext): Promise<FinalOutcome>;
  /** POST trigger-otp: form fields creq, threeDSSessionData; redirectUrl from the query. */
  openChallenge(input: OpenInput, ctx: RequestContext): Promise<AcsResult>;
  /** POST verify-otp: the challenge page's forms (and the existing mock's direct otp posts). */
  submitChallenge(input: SubmitInput, ctx: RequestContext): Promise<AcsResult>;
  /**
   * POST /challenge: `body` as the body reader left it (the JWE as a string, or an SDK's Erro as an
   * object). Client errors come back as Erro replies; store and pool failures are thrown.
   */
  appChallenge(body: unknown): Promise<AppChallengeReply>;
  /** POST of the threeDSMethodURL. */
  threeDSMethod(input: { threeDSMethodData?: unknown }, ctx: RequestContext): Promise<MethodResult>;
  /** A record with due transitions applied (for the app challenge and tests). */
  load(threeDSServerTransID: string): Promise<TransactionRecord | null>;
  /** The Netcetera-shaped API (SPEC §16) over the same flows, transactions and store. */
  readonly netcetera: NetceteraApi;
  /** Shared internals for the app challenge built on the same state machine and results. */
  readonly core: ProtocolCore;
  /** Resolves when no results push is in flight. */
  idle(): Promise<void>;
  /** Clears timers and aborts pushes. */
  close(): Promise<void>;
}

export interface ProtocolOptions {
  config: () => Config;
  store: TransactionStore<TransactionRecord>;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
  fetchImpl?: typeof fetch;
  /**
   * The app channel's cryptography (SPEC §6): with it, app challenges get acsSignedContent and
   * /challenge works; without it, app ARes come without acsSignedContent and /challenge answers Erro.
   */
  crypto?: CryptoService;
  /** Replaces the hook built from `crypto` (tests). */
  appChallenge?: AppChallengeHook;
  /** Records each transaction's messages (SPEC §17). */
  trail?: TrailSink;
  /** Runtime scenario overrides (SPEC §17), consulted before the configured table. */
  overrides?: ProtocolCore['overrides'];
  /** Due work shared through Redis (SPEC §19): its poller is started here and stopped by close(). */
  due?: DueQueue;
}

export function createProtocol(opts: ProtocolOptions): Protocol {
  const timers = new Timers();
  const pusher = createResultsPusher({
    config: opts.config,
    logger: opts.logger,
    metrics: opts.metrics,
    timers,
    ...(opts.fetchImpl && { fetchImpl: opts.fetchImpl }),
    ...(opts.trail && { trail: opts.trail }),
  });
  const hook = opts.appChallenge ?? (opts.crypto && appChallengeHook(opts.crypto));
  const core: ProtocolCore = {
    config: opts.config,
    store: opts.store,
    logger: opts.logger,
    metrics: opts.metrics,
    now: opts.now ?? Date.now,
    pusher,
    timers,
    ...(hook && { appChallenge: hook }),
    ...(opts.trail && { trail: opts.trail }),
    ...(opts.overrides && { overrides: opts.overrides }),
    ...(opts.due && { due: opts.due }),
  };
  opts.due?.start((job) => runDueJob(core, job));
  return {
    core,
    version: (body, ctx) => versionCall(core, body, ctx),
    netcetera: netceteraApi(core, {
      version: (body, ctx) => versionCall(core, body, ctx),
      authenticate: (body, ctx) => authenticateCall(core, body, ctx),
    }),
    authenticate: (body, ctx) => authenticateCall(core, body, ctx),
    results: (body) => resultsCall(core, body),
    final: (body) => finalCall(core, body),
    openChallenge: (input, ctx) => openBrowserChallenge(core, input, ctx),
    submitChallenge: (input, ctx) => submitBrowserChallenge(core, input, ctx),
    appChallenge: (body) => appChallengeCall(core, opts.crypto, body),
    threeDSMethod: (input) => threeDSMethodCall(core, input),
    load: (id) => loadRecord(core, id),
    idle: () => pusher.idle(),
    async close() {
      // Jobs this worker claimed but did not finish come back to a live instance after their lease.
      const stopping = opts.due?.stop();
      pusher.close();
      timers.close();
      await stopping;
      await pusher.idle();
    },
  };
}

/** One claimed due job (SPEC §19): both kinds start from the record, so running one twice is harmless. */
async function runDueJob(core: ProtocolCore, job: ClaimedJob): Promise<void> {
  // A read materializes a due decoupled completion (a CAS; the winner pushes, through the queue too).
  const rec = await loadRecord(core, job.id);
  if (!rec) return;
  // Not final yet (this instance's clock is behind the one that set the due time): comes back after the lease.
  const pending =
    !rec.final &&
    ((job.kind === 'decoupled' && rec.stage === 'decoupled') ||
      (job.kind === 'challenge' && rec.stage === 'challenge' && rec.challenge?.status === 'open'));
  if (pending) throw new Error(`${job.kind} not due yet by this instance's clock`);
  if (job.kind !== 'push') return;
  const url = rec.auth?.resultsURL;
  const payload = finalOutcome(rec);
  if (!url || !payload) return;
  const aborted = await new Promise<boolean>((resolve) => core.pusher.push(url, payload, resolve));
  if (aborted) throw new Error('results push cut short by shutdown');
}
