// createStore in one process: the embedded backend. Its Redis backend against a real redis-server is in
// test/integration/store/create-store.test.ts.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { expect } from 'chai';
import { type Config, loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { createStore } from '../../src/store/create-store.js';

const logger = createLogger('silent');

// Schema defaults plus the variables given: no config files, so other groups' settings cannot interfere.
function config(env: Record<string, string> = {}): Config {
  return loadConfig({ configDir: path.join(import.meta.dirname, 'no-config-files'), env: { NODE_ENV: 'test', ...env } }).config;
}

describe('createStore', () => {
  it('uses the embedded backend, in this process when no RPC client is given', async () => {
    const store = await createStore({ config: config(), logger, metrics: createMetrics('worker', { defaults: false }) });
    expect(store.isReady()).to.equal(true);
    const id = randomUUID();
    await store.create(id, { step: 'version' });
    expect((await store.get(id))?.value).to.deep.equal({ step: 'version' });
    await store.close();
  });
});
