import { expect } from 'chai';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { BLOB_HEADER_BYTES, ENTRY_OVERHEAD_BYTES, MAX_ENTRIES } from '../../src/store/embedded-core.js';
import { createEmbeddedHost, machineMemory, storeBounds } from '../../src/store/embedded-host.js';

const logger = createLogger('silent');

async function gaugeValue(metrics: ReturnType<typeof createMetrics>): Promise<number> {
  const m = await metrics.gauge('store_embedded_entries').get();
  return m.values[0]?.value ?? Number.NaN;
}

describe('embedded store host (primary side)', () => {
  it('answers store operations and counts its records', () => {
    const host = createEmbeddedHost({ maxEntries: 100, logger, metrics: createMetrics('primary') });
    expect(host.handle({ op: 'create', id: 'a', value: '{"x":1}', ttlSeconds: 60, acsTransID: 'acs-a' })).to.deep.equal({
      status: 'written',
      version: 1,
    });
    expect(host.handle({ op: 'getByIndex', acsTransID: 'acs-a', ttlSeconds: 60 })).to.deep.equal({
      status: 'found',
      id: 'a',
      value: '{"x":1}',
      version: 1,
    });
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

  describe('bounds', () => {
    const GiB = 1024 ** 3;
    const machine = { totalBytes: 16 * GiB, constrainedBytes: 0, heapLimitBytes: 4 * GiB };

    it('derives the defaults (0) from memory: a quarter of the machine, or of the container limit below it', () => {
      expect(storeBounds({ maxEntries: 0, maxBytes: 0 }, machine)).to.deep.equal({ maxEntries: MAX_ENTRIES, maxBytes: 4 * GiB });
      expect(storeBounds({ maxEntries: 0 }, { ...machine, constrainedBytes: 512 * 1024 ** 2 })).to.deep.equal({
        maxEntries: MAX_ENTRIES,
        maxBytes: 128 * 1024 ** 2,
      });
      // No cgroup limit reads as a huge number: the machine's memory counts then.
      expect(storeBounds({ maxEntries: 0 }, { ...machine, constrainedBytes: 2 ** 64 }).maxBytes).to.equal(4 * GiB);
      expect(storeBounds({ maxEntries: 0 }, { ...machine, totalBytes: 32 * 1024 ** 2 }).maxBytes).to.equal(16 * 1024 ** 2);
    });

    it('keeps configured bounds, capping the count at what the slot arrays address', () => {
      expect(storeBounds({ maxEntries: 1000, maxBytes: 5_000_000 }, machine)).to.deep.equal({ maxEntries: 1000, maxBytes: 5_000_000 });
      expect(storeBounds({ maxEntries: 2 ** 40, maxBytes: 1 }, machine).maxEntries).to.equal(MAX_ENTRIES);
    });

    it('reads this machine', () => {
      const m = machineMemory();
      expect(m.totalBytes).to.be.above(0);
      expect(m.heapLimitBytes).to.be.above(0);
      expect(m.constrainedBytes).to.be.a('number');
    });

    it('applies derived and configured bounds, on creation and on resize', () => {
      const host = createEmbeddedHost({ maxEntries: 0, logger, metrics: createMetrics('primary'), machine });
      expect(host.bounds()).to.deep.equal({ maxEntries: MAX_ENTRIES, maxBytes: 4 * GiB });
      for (let i = 0; i < 5; i++) host.handle({ op: 'create', id: `r${i}`, value: '{}', ttlSeconds: 60 });
      const each = BLOB_HEADER_BYTES + 2 + 2 + ENTRY_OVERHEAD_BYTES;
      host.resize(0, 2 * each);
      expect(host.bounds().maxBytes).to.equal(2 * each);
      expect(host.size()).to.equal(2);
      host.resize(1);
      expect(host.size()).to.equal(1);
      host.close();
    });
  });
});
