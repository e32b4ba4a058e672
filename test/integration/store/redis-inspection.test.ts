// Inspection and scenario overrides in a real Redis (SPEC §17, §19): the trail's bounds kept by the Lua
// script (entries, bytes, dropped count, TTL), the index trimmed by count and age without a key scan,
// newest-first paging through ties with filters, the reset, the same on a three-node Cluster (hash tags),
// and overrides shared by two holders with a pub/sub notice.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Config } from '../../../src/config/index.js';
import { createLogger } from '../../../src/logger.js';
import type { InspectionStore, TrailEvent } from '../../../src/store/inspection/inspection-types.js';
import { createRedisInspection } from '../../../src/store/inspection/redis-inspection.js';
import { redisOverrides } from '../../../src/store/overrides/redis-overrides.js';
import { createRedisL2, type RedisL2 } from '../../../src/store/redis-l2.js';
import { cli, type RedisCluster, type RedisServer, requireRedis, startRedis, startRedisCluster, waitFor } from '../../helpers/redis.js';
import { type MutableConfig, testConfig } from '../../protocol/helpers.js';

const logger = createLogger('silent');

function redisConfig(over: { url?: string; mode?: string; nodes?: string[] }) {
  return { url: '', mode: 'standalone', nodes: [], sentinelName: 'mymaster', password: '', connectTimeoutMs: 2000, ...over };
}

async function setup(over: Parameters<typeof redisConfig>[0], edit?: (c: MutableConfig) => void) {
  const prefix = `i${randomUUID().slice(0, 8)}`;
  const config: Config = testConfig((c) => {
    c.store.prefix = prefix;
    edit?.(c);
  });
  const l2: RedisL2 = createRedisL2({ redis: redisConfig(over), prefix, commandTimeoutMs: 1000, logger });
  await l2.settled(5000);
  await waitFor(() => l2.isReady(), 10_000, 'redis ready');
  const store = createRedisInspection({ client: l2.client, config: () => config, logger });
  return { store, l2, prefix, config };
}

const open = (id: string, createdAt: number, patch: TrailEvent['patch'] = {}): TrailEvent => ({
  id,
  at: createdAt,
  entry: `{"at":${createdAt},"kind":"AReq","message":{}}`,
  patch: { createdAt, ...patch },
});
const entry = (id: string, at: number, text: string): TrailEvent => ({ id, at, entry: `{"at":${at},"kind":"CRes","message":"${text}"}` });

/** Appends, then waits for the turn's flush to be in Redis. */
async function appendAll(store: InspectionStore, evs: TrailEvent[]): Promise<void> {
  for (const ev of evs) store.append(ev);
  await sleep(50);
}

