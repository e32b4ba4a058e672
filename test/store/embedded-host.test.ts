import { expect } from 'chai';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { createEmbeddedHost } from '../../src/store/embedded-host.js';

const logger = createLogger('silent');

async function gaugeValue(metrics: ReturnType<typeof createMetrics>): Promise<number> {
  const m = await metrics.gauge('store_embedded_entries').get();
  return m.values[0]?.value ?? Number.NaN;
}

describe('embedded store host (primary side)', () => {
  it('answers store operations and counts its records', () => {
    const host = createEmbeddedHost({ maxEntries: 100, logger, metrics: createMetrics('primary') });
    expect(host.handle({ op: 'create', id: 'a', value: '{"x":1}', ttlSeconds: 60, acsTransID: 'acs-a' })).to.deep.equal({ status: 'written', version: 1 });
    expect(host.handle({ op: 'getByIndex', acsTransID: 'acs-a', ttlSeconds: 60 })).to.deep.equal({ status: 'found', id: 'a', value: '{"x":1}', version: 1 });
    expect(host.handle({ op: 'ping' })).to.deep.equal({ status: 'ok' });
    expect(host.size()).to.equal(1);
    host.close();
    expect(host.size()).to.equal(0);
  });

  it('sets store_embedded_entries from its sweep and on resize', async () => {
    const metrics = createMetrics('primary');
    const host = createEmbeddedHost({ maxEntries: 100, logger, metrics, sweepIntervalMs: 10 });
    for (let i = 0; i < 5; i++) host.handle({ op: 'create', id: `r${i}`, value: '{}', ttlSeconds: 60 });
    const deadline = Date.now() + 5000;
    while ((await gaugeValue(metrics)) !== 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(await gaugeValue(metrics)).to.equal(5);
    host.resize(2);
    expect(host.size()).to.equal(2);
    expect(await gaugeValue(metrics)).to.equal(2);
    host.close();
  });

  it('throws for a malformed operation (the primary turns it into an RPC error)', () => {
    const host = createEmbeddedHost({ maxEntries: 1, logger, metrics: createMetrics('primary') });
    expect(() => host.handle({ op: 'nope' } as never)).to.throw(/unknown store operation/);
    expect(() => host.handle({ op: 'get', id: 'a' } as never)).to.throw(/ttlSeconds/);
    host.close();
  });
});
