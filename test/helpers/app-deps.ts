// AppDeps for in-process app tests: the real config loader, a logger that captures lines, real metrics.
import { type Config, loadConfig } from '../../src/config/index.js';
import type { AppDeps, WorkerState } from '../../src/http/deps.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';

export interface TestDeps extends AppDeps {
  logLines: string[];
  setConfig(c: Config): void;
}

export function testDeps(env: Record<string, string> = {}, overrides: Partial<AppDeps> = {}): TestDeps {
  let config = loadConfig({ env: { NODE_ENV: 'test', ...env } }).config;
  const logLines: string[] = [];
  const state: WorkerState = {
    draining: false,
    closing: false,
    cluster: { alive: 1, expected: 1, ready: true },
    storeReady: () => true,
    startedAt: Date.now(),
  };
  return {
    config: () => config,
    setConfig: (c) => {
      config = c;
    },
    logger: createLogger('info', {}, (l) => logLines.push(l)),
    metrics: createMetrics('worker', { defaults: false }),
    state,
    workerId: 0,
    logLines,
    ...overrides,
  };
}