function contract(connect: () => Parameters<typeof redisConfig>[0]) {
  const opened: RedisL2[] = [];
  afterEach(async () => {
    for (const l2 of opened.splice(0)) await l2.close();
  });
  const make = async (edit?: (c: MutableConfig) => void) => {
    const s = await setup(connect(), edit);
    opened.push(s.l2);
    return s;
  };

  it('keeps a trail within its entries and bytes, counts what it dropped, and expires it', async () => {
    const { store, l2, prefix } = await make((c) => {
      c.inspection.trailMaxEntries = 4;
      c.inspection.trailMaxBytes = 400;
      c.store.ttlSeconds = 30;
    });
    const now = Date.now();
    await appendAll(store, [open('t1', now), ...Array.from({ length: 6 }, (_, i) => entry('t1', now + i + 1, `m${i}`))]);
    let d = await store.detail('t1');
    expect(d.trail?.entries.map((e) => JSON.parse(e).message)).to.deep.equal(['m2', 'm3', 'm4', 'm5']);
    expect(d.trail?.dropped).to.equal(3);
    await appendAll(store, [entry('t1', now + 10, 'é'.repeat(150))]);
    d = await store.detail('t1');
    const bytes = (d.trail?.entries ?? []).reduce((n, e) => n + Buffer.byteLength(e), 0);
    expect(bytes).to.be.at.most(400);
    expect(JSON.parse(d.trail?.entries.at(-1) ?? '{}').message).to.equal('é'.repeat(150));
    const pttl = Number(await l2.client.pttl(`${prefix}:trail:{t1}`));
    expect(pttl).to.be.within(1, 30_000);
    expect(d.summary).to.include({ threeDSServerTransID: 't1', createdAt: now });
  });

  it('trims the index by count and by age, in the script that writes it', async () => {
    const { store } = await make((c) => {
      c.inspection.maxTransactions = 3;
      c.store.ttlSeconds = 60;
    });
    const now = Date.now();
    await appendAll(store, [open('old', now - 61_000), open('a', now - 4), open('b', now - 3), open('c', now - 2), open('d', now - 1)]);
    const page = await store.list({ limit: 10 });
    expect(page.items.map((s) => s.threeDSServerTransID)).to.deep.equal(['d', 'c', 'b']);
    expect((await store.detail('a')).summary).to.equal(null);
    // An event for a trimmed transaction does not bring back half an entry.
    await appendAll(store, [{ id: 'a', at: now, patch: { status: 'Y' } }]);
    expect((await store.detail('a')).summary).to.equal(null);
  });

  it('lists newest first through ties, with filters and a cursor, and applies later patches', async () => {
    const { store } = await make();
    const t = Date.now();
    await appendAll(store, [
      open('a', t, { last4: '4000', status: 'Y', flow: 'browser', api: 'mock' }),
      open('b', t + 10, { last4: '4001', status: 'C', flow: 'browser', api: 'netcetera' }),
      open('c', t + 10, { last4: '4001', status: 'Y', flow: 'app', api: 'mock' }),
      open('d', t + 10, { last4: '4002', status: 'N', flow: '3ri', api: 'mock' }),
      open('e', t + 20, { last4: '4001', status: 'Y', flow: 'browser', api: 'mock' }),
      open('f', t + 5, { last4: '4000', status: 'Y', flow: 'browser', api: 'mock' }),
    ]);
    const ids = async (q: Parameters<InspectionStore['list']>[0]) => (await store.list(q)).items.map((s) => s.threeDSServerTransID);
    expect(await ids({ limit: 10 })).to.deep.equal(['e', 'd', 'c', 'b', 'f', 'a']);
    const seen: string[] = [];
    let cursor: Parameters<InspectionStore['list']>[0]['cursor'];
    for (let i = 0; i < 10; i++) {
      const page = await store.list({ limit: 2, ...(cursor && { cursor }) });
      seen.push(...page.items.map((s) => s.threeDSServerTransID));
      if (!page.next) break;
      cursor = page.next;
    }
    expect(seen).to.deep.equal(['e', 'd', 'c', 'b', 'f', 'a']);
    expect(await ids({ limit: 10, last4: '4001' })).to.deep.equal(['e', 'c', 'b']);
    expect(await ids({ limit: 10, status: 'Y', flow: 'browser' })).to.deep.equal(['e', 'f', 'a']);
    expect(await ids({ limit: 10, api: 'netcetera' })).to.deep.equal(['b']);
    expect(await ids({ limit: 10, since: t + 5, until: t + 10 })).to.deep.equal(['d', 'c', 'b', 'f']);
    await appendAll(store, [{ id: 'b', at: t + 30, patch: { status: 'Y', stage: 'completed' } }]);
    expect((await store.detail('b')).summary).to.include({
      status: 'Y',
      stage: 'completed',
      createdAt: t + 10,
      updatedAt: t + 30,
      api: 'netcetera',
    });
  });

  it('reset removes the index and the trails it lists', async () => {
    const { store } = await make();
    const now = Date.now();
    await appendAll(store, [open('x', now), entry('x', now + 1, 'm'), open('y', now + 2)]);
    expect(await store.reset()).to.deep.equal({ transactions: 2, trails: 2 });
    expect(await store.list({ limit: 10 })).to.deep.equal({ items: [] });
    expect(await store.detail('x')).to.deep.equal({ summary: null, trail: null });
  });
}

describe('inspection and overrides in Redis', function () {
  this.timeout(60_000);

  describe('standalone', () => {
    let server: RedisServer;
    before(async function () {
      requireRedis(this);
      server = await startRedis({ appendonly: false });
    });
    after(async () => {
      await server?.close();
    });

    contract(() => ({ url: server.url }));

    it('shares the overrides between two holders, and tells the other one of a change', async () => {
      const prefix = `o${randomUUID().slice(0, 8)}`;
      const a = redisOverrides({ redis: redisConfig({ url: server.url }), prefix, commandTimeoutMs: 1000, logger });
      const b = redisOverrides({ redis: redisConfig({ url: server.url }), prefix, commandTimeoutMs: 1000, logger });
      try {
        expect(await a.ready(5000)).to.equal(true);
        expect(await b.ready(5000)).to.equal(true);
        let told = 0;
        b.onRemoteChange(() => told++);
        await b.load();
        await sleep(100);
        told = 0;
        const set = await a.change({ op: 'set', key: '4001', scenario: { transStatus: 'N', reason: '01' }, by: 'qa' }, 1000);
        expect(set).to.deep.include({ changed: true, removed: 0, version: 1 });
        await waitFor(() => told > 0, 5000, 'pub/sub notice');
        expect((await b.load()).entries).to.deep.equal([
          { key: '4001', scenario: { transStatus: 'N', reason: '01' }, setBy: 'qa', setAt: 1000 },
        ]);
        const replaced = await b.change({ op: 'set', key: '4001', scenario: { transStatus: 'Y' }, by: 'ops' }, 2000);
        expect(replaced.previous).to.deep.include({ key: '4001', setBy: 'qa' });
        expect(await a.change({ op: 'delete', key: '4999', by: 'qa' }, 3000)).to.deep.include({ changed: false, removed: 0 });
        expect(await a.change({ op: 'clear', by: 'qa' }, 4000)).to.deep.include({ changed: true, removed: 1, version: 3 });
        expect((await a.load()).entries).to.deep.equal([]);
        expect((await cli(server.port, 'GET', `{${prefix}:overrides}:version`)).trim()).to.equal('3');
      } finally {
        await a.close();
        await b.close();
      }
    });
  });

  describe('cluster (three nodes)', () => {
    let cluster: RedisCluster;
    before(async function () {
      requireRedis(this);
      cluster = await startRedisCluster(3);
    });
    after(async () => {
      await cluster?.close();
    });

    contract(() => ({ mode: 'cluster', nodes: cluster.nodes }));
  });
});
