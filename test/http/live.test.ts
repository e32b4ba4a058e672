// The live snapshot's view of the public URL: the base handed-out URLs are built from, and whether pages
// carry HSTS (only behind a configured https public URL, never for the https default of server.tls).
import { expect } from 'chai';
import { loadConfig } from '../../src/config/index.js';
import { liveSnapshots } from '../../src/http/live.js';

describe('http/live', () => {
  const live = (env: Record<string, string>) => {
    const config = loadConfig({ env: { NODE_ENV: 'test', ...env } }).config;
    return liveSnapshots(() => config)();
  };

  it('builds URLs from the bound port over http, or https with server.tls (SPEC §18)', () => {
    expect(live({}).baseUrl(8080)).to.equal('http://localhost:8080');
    expect(live({ TLS_ENABLED: 'true' }).baseUrl(8443)).to.equal('https://localhost:8443');
    expect(live({ TLS_ENABLED: 'true', PUBLIC_URL: 'https://3ds.example.test/' }).baseUrl(8443)).to.equal('https://3ds.example.test');
  });

  it('asks for HSTS only behind a configured https public URL, not for the TLS default on localhost', () => {
    expect(live({}).https).to.equal(false);
    expect(live({ TLS_ENABLED: 'true' }).https).to.equal(false);
    expect(live({ PUBLIC_URL: 'https://3ds.example.test' }).https).to.equal(true);
    expect(live({ TLS_ENABLED: 'true', PUBLIC_URL: 'https://3ds.example.test' }).https).to.equal(true);
  });
});
