// The behaviour every TransactionStore must show, whatever tiers and backend are behind it. Each backend's
// test file calls storeContract() inside its describe with a factory for a fresh store.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { mutate, StoreConflictError, type TransactionStore } from '../../src/store/store.js';
import { expectRejection } from '../helpers/expect-error.js';

export interface ContractSubject {
  store: TransactionStore;
  close(): Promise<void>;
  /**
   * Moves the clock the store's TTLs run on. A store that runs on a server's own clock (Redis) has none:
   * the TTL test then waits in real time, since that clock is part of what it tests.
   */
  advance?(ms: number): void;
}

/** Builds a store whose records live `ttlSeconds` after their last access. */
export type ContractFactory = (opts: { ttlSeconds: number }) => Promise<ContractSubject>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Lets `ms` pass on the subject's clock: moved when it has one, waited out otherwise. */
async function pass(subject: ContractSubject, ms: number): Promise<void> {
  if (subject.advance) subject.advance(ms);
  else await sleep(ms);
}

export function storeContract(factory: ContractFactory): void {
  describe('store contract', () => {
    let subject: ContractSubject;
    let store: TransactionStore;
    before(async () => {
      subject = await factory({ ttlSeconds: 60 });
      store = subject.store;
    });
    after(async () => {
      await subject?.close();
    });

    it('creates a record and reads it back at the version the create gave it', async () => {
      const id = randomUUID();
      const created = await store.create(id, { threeDSServerTransID: id, step: 'version', nested: { n: 1 } });
      expect(created.version).to.be.a('number').and.satisfy(Number.isSafeInteger).and.above(0);
      const read = await store.get(id);
      expect(read).to.deep.equal({ value: { threeDSServerTransID: id, step: 'version', nested: { n: 1 } }, version: created.version });
    });

    it('answers null for unknown IDs and acsTransIDs', async () => {
      expect(await store.get(randomUUID())).to.equal(null);
      expect(await store.getByAcsTransID(randomUUID())).to.equal(null);
    });

    it('updates with the current version and refuses a stale one', async () => {
      const id = randomUUID();
      const v1 = await store.create(id, { step: 'a' });
      const v2 = await store.update(id, v1.version, { step: 'b' });
      expect(v2.value).to.deep.equal({ step: 'b' });
      expect(v2.version).to.be.above(v1.version);
      await expectRejection(store.update(id, v1.version, { step: 'stale' }), StoreConflictError);
      expect(await store.get(id)).to.deep.equal({ value: { step: 'b' }, version: v2.version });
    });

    it('gives an ID created again after a delete versions above every one its old record had', async () => {
      // A copy of the old record (a worker's L1) must never look current: getIfNewer compares versions.
      const id = randomUUID();
      const old1 = await store.create(id, { life: 1, step: 'a' });
      const old2 = await store.update(id, old1.version, { life: 1, step: 'b' });
      await store.delete(id);
      const new1 = await store.create(id, { life: 2, step: 'a' });
      const new2 = await store.update(id, new1.version, { life: 2, step: 'b' });
      expect(new1.version).to.be.above(old2.version);
      expect(new2.version).to.be.above(new1.version);
      await expectRejection(store.update(id, old2.version, { life: 1, step: 'stale' }), StoreConflictError);
      expect(await store.get(id)).to.deep.equal({ value: { life: 2, step: 'b' }, version: new2.version });
    });

    it('refuses to create over an existing ID and keeps the original', async () => {
      const id = randomUUID();
      const first = await store.create(id, { step: 'first' });
      await expectRejection(store.create(id, { step: 'second' }), StoreConflictError);
      expect(await store.get(id)).to.deep.equal({ value: { step: 'first' }, version: first.version });
    });

    it('refuses to update an unknown ID', async () => {
      await expectRejection(store.update(randomUUID(), 1, { step: 'x' }), StoreConflictError);
    });

    it('serializes concurrent read-modify-writes (compare-and-set)', async () => {
      const id = randomUUID();
      const created = await store.create(id, { count: 0 });
      const writers = Array.from({ length: 8 }, () => mutate(store, id, (r) => ({ count: (r.count as number) + 1 }), undefined, 20));
      const written = (await Promise.all(writers)).map((w) => w?.version as number);
      // Eight writes, eight versions, each above the create's; the last one is what a read sees.
      expect(new Set(written).size).to.equal(8);
      expect(Math.min(...written)).to.be.above(created.version);
      expect(await store.get(id)).to.deep.equal({ value: { count: 8 }, version: Math.max(...written) });
    });

    it('finds a record through its acsTransID, set on create or on a later update, and keeps it', async () => {
      const id1 = randomUUID();
      const acs1 = randomUUID();
      const a1 = await store.create(id1, { step: 'authenticated' }, { acsTransID: acs1 });
      expect(await store.getByAcsTransID(acs1)).to.deep.equal({ value: { step: 'authenticated' }, version: a1.version });
      const a2 = await store.update(id1, a1.version, { step: 'challenged' });
      expect(await store.getByAcsTransID(acs1)).to.deep.equal({ value: { step: 'challenged' }, version: a2.version });

      const id2 = randomUUID();
      const acs2 = randomUUID();
      const b1 = await store.create(id2, { step: 'version' });
      expect(await store.getByAcsTransID(acs2)).to.equal(null);
      const b2 = await store.update(id2, b1.version, { step: 'authenticated' }, { acsTransID: acs2 });
      expect(await store.getByAcsTransID(acs2)).to.deep.equal({ value: { step: 'authenticated' }, version: b2.version });
    });

    it('does not let an index written by a lost create lead to another record', async () => {
      const id = randomUUID();
      const acs = randomUUID();
      await store.create(id, { step: 'first' });
      await expectRejection(store.create(id, { step: 'second' }, { acsTransID: acs }), StoreConflictError);
      expect(await store.getByAcsTransID(acs)).to.equal(null);
    });

    it('deletes a record and its index entry; deleting an unknown ID is fine', async () => {
      const id = randomUUID();
      const acs = randomUUID();
      await store.create(id, { step: 'x' }, { acsTransID: acs });
      await store.delete(id);
      expect(await store.get(id)).to.equal(null);
      expect(await store.getByAcsTransID(acs)).to.equal(null);
      await store.delete(randomUUID());
    });

    it('refuses records holding a cardSecurityCode, at the top level or nested', async () => {
      const id = randomUUID();
      await expectRejection(store.create(id, { cardSecurityCode: '123' }), Error, /cardSecurityCode/);
      expect(await store.get(id)).to.equal(null);
      const ok = await store.create(id, { step: 'ok' });
      await expectRejection(store.update(id, ok.version, { cardholderAccount: { cardSecurityCode: '123' } }), Error, /cardSecurityCode/);
      expect(await store.get(id)).to.deep.equal({ value: { step: 'ok' }, version: ok.version });
    });

    it('is ready while its L2 is reachable', () => {
      expect(store.isReady()).to.equal(true);
    });
  });

  describe('store contract: TTL (1 s)', () => {
    let subject: ContractSubject;
    before(async () => {
      subject = await factory({ ttlSeconds: 1 });
    });
    after(async () => {
      await subject?.close();
    });

    it('expires records not accessed within the TTL, and each access restarts it (index included)', async () => {
      const { store } = subject;
      const touched = randomUUID();
      const touchedAcs = randomUUID();
      const idle = randomUUID();
      const idleAcs = randomUUID();
      await store.create(touched, { step: 'touched' }, { acsTransID: touchedAcs });
      await store.create(idle, { step: 'idle' }, { acsTransID: idleAcs });
      await pass(subject, 600);
      expect(await store.get(touched)).to.not.equal(null);
      await pass(subject, 650);
      // 1.25 s after creation: the idle record is gone, the touched one (accessed at 0.6 s) is not.
      expect(await store.get(idle)).to.equal(null);
      expect(await store.getByAcsTransID(idleAcs)).to.equal(null);
      expect((await store.getByAcsTransID(touchedAcs))?.value).to.deep.equal({ step: 'touched' });
      expect((await store.get(touched))?.value).to.deep.equal({ step: 'touched' });
    });
  });
}
