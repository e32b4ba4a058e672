// Values derived from a configuration, computed the same way by the primary and every worker.
import type { Config } from './schema.js';

/** Which store backend the configuration selects. */
export function storeBackend(c: Config): 'embedded' | 'redis' {
  if (c.store.backend !== 'auto') return c.store.backend;
  return c.store.redis.url || c.store.redis.nodes.length > 0 ? 'redis' : 'embedded';
}

/** The base URL every handed-out URL is built from. */
export function publicBaseUrl(c: Config, boundPort?: number): string {
  if (c.server.publicUrl) return c.server.publicUrl.replace(/\/+$/, '');
  return `${c.server.tls.enabled ? 'https' : 'http'}://localhost:${boundPort ?? c.server.port}`;
}

/** Effective worker count. */
export function workerCount(c: Config, cpus: number): number {
  return c.server.workers === 0 ? Math.max(1, cpus) : c.server.workers;
}
