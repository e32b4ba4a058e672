// The primary's scenario overrides (SPEC §17): a change is answered only once every worker acknowledged
// the new table (or the bound passed), snapshots are numbered for the workers to order them, changes run
// one at a time, and a change made elsewhere (another instance on the same Redis) is pushed too.
import type { Worker } from 'node:cluster';
import { expect } from 'chai';
import type { PrimaryToWorker } from '../../src/ipc.js';
import { createLogger } from '../../src/logger.js';
import { OverridesHub } from '../../src/primary/overrides-hub.js';
import { OverrideTable } from '../../src/store/overrides/override-table.js';
import type { OverridesBackend, StoredOverrides } from '../../src/store/overrides/overrides-backend.js';

function memoryBackend() {
  const table = new OverrideTable();
  let remote: () => void = () => {};
  const backend: OverridesBackend = {
    kind: 'file',
    load: async (): Promise<StoredOverrides> => ({ version: table.version, entries: table.list() }),
    change: async (c, now) => table.apply(c, now),
    onRemoteChange: (l) => {
      remote = l;
    },
    close: async () => {},
  };
  return { backend, table, remoteChange: () => remote() };
}

function fakeWorkers(n: number) {
  const sent = new Map<Worker, PrimaryToWorker[]>();
  const workers = Array.from({ length: n }, (_, i) => ({ id: i }) as unknown as Worker);
  for (const w of workers) sent.set(w, []);
  return { workers, sent, send: (w: Worker, m: PrimaryToWorker) => sent.get(w)?.push(m) };
}

const seqOf = (m: PrimaryToWorker | undefined) => (m?.type === 'm3ds:overrides' ? m.snapshot.seq : -1);

describe('primary/overrides-hub', () => {
  const logger = createLogger('silent');

  it('answers a change once every worker acknowledged the new table', async () => {
    const { backend } = memoryBackend();
    const w = fakeWorkers(2);
    let forked: Worker[] = [];
    const hub = new OverridesHub({ backend, logger, workers: () => forked, send: w.send, ackTimeoutMs: 5000 });
    // Loaded before any worker is forked, as the primary does it.
    await hub.start();
    forked = w.workers;
    let answered = false;
    const change = hub.change({ op: 'set', key: '4001', scenario: { transStatus: 'N' }, by: 'qa' }).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 20));
    const [a, b] = w.workers as [Worker, Worker];
    const seq = seqOf(w.sent.get(a)?.at(-1));
    expect(seq).to.be.greaterThan(0);
    hub.ack(a, seq);
    await new Promise((r) => setTimeout(r, 20));
    expect(answered).to.equal(false);
    hub.ack(b, seq);
    expect((await change).changed).to.equal(true);
    expect(hub.get().entries.map((e) => e.key)).to.deep.equal(['4001']);
  });

  it('does not wait for a worker that exited, nor beyond its bound', async () => {
    const { backend } = memoryBackend();
    const w = fakeWorkers(2);
    const hub = new OverridesHub({ backend, logger, workers: () => w.workers, send: w.send, ackTimeoutMs: 100 });
    const [a, b] = w.workers as [Worker, Worker];
    const first = hub.change({ op: 'set', key: '4001', scenario: { transStatus: 'N' }, by: 'qa' });
    await new Promise((r) => setTimeout(r, 10));
    hub.ack(a, seqOf(w.sent.get(a)?.at(-1)));
    hub.forget(b);
    await first;
    const t0 = Date.now();
    await hub.change({ op: 'delete', key: '4001', by: 'qa' });
    expect(Date.now() - t0).to.be.within(80, 1000);
  });

  it('numbers snapshots in order and pushes a change made elsewhere', async () => {
    const { backend, table, remoteChange } = memoryBackend();
    const w = fakeWorkers(1);
    const hub = new OverridesHub({ backend, logger, workers: () => w.workers, send: w.send, ackTimeoutMs: 50 });
    await hub.start();
    const before = hub.get().seq;
    table.apply({ op: 'set', key: '4002', scenario: { transStatus: 'R' }, by: 'other-instance' }, 1);
    remoteChange();
    await new Promise((r) => setTimeout(r, 100));
    expect(hub.get().seq).to.be.greaterThan(before);
    expect(hub.get().entries.map((e) => e.setBy)).to.deep.equal(['other-instance']);
    const pushed = w.sent.get(w.workers[0] as Worker) ?? [];
    expect(seqOf(pushed.at(-1))).to.equal(hub.get().seq);
    // A delete of an absent key changes nothing and pushes nothing.
    const n = pushed.length;
    expect((await hub.change({ op: 'delete', key: '4999', by: 'qa' })).changed).to.equal(false);
    expect(pushed.length).to.equal(n);
  });
});
