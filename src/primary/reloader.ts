// Configuration reload (SPEC §9), for SIGHUP and POST /admin/reload alike: re-read and validate; keep the
// running config when invalid (gauge 0); push live keys to every worker; roll the workers for the
// restart-only keys. Reloads are serialized: one that arrives during a rolling restart runs after it.
import os from 'node:os';
import { type Config, ConfigError, type LoadedConfig, loadConfig, workerCount } from '../config/index.js';
import { loadAcsCredentials } from '../crypto/acs-credentials.js';
import { prepareTlsCredentials } from '../crypto/tls-credentials.js';
import type { ReloadOutcome } from '../ipc.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { changedKeys, needsRestart } from './config-diff.js';
import type { PrimaryServices } from './primary-services.js';
import { RollError, type Supervisor } from './supervisor.js';

export interface ReloaderOptions {
  extraFile?: string | undefined;
  initial: LoadedConfig;
  logger: Logger;
  metrics: Metrics;
  supervisor: Supervisor;
  services: PrimaryServices;
}

export class Reloader {
  current: Config;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: ReloaderOptions) {
    this.current = opts.initial.config;
  }

  /** Reloads requested from now on run after `task` settles (used for start-up). */
  after(task: Promise<unknown>): void {
    this.chain = this.chain.then(() => task).catch(() => undefined);
  }

  reload(source: string): Promise<ReloadOutcome> {
    const run = this.chain.then(() => this.reloadNow(source));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async reloadNow(source: string): Promise<ReloadOutcome> {
    const { logger, metrics, supervisor } = this.opts;
    let next: LoadedConfig;
    try {
      next = loadConfig({ extraFile: this.opts.extraFile });
    } catch (err) {
      const errors = err instanceof ConfigError ? err.problems : [(err as Error).message];
      metrics.gauge('config_last_reload_successful').set(0);
      logger.error('configuration reload rejected; keeping the running configuration', { source, problems: errors });
      return { ok: false, changed: [], restarted: false, errors };
    }
    const changed = changedKeys(this.current, next.config);
    const restart = needsRestart(changed);
    const previous = this.current;
    this.current = next.config;
    logger.level = next.config.logging.level;
    this.opts.services.applyConfig(next.config);
    if (restart) {
      logger.info('configuration reloaded; rolling restart of the workers', { source, changed });
      try {
        // The new workers read the signing and TLS pairs; generated ones are made here, by the one writer.
        await loadAcsCredentials({ config: next.config, logger });
        await prepareTlsCredentials({ config: next.config, logger });
        await supervisor.roll(next.config, workerCount(next.config, os.availableParallelism()));
      } catch (err) {
        // A config can validate and still not start (a port taken, an unreadable key): keep the old one.
        this.current = previous;
        logger.level = previous.logging.level;
        this.opts.services.applyConfig(previous);
        if (err instanceof RollError && err.rolled > 0) {
          await supervisor
            .roll(previous, workerCount(previous, os.availableParallelism()))
            .catch((e: Error) => logger.error('rolling back to the previous configuration failed', { err: e }));
        }
        metrics.gauge('config_last_reload_successful').set(0);
        const errors = [`new workers could not start: ${(err as Error).message}`];
        logger.error('configuration reload failed; keeping the running configuration', { source, problems: errors });
        return { ok: false, changed, restarted: false, errors };
      }
    } else if (changed.length > 0) {
      supervisor.pushConfig(next.config);
      logger.info('configuration reloaded live', { source, changed });
    } else logger.info('configuration reloaded; nothing changed', { source });
    metrics.gauge('config_last_reload_successful').set(1);
    metrics.gauge('config_last_reload_success_timestamp_seconds').set(Date.now() / 1000);
    return { ok: true, changed, restarted: restart };
  }
}
