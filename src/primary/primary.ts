// The primary process: validates the configuration once, forks the workers, answers their RPCs (metrics,
// reload, embedded store, shared rate-limit counters), reloads on SIGHUP and drains on SIGTERM/SIGINT.
import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { type Config, ConfigError, configFileFromArgv, loadConfig, publicBaseUrl, storeBackend, workerCount } from '../config/index.js';
import { loadAcsCredentials } from '../crypto/acs-credentials.js';
import { CredentialsError } from '../crypto/crypto-errors.js';
import { prepareTlsCredentials } from '../crypto/tls-credentials.js';
import {
  batchedSender,
  GENERATED_TOKEN_ENV,
  type InspectNote,
  type RpcCall,
  type RpcHandlers,
  type RpcReply,
  type WorkerToPrimary,
} from '../ipc.js';
import { createLogger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import { MetricsAggregator } from './metrics-aggregator.js';
import { PrimaryServices } from './primary-services.js';
import { Reloader } from './reloader.js';
import { Supervisor } from './supervisor.js';

/** Exit code for a configuration that does not validate (EX_CONFIG). */
const EXIT_CONFIG = 78;

/** Signals that reached the process before runPrimary installed its handlers (see main.ts). */
export interface EarlySignals {
  /** The first of SIGTERM/SIGINT received, if any. */
  stop?: NodeJS.Signals;
  /** Stops recording; called once the primary's own handlers are installed. */
  release(): void;
}

export async function runPrimary(early: EarlySignals): Promise<void> {
  const extraFile = configFileFromArgv(process.argv.slice(2));
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig({ extraFile });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      createLogger('info', { role: 'primary' }).fatal('invalid configuration', { problems: err.problems });
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
  const config: Config = loaded.config;
  const logger = createLogger(config.logging.level, { pid: process.pid, role: 'primary' }, { sync: true });
  const metrics = createMetrics('primary');
  metrics.gauge('config_last_reload_successful').set(1);
  metrics.gauge('config_last_reload_success_timestamp_seconds').set(Date.now() / 1000);
  // Workers only read the ACS signing pair; the development pair is generated here, once, before any fork.
  try {
    await loadAcsCredentials({ config, logger });
  } catch (err) {
    if (!(err instanceof CredentialsError)) throw err;
    logger.fatal('ACS signing credentials unusable', { err });
    process.exit(EXIT_CONFIG);
  }
  // The same for the TLS server pair (SPEC §18): checked, or generated in development and test.
  try {
    await prepareTlsCredentials({ config, logger });
  } catch (err) {
    if (!(err instanceof CredentialsError)) throw err;
    logger.fatal('TLS server certificate unusable', { err });
    process.exit(EXIT_CONFIG);
  }

  // 'advanced' (V8 serialization) writes the store's record text as bytes; 'json' stringified every message
  // again, escaping the record JSON inside it (17% of a worker's CPU on authenticate, measured).
  cluster.setupPrimary({ exec: process.argv[1], args: process.argv.slice(2), serialization: 'advanced' });
  // SPEC §17: in development with no admin token configured, /__admin and the console get one made here,
  // printed in the ready line; every worker (replacements and rolls too) inherits it from the environment.
  const generatedToken = config.env === 'development' && !adminTokenConfigured(config) ? randomBytes(24).toString('base64url') : undefined;
  if (generatedToken) process.env[GENERATED_TOKEN_ENV] = generatedToken;
  else delete process.env[GENERATED_TOKEN_ENV];
  const services = new PrimaryServices(config, logger, metrics, {
    workers: () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w?.isConnected() === true),
    send: (w, m) => supervisor.send(w, m),
  });
  cluster.on('exit', (w) => services.overrides.forget(w));
  const handlers: RpcHandlers = services.handlers();
  const count = workerCount(config, os.availableParallelism());
  let announced = false;
  const supervisor = new Supervisor(config, logger, metrics, {
    onMessage: (w, m) => onWorkerMessage(w, m),
    // Logged before the workers hear of it, so the ready line precedes any /health/ready 200.
    onReadiness: (status) => {
      if (!announced && status.ready) {
        announced = true;
        logger.info('ready', {
          port: supervisor.port,
          scheme: reloader.current.server.tls.enabled ? 'https' : 'http',
          workers: status.expected,
          store: storeBackend(reloader.current),
          env: reloader.current.env,
          configFiles: loaded.files,
          ...consoleFields(reloader.current, supervisor.port, generatedToken),
        });
      } else if (announced && status.ready) logger.info('ready again', { workers: status });
      else if (announced) logger.warn('not ready', { workers: status });
    },
  });
  const aggregator = new MetricsAggregator(metrics, (w, m) => supervisor.send(w, m));
  const reloader = new Reloader({ extraFile, initial: loaded, logger, metrics, supervisor, services });
  handlers['metrics.cluster'] = () => aggregator.scrape(supervisor.workers());
  handlers['config.reload'] = () => reloader.reload('admin');

  function onWorkerMessage(worker: Worker, msg: WorkerToPrimary): void {
    if (msg.type === 'm3ds:metrics-res') aggregator.receive(msg.id, msg.metrics);
    else if (msg.type === 'm3ds:rpc') void answerRpc(worker, msg);
    else if (msg.type === 'm3ds:inspect') services.inspect(msg.ev);
    else if (msg.type === 'm3ds:overrides-ack') services.overrides.ack(worker, msg.seq);
    else if (msg.type === 'm3ds:batch') for (const m of msg.msgs) onBatched(worker, m);
  }

  function onBatched(worker: Worker, m: RpcCall | InspectNote): void {
    if (m.type === 'm3ds:inspect') services.inspect(m.ev);
    else void answerRpc(worker, m);
  }

  // Replies go back batched per worker, like the calls came (ipc.ts, batchedSender).
  const repliers = new WeakMap<Worker, (m: RpcReply) => boolean>();
  const replierOf = (worker: Worker) => {
    let r = repliers.get(worker);
    if (r === undefined) {
      r = batchedSender<RpcReply>(
        (m) => {
          supervisor.send(worker, m);
          return true;
        },
        () => worker.isConnected(),
      );
      repliers.set(worker, r);
    }
    return r;
  };

  async function answerRpc(worker: Worker, call: RpcCall): Promise<void> {
    const handler = handlers[call.method] as ((p: unknown) => unknown) | undefined;
    const reply = replierOf(worker);
    try {
      if (!handler) throw new Error(`unknown RPC method ${call.method}`);
      const result = await handler(call.params);
      reply({ type: 'm3ds:rpc-reply', id: call.id, ok: true, result });
    } catch (err) {
      reply({ type: 'm3ds:rpc-reply', id: call.id, ok: false, error: (err as Error).message });
    }
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      logger.warn('second signal: forcing exit', { signal });
      supervisor.killAll();
      process.exit(1);
    }
    stopping = true;
    const grace = reloader.current.server.shutdownGraceMs;
    logger.info('shutting down', { signal, graceMs: grace });
    await supervisor.stop(grace);
    await services.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGHUP', () => void reloader.reload('SIGHUP'));
  early.release();
  if (early.stop) {
    logger.info('stopped before start-up', { signal: early.stop });
    process.exit(0);
  }

  // Workers start with the scenario overrides in force (a file, or Redis within its connect timeout).
  await services.start();
  if (stopping) return;
  // A reload that arrives during start-up waits for it (the reloader's chain starts here).
  const starting = supervisor.start(count);
  reloader.after(starting);
  let started: boolean;
  try {
    started = await starting;
  } catch (err) {
    // A shutdown that began meanwhile owns the exit; otherwise a worker that could not start is fatal.
    if (stopping) return;
    logger.fatal('workers failed to start', { reason: supervisor.startFailure(err as Error) });
    process.stderr.write(`mock-3ds-server: workers failed to start: ${supervisor.startFailure(err as Error)}\n`);
    supervisor.killAll();
    process.exit(1);
  }
  // false: a shutdown signal came during start-up; shutdown() drains what started and exits 0.
  if (!started || stopping) return;
  supervisor.markStarted();
  if (!announced) logger.warn('workers serving; waiting for the store before reporting ready', { store: storeBackend(config) });
}

function adminTokenConfigured(c: Config): boolean {
  return c.security.adminToken !== '' || Object.keys(c.security.adminTokens).length > 0;
}

/** The ready line's pointer to the QA console (SPEC §17), with the token when this start generated it. */
function consoleFields(c: Config, port: number, generated: string | undefined): Record<string, string> {
  if (!generated && !adminTokenConfigured(c)) return {};
  const url = `${publicBaseUrl(c, port)}/console`;
  return generated ? { console: url, adminToken: generated } : { console: url };
}
