// One worker process: waits for its configuration from the primary, builds its dependencies (metrics,
// store, protocol), serves HTTP (HTTPS with server.tls, SPEC §18) on the shared port, applies live config
// pushes, and drains on request.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TlsOptions } from 'node:tls';
import { readTlsServerOptions } from '../crypto/tls-credentials.js';
import { type App, createApp } from '../http/app.js';
import type { AppDeps, WorkerState } from '../http/deps.js';
import { batchedSender, type InspectNote, isOurs, type PrimaryToWorker, type RpcCall, RpcClient, type WorkerToPrimary } from '../ipc.js';
import { createLogger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import { OverridesView } from '../store/overrides/overrides-view.js';
import { ConnectionTracker } from './connection-tracker.js';
import { buildServices, type Services } from './services.js';

// The callback keeps a send on a closing channel from becoming an 'error' event (an uncaught exception).
const ignore = () => {};
const send = (msg: WorkerToPrimary): boolean => (process.send ? process.send(msg, undefined, undefined, ignore) : false);

type ConfigMessage = Extract<PrimaryToWorker, { type: 'm3ds:config' }>;

/**
 * Says hello and waits for the initial config. Messages that follow it before the worker's dispatcher is
 * installed (a live reload, a shutdown, the cluster status: they can arrive in the same read) are kept,
 * and takeEarly() hands them over, so none is lost between the two listeners.
 */
function waitForConfig(): Promise<{ initial: ConfigMessage; takeEarly(): PrimaryToWorker[] }> {
  return new Promise((resolve) => {
    let initial: ConfigMessage | undefined;
    const early: PrimaryToWorker[] = [];
    const onMsg = (msg: unknown) => {
      if (!isOurs<PrimaryToWorker>(msg)) return;
      if (initial !== undefined) {
        early.push(msg);
        return;
      }
      // Told to stop before it ever served: nothing to drain.
      if (msg.type === 'm3ds:shutdown') process.exit(0);
      if (msg.type === 'm3ds:config') {
        initial = msg;
        resolve({
          initial: msg,
          takeEarly: () => {
            process.off('message', onMsg);
            return early.splice(0);
          },
        });
      }
    };
    process.on('message', onMsg);
    send({ type: 'm3ds:hello' });
  });
}

/** On SIGTERM, how long a kept-alive connection must have been quiet before the drain closes it. */
const SIGTERM_IDLE_MS = 1000;

/** How often a serving worker checks its store's readiness to tell the primary of a change. */
const STORE_STATE_CHECK_MS = 250;

export async function runWorker(): Promise<void> {
  // Ctrl-C reaches the whole process group; the primary orchestrates the shutdown.
  process.on('SIGINT', () => {});
  // A SIGTERM to the worker itself (a process-group signal, an operator): before it serves there is
  // nothing to drain, so it goes at once with 0; once serving, it drains (set below).
  let onSigterm: () => void = () => process.exit(0);
  process.on('SIGTERM', () => onSigterm());
  const workerId = Number(process.env.M3DS_WORKER_ID ?? 0);
  const boot = await waitForConfig();
  const initial = boot.initial;
  let config = initial.config;
  const logger = createLogger(config.logging.level, { pid: process.pid, worker: workerId }, { sync: false });
  const metrics = createMetrics('worker');
  // RPC calls and inspection events (SPEC §17) leave in one write per event-loop turn.
  const batched = batchedSender<RpcCall | InspectNote>(send);
  const rpc = new RpcClient(batched);
  const overrides = new OverridesView();
  const state: WorkerState = {
    draining: false,
    closing: false,
    // Not ready until the primary says every configured worker serves.
    cluster: initial.cluster ?? { alive: 0, expected: 0, ready: false },
    storeReady: () => services?.store.isReady() ?? false,
    startedAt: Date.now(),
  };
  let services: Services | undefined;
  let app: App | undefined;
  let serving = false;
  let drain: ((graceMs: number, reason: string) => Promise<void>) | undefined;
  // One dispatcher for every message from the primary, installed before the services are built: the
  // store's first probe is an RPC, and a live reload may arrive while the worker is still starting.
  const onPrimaryMessage = (msg: PrimaryToWorker): void => {
    switch (msg.type) {
      case 'm3ds:rpc-reply':
        rpc.handle(msg);
        break;
      case 'm3ds:batch':
        for (const m of msg.msgs) onPrimaryMessage(m);
        break;
      case 'm3ds:config':
        config = msg.config;
        logger.level = config.logging.level;
        app?.live();
        logger.debug('configuration applied live');
        break;
      case 'm3ds:shutdown':
        // Told to stop while still starting: it holds no connections, so it can go at once.
        if (!serving || drain === undefined) process.exit(0);
        void drain(msg.graceMs, msg.reason);
        break;
      case 'm3ds:cluster':
        state.cluster = { alive: msg.alive, expected: msg.expected, ready: msg.ready };
        break;
      case 'm3ds:metrics-req':
        void metrics.registry.getMetricsAsJSON().then((m) => send({ type: 'm3ds:metrics-res', id: msg.id, metrics: m }));
        break;
      case 'm3ds:overrides':
        // Acknowledged even when older than the table in force: the primary waits for every worker.
        overrides.apply(msg.snapshot);
        send({ type: 'm3ds:overrides-ack', seq: msg.snapshot.seq });
        break;
    }
  };
  process.on('message', (msg: unknown) => {
    if (isOurs<PrimaryToWorker>(msg)) onPrimaryMessage(msg);
  });
  for (const msg of boot.takeEarly()) onPrimaryMessage(msg);
  process.on('uncaughtException', (err) => {
    logger.fatal('uncaught exception; worker exits and is replaced', { err });
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled rejection', { err: reason instanceof Error ? reason : String(reason) });
  });

  let tls: TlsOptions | undefined;
  try {
    // The primary prepared (or generated) the files before forking; a worker only reads them.
    tls = await readTlsServerOptions({ config, logger });
    services = await buildServices({ config: () => config, logger, metrics, rpc, workerId, send: batched, overrides });
  } catch (err) {
    send({ type: 'm3ds:fatal', message: `worker could not start: ${(err as Error).message}` });
    logger.fatal('worker could not start', { err: err as Error });
    process.exit(1);
  }
  const deps: AppDeps = {
    config: () => config,
    logger,
    metrics,
    state,
    workerId,
    rpc,
    protocol: services.protocol,
    redis: services.store.redis,
    admin: { inspection: services.inspection, overrides: services.overrides },
  };
  const pipeline = createApp(deps);
  app = pipeline;
  const server = tls ? https.createServer(tls, pipeline) : http.createServer(pipeline);
  server.keepAliveTimeout = config.server.keepAliveTimeoutMs;
  server.headersTimeout = config.server.headersTimeoutMs;
  server.requestTimeout = config.server.requestTimeoutMs;
  const tracker = new ConnectionTracker(server);

  let drainStarted = false;
  drain = async (graceMs: number, reason: string) => {
    if (drainStarted) return;
    drainStarted = true;
    state.draining = true;
    // Requests held without an answer (test card acs-no-answer) would keep the drain waiting for nothing.
    pipeline.releaseHeld();
    logger.info('draining', { reason, connections: tracker.size, inFlight: tracker.inFlight });
    // Stop accepting without http.Server.close's immediate closeIdleConnections (see ConnectionTracker).
    net.Server.prototype.close.call(server);
    const deadline = Date.now() + graceMs;
    // Closing an idle keep-alive socket races the client reusing it (its request crosses our FIN: "other
    // side closed"), since the last answer advertised keep-alive for server.keepAliveTimeoutMs; the next
    // answer on it carries Connection: close (drain guard), so an active client leaves by itself. A roll:
    // the replacement already takes new connections, and an idle socket is the client's until the grace
    // period ends. SIGTERM: the server is going away, so sockets quiet for SIGTERM_IDLE_MS are closed — a
    // client under load reuses its connections within milliseconds, so by then it is not about to
    // (closing them at once reset 1–10 requests per SIGTERM under load, `npm run chaos`).
    while (tracker.size > 0 && Date.now() < deadline) {
      if (reason === 'sigterm') tracker.closeIdle(SIGTERM_IDLE_MS);
      await sleep(50);
    }
    if (tracker.size > 0) {
      logger.warn('grace period over; closing remaining connections', { connections: tracker.size, inFlight: tracker.inFlight });
      tracker.destroyAll();
    }
    state.closing = true;
    await pipeline.close().catch((err: unknown) => logger.error('closing the pipeline failed', { err: err as Error }));
    await services?.close().catch((err: unknown) => logger.error('closing services failed', { err: err as Error }));
    logger.info('worker stopped', { reason });
    process.exit(0);
  };

  // When the primary dies, Node's cluster module ends the worker itself; nothing can be drained then.
  process.on('disconnect', () => rpc.failAll('primary gone'));
  onSigterm = () => void drain?.(config.server.shutdownGraceMs, 'sigterm');

  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy(err);
  });
  server.once('error', (err) => {
    send({ type: 'm3ds:fatal', message: `listen failed: ${err.message}` });
    logger.fatal('listen failed', { err });
    process.exit(1);
  });
  server.listen(config.server.port, config.server.host, () => {
    serving = true;
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.server.port;
    let storeReady = state.storeReady();
    send({ type: 'm3ds:listening', port, storeReady });
    // The primary's readiness verdict includes every worker's store; tell it when this one's changes.
    const watch = setInterval(() => {
      const now = state.storeReady();
      if (now === storeReady || drainStarted) return;
      storeReady = now;
      send({ type: 'm3ds:worker-state', storeReady });
    }, STORE_STATE_CHECK_MS);
    watch.unref();
  });
}
