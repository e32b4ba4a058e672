// What changed between the running configuration and a reloaded one (SIGHUP, POST /admin/reload), and
// whether the change can be applied live or needs new worker processes.

/**
 * Keys whose change needs new worker processes (a rolling restart). Everything else is applied live
 * by the workers when the primary pushes a new config.
 */
const RESTART_KEYS = [
  'server.host',
  'server.port',
  'server.workers',
  'server.keepAliveTimeoutMs',
  'server.headersTimeoutMs',
  'server.requestTimeoutMs',
  'server.testRoutes',
  // The certificate, key and client-certificate policy are the listener's: new workers listen with them.
  'server.tls',
  'store',
  'cache.maxEntries',
  'cache.maxBytes',
  'pool',
  'monitoring',
  'protocol.signing',
] as const;

/** Dotted keys whose values differ between two configs (leaf granularity). */
export function changedKeys(a: unknown, b: unknown, prefix = ''): string[] {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    const out: string[] = [];
    for (const k of keys) out.push(...changedKeys(a[k], b[k], prefix ? `${prefix}.${k}` : k));
    return out;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
}

/** Whether any of the changed keys is restart-only (RESTART_KEYS or below one). */
export function needsRestart(changed: readonly string[]): boolean {
  return changed.some((k) => RESTART_KEYS.some((r) => k === r || k.startsWith(`${r}.`)));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
