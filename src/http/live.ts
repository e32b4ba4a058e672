// The live settings of the HTTP pipeline as one snapshot per configuration object (DESIGN §4: live
// settings are rebuilt on reload, not re-derived per request). Every stage reads what it needs from the
// snapshot its request carries; a reload (a new frozen config object) builds the next snapshot once, at
// the first request that sees it.
import proxyaddr from 'proxy-addr';
import { type Config, publicBaseUrl } from '../config/index.js';
import { type CompiledRule, compileRules } from './fault-injection/fault-spec.js';

export interface Live {
  readonly config: Config;
  readonly accessLog: boolean;
  readonly bodyLimit: number;
  /** server.publicUrl is https: HTML answers carry HSTS. */
  readonly https: boolean;
  readonly testRoutes: boolean;
  /** http.trustProxy compiled (proxy-addr, as Express compiles its `trust proxy` setting). */
  readonly trust: (addr: string, i: number) => boolean;
  /** The value Express's `trust proxy` setting takes for the same configuration. */
  readonly trustSetting: boolean | number | string[];
  /** Health, metrics and admin routes: never rate limited, never given injected faults. */
  isControlPath(path: string): boolean;
  readonly faultRules: readonly CompiledRule[];
  /** Whether fault injection can apply at all (rules present or headers honoured). */
  readonly faultsActive: boolean;
  /** `{base}` for a request that came in on `port`. */
  baseUrl(port: number | undefined): string;
}

function parseTrustProxy(v: string): boolean | number | string[] {
  if (v === 'true') return true;
  if (v === 'false' || v === '') return false;
  if (/^[0-9]+$/.test(v)) return Number(v);
  return v.split(',').map((s) => s.trim());
}

function compileTrust(setting: boolean | number | string[]): (addr: string, i: number) => boolean {
  if (setting === true) return () => true;
  if (setting === false) return () => false;
  if (typeof setting === 'number') return (_a, i) => i < setting;
  return proxyaddr.compile(setting);
}

function controlPaths(m: Config['monitoring']): (path: string) => boolean {
  const health = m.healthPath.replace(/\/+$/, '');
  const healthSub = `${health}/`;
  const metrics = m.metricsPath;
  return (path) =>
    path === health ||
    path.startsWith(healthSub) ||
    path === metrics ||
    path === '/admin' ||
    path.startsWith('/admin/') ||
    // The admin API of SPEC §17 is a control path too.
    path === '/__admin' ||
    path.startsWith('/__admin/') ||
    // So is the QA console that drives it (its page, assets and notification page).
    path === '/console' ||
    path.startsWith('/console/');
}

function buildLive(config: Config): Live {
  const trustSetting = parseTrustProxy(config.http.trustProxy);
  const f = config.faults;
  const baseFixed = config.server.publicUrl ? publicBaseUrl(config) : undefined;
  const bases = new Map<number | undefined, string>();
  return {
    config,
    accessLog: config.logging.accessLog,
    bodyLimit: config.http.bodyLimitBytes,
    // The configured URL, as the Express path decides it (security-headers.ts), not the https default of
    // server.tls: HSTS for localhost would pin every local port of the developer's browser to https.
    https: config.server.publicUrl.toLowerCase().startsWith('https:'),
    testRoutes: config.server.testRoutes,
    trust: compileTrust(trustSetting),
    trustSetting,
    isControlPath: controlPaths(config.monitoring),
    faultRules: compileRules(f.rules),
    faultsActive: f.rules.length > 0 || f.headersEnabled,
    baseUrl(port) {
      if (baseFixed !== undefined) return baseFixed;
      let b = bases.get(port);
      if (b === undefined) {
        b = publicBaseUrl(config, port);
        bases.set(port, b);
      }
      return b;
    },
  };
}

/** A snapshot provider: the same snapshot while the config object is the same, a new one after a reload. */
export function liveSnapshots(config: () => Config, onRebuild?: (live: Live) => void): () => Live {
  let current: Live | undefined;
  return () => {
    const c = config();
    if (current === undefined || current.config !== c) {
      current = buildLive(c);
      onRebuild?.(current);
    }
    return current;
  };
}
