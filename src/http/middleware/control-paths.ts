// The operator's routes (health probes, metrics, admin) are exempt from rate limiting and injected faults:
// a load test or a fault rule on "/" must not fail the container's health check or blind the scraper.
import type { Config } from '../../config.js';

let cachedFor: Config['monitoring'] | undefined;
let cached: (path: string) => boolean = () => false;

function compile(m: Config['monitoring']): (path: string) => boolean {
  const health = m.healthPath.replace(/\/+$/, '');
  const healthSub = `${health}/`;
  const metrics = m.metricsPath;
  return (path) => path === health || path.startsWith(healthSub) || path === metrics || path === '/admin' || path.startsWith('/admin/');
}

/** True for the health, metrics and admin routes of this configuration. */
export function isControlPath(config: Config, path: string): boolean {
  // The monitoring group is a restart key, so this compiles once per worker in practice.
  if (config.monitoring !== cachedFor) {
    cachedFor = config.monitoring;
    cached = compile(config.monitoring);
  }
  return cached(path);
}
