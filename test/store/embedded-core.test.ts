import { expect } from 'chai';
import { EmbeddedCore } from '../../src/store/embedded-core.js';

// A settable clock: the core's expiry is checked without waiting real seconds.
function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe('embedded store core', () => {
  let cores: EmbeddedCore[] = [];
  const make = (maxEntries: number, now?: () => number) => {
    const core = new EmbeddedCore({ maxEntries, now, sweepIntervalMs: 60_000 });
    cores.push(core);
    return core;
  };
  afterEach(() => {
    for (const c of cores) c.close();
    cores = [];
  });

  it('versions records: create at 1, each compare-and-set +1, mismatches refused', () => {
    const core = make(10);
    expect(core.create('a', '{"s":1}', 60)).to.deep.equal({ status: 'written', version: 1 });
    expect(core.create('a', '{"s":9}', 60)).to.deep.equal({ status: 'conflict' });
    expect(core.cas('a', 1, '{"s":2}', 60)).to.deep.equal({ status: 'written', version: 2 });
    expect(core.cas('a', 1, '{"s":3}', 60)).to.deep.equal({ status: 'conflict' });
    expect(core.cas('zz', 1, '{}', 60)).to.deep.equal({ status: 'missing' });
    expect(core.get('a', 60)).to.deep.equal({ status: 'found', id: 'a', value: '{"s":2}', version: 2 });
  });

  it('getIfNewer sends the value only when the version differs', () => {
    const core = make(10);
    core.create('a', '{"s":1}', 60);
    expect(core.getIfNewer('a', 1, 60)).to.deep.equal({ status: 'unchanged', version: 1 });
    core.cas('a', 1, '{"s":2}', 60);
    expect(core.getIfNewer('a', 1, 60)).to.deep.equal({ status: 'found', id: 'a', value: '{"s":2}', version: 2 });
    expect(core.getIfNewer('b', 1, 60)).to.deep.equal({ status: 'missing' });
  });

  it('expires a record TTL after its last access, and every access (get, getIfNewer, index) restarts the TTL', () => {
    const c = clock();
    const core = make(10, c.now);
    core.create('a', '{}', 10, 'acs-a');
    core.create('b', '{}', 10);
    c.t += 9_000;
    core.get('a', 10);
    c.t += 9_000;
    core.getIfNewer('a', 1, 10);
    c.t += 9_000;
    core.getByIndex('acs-a', 10);
    c.t += 9_000;
    expect(core.get('b', 10).status).to.equal('missing');
    expect(core.get('a', 10).status).to.equal('found');
    c.t += 10_000;
    expect(core.get('a', 10).status).to.equal('missing');
    expect(core.getByIndex('acs-a', 10).status).to.equal('missing');
  });

  it('lets a record expired in place be created again', () => {
    const c = clock();
    const core = make(10, c.now);
    core.create('a', '{"old":1}', 1);
    c.t += 1_000;
    expect(core.create('a', '{"new":1}', 1)).to.deep.equal({ status: 'written', version: 1 });
  });

  it('evicts the least recently used record beyond maxEntries, with its index entry', () => {
    const core = make(3);
    core.create('a', '{}', 60, 'acs-a');
    core.create('b', '{}', 60);
    core.create('c', '{}', 60);
    core.get('a', 60); // a is now the most recently used; b the least
    core.create('d', '{}', 60);
    expect(core.size).to.equal(3);
    expect(core.get('b', 60).status).to.equal('missing');
    expect(core.getByIndex('acs-a', 60).status).to.equal('found');
    core.create('e', '{}', 60);
    core.create('f', '{}', 60);
    core.create('g', '{}', 60);
    expect(core.getByIndex('acs-a', 60).status).to.equal('missing');
  });

  it('sweeps expired records from the least recently used end and stops at the first live one', () => {
    const c = clock();
    const core = make(100, c.now);
    for (let i = 0; i < 5; i++) core.create(`old${i}`, '{}', 10);
    c.t += 5_000;
    for (let i = 0; i < 3; i++) core.create(`new${i}`, '{}', 10);
    c.t += 6_000;
    expect(core.sweep()).to.equal(5);
    expect(core.size).to.equal(3);
    c.t += 5_000;
    expect(core.sweep()).to.equal(3);
    expect(core.size).to.equal(0);
  });

  it('keeps the index of a record updated without an acsTransID, and moves it when a new one is given', () => {
    const core = make(10);
    core.create('a', '{}', 60, 'acs-1');
    core.cas('a', 1, '{"s":2}', 60);
    expect(core.getByIndex('acs-1', 60)).to.deep.equal({ status: 'found', id: 'a', value: '{"s":2}', version: 2 });
    core.cas('a', 2, '{"s":3}', 60, 'acs-2');
    expect(core.getByIndex('acs-1', 60).status).to.equal('missing');
    expect(core.getByIndex('acs-2', 60).status).to.equal('found');
  });

  it('removes the index entry with the record on delete', () => {
    const core = make(10);
    core.create('a', '{}', 60, 'acs-a');
    core.delete('a');
    expect(core.getByIndex('acs-a', 60).status).to.equal('missing');
    expect(core.size).to.equal(0);
  });

  it('shrinks on resize, least recently used first', () => {
    const core = make(10);
    for (const id of ['a', 'b', 'c', 'd']) core.create(id, '{}', 60);
    core.resize(2);
    expect(core.get('a', 60).status).to.equal('missing');
    expect(core.get('d', 60).status).to.equal('found');
    expect(() => core.resize(0)).to.throw(RangeError);
  });
});
