// The values derived from a configuration that the primary and the workers both compute.
import { expect } from 'chai';
import { loadConfig, publicBaseUrl, storeBackend, workerCount } from '../../src/config/index.js';

describe('config/derived', () => {
  const load = (env: Record<string, string> = {}) => loadConfig({ env: { NODE_ENV: 'test', ...env } }).config;

  it('selects the store backend: auto follows the Redis settings, explicit wins', () => {
    expect(storeBackend(load())).to.equal('embedded');
    expect(storeBackend(load({ REDIS_URL: 'redis://127.0.0.1:6379' }))).to.equal('redis');
    expect(storeBackend(load({ REDIS_NODES: 'h1:26379', REDIS_MODE: 'sentinel' }))).to.equal('redis');
    expect(storeBackend(load({ STORE_BACKEND: 'embedded', REDIS_URL: 'redis://127.0.0.1:6379' }))).to.equal('embedded');
  });

  it('builds the public base URL from server.publicUrl, else localhost and the bound port', () => {
    const config = load();
    expect(publicBaseUrl(config, 1234)).to.equal('http://localhost:1234');
    expect(publicBaseUrl(config)).to.equal(`http://localhost:${config.server.port}`);
    expect(publicBaseUrl(load({ PUBLIC_URL: 'https://3ds.example.test/' }))).to.equal('https://3ds.example.test');
  });

  it('defaults the public base URL to https when the listener serves TLS (SPEC §18); a configured one wins', () => {
    expect(publicBaseUrl(load({ TLS_ENABLED: 'true' }), 8443)).to.equal('https://localhost:8443');
    expect(publicBaseUrl(load({ TLS_ENABLED: 'false' }), 8443)).to.equal('http://localhost:8443');
    expect(publicBaseUrl(load({ TLS_ENABLED: 'true', PUBLIC_URL: 'http://proxy.test' }), 8443)).to.equal('http://proxy.test');
  });

  it('counts workers: one per CPU for 0, at least one', () => {
    expect(workerCount(load(), 4)).to.equal(4);
    expect(workerCount(load(), 0)).to.equal(1);
    expect(workerCount(load({ WORKERS: '3' }), 8)).to.equal(3);
  });
});
