// Shared setup of the crypto tests: real configuration objects (loaded through the real schema from
// a controlled environment, not process.env), temporary data directories, the pool's test entry.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Config, loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logger.js';

/** The test entry the pool threads load (registers tsx, then the real task module). */
export const POOL_ENTRY = fileURLToPath(new URL('../helpers/pool-entry.mjs', import.meta.url));

export const silentLogger = createLogger('silent');

/** A test configuration with the given environment variables (NODE_ENV=test unless set). */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ env: { NODE_ENV: 'test', ...env } }).config;
}

/** A copy of a frozen config with some protocol.signing keys changed. */
export function withSigning(c: Config, signing: Partial<Config['protocol']['signing']>, env?: Config['env']): Config {
  return { ...c, env: env ?? c.env, protocol: { ...c.protocol, signing: { ...c.protocol.signing, ...signing } } };
}

/** Temporary directories removed after the suite. */
export function tempDirs(): { make(): Promise<string>; cleanup(): Promise<void> } {
  const dirs: string[] = [];
  return {
    async make() {
      const d = await mkdtemp(path.join(os.tmpdir(), 'mock3ds-crypto-'));
      dirs.push(d);
      return d;
    },
    async cleanup() {
      await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}
