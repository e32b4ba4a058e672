// The reload diff: which keys changed between two configurations, and whether that needs new workers.
import { expect } from 'chai';
import { loadConfig } from '../../src/config/index.js';
import { changedKeys, needsRestart } from '../../src/primary/config-diff.js';

describe('primary/config-diff', () => {
  const load = (env: Record<string, string> = {}) => loadConfig({ env: { NODE_ENV: 'test', ...env } }).config;

  it('lists the dotted keys that differ, at leaf granularity', () => {
    const a = load();
    expect(changedKeys(a, load())).to.deep.equal([]);
    expect(changedKeys(a, load({ LOG_LEVEL: 'debug', BODY_LIMIT_BYTES: '100' })).sort()).to.deep.equal([
      'http.bodyLimitBytes',
      'logging.level',
    ]);
    expect(changedKeys(a, load({ ALLOWED_REDIRECT_ORIGINS: 'https://shop.test' }))).to.deep.equal(['security.allowedRedirectOrigins']);
  });

  it('tells live keys from restart-only keys', () => {
    const a = load();
    expect(needsRestart(changedKeys(a, load({ LOG_LEVEL: 'debug', BODY_LIMIT_BYTES: '100' })))).to.equal(false);
    expect(needsRestart(changedKeys(a, load({ WORKERS: '5' })))).to.equal(true);
    expect(needsRestart(changedKeys(a, load({ REDIS_URL: 'redis://h:1' })))).to.equal(true);
    expect(needsRestart(['server.hostname'])).to.equal(false);
    // The listener's TLS settings (SPEC §18): new workers listen with them.
    expect(needsRestart(changedKeys(a, load({ TLS_ENABLED: 'true' })))).to.equal(true);
    expect(needsRestart(['server.tls.certPath'])).to.equal(true);
    expect(needsRestart(['server.tls.clientCert'])).to.equal(true);
  });
});
