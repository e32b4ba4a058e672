// Loading the configuration (SPEC §9): files, then environment variables, validated strictly against the
// schema, then the checks that span keys; every problem is reported at once, and the result is frozen.
import { existsSync } from 'node:fs';
import path from 'node:path';
import convict from 'convict';
import { validateScenarioTable } from './formats.js';
import { type Config, configSchema, ENVIRONMENTS } from './schema.js';

export interface LoadedConfig {
  config: Config;
  files: string[];
}

interface LoadOptions {
  /** Directory holding default.json and <env>.json. */
  configDir?: string;
  /** Extra file given with --config. */
  extraFile?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Finds `--config <file>` or `--config=<file>` in argv. */
export function configFileFromArgv(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--config') return argv[i + 1];
    if (a.startsWith('--config=')) return a.slice('--config='.length);
  }
  return undefined;
}

/** Loads default + environment file (+ extra file) + environment variables; throws ConfigError listing every problem. */
export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const configDir = opts.configDir ?? path.resolve(process.cwd(), 'config');
  const envName = env.NODE_ENV || env.RUN_MODE || 'development';
  const problems: string[] = [];
  if (!(ENVIRONMENTS as readonly string[]).includes(envName)) {
    throw new ConfigError([`env: "${envName}" is not one of ${ENVIRONMENTS.join(', ')} (NODE_ENV / RUN_MODE)`]);
  }
  // convict's types want mutable arrays as enumerated formats; the schema keeps them readonly (as const)
  // so that Config carries their literal unions.
  const conf = convict(configSchema as unknown as convict.Schema<Config>, { env: { ...env, NODE_ENV: envName }, args: [] });
  const files: string[] = [];
  const candidates = [path.join(configDir, 'default.json'), path.join(configDir, `${envName}.json`)];
  for (const f of candidates) if (existsSync(f)) files.push(f);
  if (opts.extraFile) {
    const f = path.resolve(opts.extraFile);
    if (!existsSync(f)) throw new ConfigError([`--config: file not found: ${f}`]);
    files.push(f);
  }
  // Environment variables take precedence over files: convict applies them again after each loadFile.
  for (const f of files) {
    try {
      conf.loadFile(f);
    } catch (err) {
      problems.push(`${path.basename(f)}: ${(err as Error).message}`);
    }
  }
  if (problems.length === 0) {
    try {
      conf.validate({ allowed: 'strict' });
    } catch (err) {
      problems.push(
        ...String((err as Error).message)
          .split('\n')
          .filter(Boolean),
      );
    }
  }
  const config = problems.length === 0 ? conf.getProperties() : undefined;
  if (config) problems.push(...crossChecks(config));
  if (problems.length > 0 || !config) throw new ConfigError(problems);
  return { config: deepFreeze(config), files };
}

function crossChecks(c: Config): string[] {
  const out: string[] = [];
  try {
    validateScenarioTable(c.protocol.scenarios);
  } catch (err) {
    out.push(`protocol.scenarios: ${(err as Error).message}`);
  }
  if (c.cache.ttlSeconds > c.store.ttlSeconds) out.push('cache.ttlSeconds: must not be above store.ttlSeconds');
  if (c.env === 'production' && c.server.testRoutes) out.push('server.testRoutes: not allowed in production');
  if (c.security.adminToken && Object.values(c.security.adminTokens).includes(c.security.adminToken)) {
    out.push('security.adminTokens: a token equals security.adminToken; each name needs its own token');
  }
  if (c.env === 'production' && (!c.protocol.signing.keyPath || !c.protocol.signing.certPath)) {
    out.push('protocol.signing.keyPath/certPath: production needs a configured ACS key and certificate');
  }
  out.push(...tlsChecks(c));
  if (c.store.backend === 'redis' && !c.store.redis.url && c.store.redis.nodes.length === 0) {
    out.push('store.redis.url: the redis backend needs a URL or nodes');
  }
  if (c.store.redis.mode !== 'standalone' && c.store.redis.nodes.length === 0 && c.store.backend !== 'embedded') {
    if (c.store.backend === 'redis' || c.store.redis.url) out.push(`store.redis.nodes: ${c.store.redis.mode} mode needs nodes`);
  }
  for (const [i, o] of c.security.allowedRedirectOrigins.entries()) {
    try {
      if (new URL(o).origin !== o) out.push(`security.allowedRedirectOrigins[${i}]: "${o}" is not an origin`);
    } catch {
      out.push(`security.allowedRedirectOrigins[${i}]: "${o}" is not an origin`);
    }
  }
  return out;
}

/** SPEC §18: a certificate comes with its key; client certificates need a CA; production never generates. */
function tlsChecks(c: Config): string[] {
  const t = c.server.tls;
  const out: string[] = [];
  if (Boolean(t.certPath) !== Boolean(t.keyPath)) out.push('server.tls.certPath/keyPath: a certificate and its key go together');
  if (t.clientCert !== 'none' && !t.caPath)
    out.push(`server.tls.caPath: clientCert "${t.clientCert}" needs the CA that client certificates chain to`);
  // Asking for client certificates over plain HTTP would quietly serve everyone.
  if (t.clientCert !== 'none' && !t.enabled) out.push(`server.tls.clientCert: "${t.clientCert}" needs server.tls.enabled`);
  if (c.env === 'production' && t.enabled && !t.certPath) {
    out.push('server.tls.certPath/keyPath: production with TLS needs a configured certificate and key (never generates one)');
  }
  return out;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
