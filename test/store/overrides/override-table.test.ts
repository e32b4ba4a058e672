// Runtime scenario overrides (SPEC §17): the checks, the table's changes, the lookup order (full PAN, then
// last 4), a worker's copy keeping the newest snapshot, and the embedded store's JSON file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createLogger } from '../../../src/logger.js';
import { keyProblem, OverrideTable, overrideLookup, scenarioProblem, shownKey } from '../../../src/store/overrides/override-table.js';
import { fileOverrides } from '../../../src/store/overrides/overrides-backend.js';
import { OverridesView } from '../../../src/store/overrides/overrides-view.js';
import type { OverrideEntry } from '../../../src/types.js';

const entry = (key: string, transStatus: string): OverrideEntry => ({ key, scenario: { transStatus }, setBy: 't', setAt: 1 });

describe('scenario overrides', () => {
  it('refuses a scenario an admin client could break the protocol with, naming the field (found in review)', () => {
    const hostile: [unknown, RegExp][] = [
      [{ transStatus: 'E', dsError: { errorCode: { toString: 1 }, errorComponent: 'D' } }, /dsError.errorCode must be 3 digits/],
      [{ transStatus: 'E', dsError: { errorCode: '405', errorComponent: 'Z' } }, /errorComponent/],
      [{ transStatus: 'N', reason: {} }, /reason must be 2 digits/],
      [{ transStatus: 'Y', delayMs: 2_000_000_000 }, /delayMs must be 0 to 120000/],
      [{ transStatus: 'Y', slow: 'yes' }, /true or false/],
      [{ transStatus: 'Y', extra: 1 }, /"extra" is not a scenario field/],
      [JSON.parse('{"transStatus": "Y", "__proto__": {"x": 1}}'), /"__proto__" is not a scenario field/],
      [{ transStatus: { toString: null } }, /transStatus "object" is not an EMV status/],
    ];
    for (const [scenario, why] of hostile) expect(scenarioProblem('4000', scenario), JSON.stringify(scenario)).to.match(why);
    expect(scenarioProblem('4000', { transStatus: 'E', dsError: { errorCode: '405', errorComponent: 'D' } })).to.equal(undefined);
    expect(scenarioProblem('4000', { transStatus: 'N', reason: '01', delayMs: 50 })).to.equal(undefined);
  });

  it('accept keys of 4 digits or a full PAN, and scenarios of the configured vocabulary only', () => {
    expect(keyProblem('4001')).to.equal(undefined);
    expect(keyProblem('4000400040004001')).to.equal(undefined);
    for (const bad of ['400', '40011', 'default', 'abcd', '4'.repeat(20)]) expect(keyProblem(bad), bad).to.be.a('string');
    expect(scenarioProblem('4001', { transStatus: 'N', reason: '01' })).to.equal(undefined);
    expect(scenarioProblem('4001', { transStatus: 'X' })).to.match(/not an EMV status/);
    expect(scenarioProblem('4001', { transStatus: 'C' })).to.match(/needs a challenge type/);
    expect(scenarioProblem('4001', 'Y')).to.be.a('string');
    expect(shownKey('4000400040004001')).to.equal('400040…4001');
  });

  it('look a card up by full PAN first, then by last 4; none while the table is empty', () => {
    const find = overrideLookup([entry('4001', 'N'), entry('4000400040004001', 'R')]);
    expect(find('4000400040004001')).to.deep.equal({ key: 'override:400040…4001', scenario: { transStatus: 'R' } });
    expect(find('4111111111114001')).to.deep.equal({ key: 'override:4001', scenario: { transStatus: 'N' } });
    expect(find('4111111111114000')).to.equal(undefined);
    expect(overrideLookup([])('4000400040004001')).to.equal(undefined);
  });

  it('apply set, delete and clear with a version that only grows', () => {
    const t = new OverrideTable();
    expect(t.apply({ op: 'set', key: '4001', scenario: { transStatus: 'N' }, by: 'a' }, 10)).to.deep.equal({
      changed: true,
      removed: 0,
      version: 1,
    });
    const replaced = t.apply({ op: 'set', key: '4001', scenario: { transStatus: 'R' }, by: 'b' }, 20);
    expect(replaced.previous).to.deep.equal({ key: '4001', scenario: { transStatus: 'N' }, setBy: 'a', setAt: 10 });
    expect(t.apply({ op: 'delete', key: '4999', by: 'a' }, 25)).to.deep.include({ changed: false, version: 2 });
    expect(t.apply({ op: 'delete', key: '4001', by: 'a' }, 30)).to.deep.include({ changed: true, removed: 1, version: 3 });
    t.apply({ op: 'set', key: '4002', scenario: { transStatus: 'Y' }, by: 'a' }, 40);
    t.apply({ op: 'set', key: '4003', scenario: { transStatus: 'Y' }, by: 'a' }, 40);
    expect(t.apply({ op: 'clear', by: 'a' }, 50)).to.deep.include({ changed: true, removed: 2 });
    expect(t.list()).to.deep.equal([]);
  });

  it("a worker's copy takes the newest snapshot and ignores one that arrives late", () => {
    const v = new OverridesView();
    expect(v.lookup('4000400040004001')).to.equal(undefined);
    expect(v.apply({ seq: 2, version: 5, entries: [entry('4001', 'N')] })).to.equal(true);
    expect(v.lookup('4000400040004001')?.scenario.transStatus).to.equal('N');
    // An RPC reply computed before a push, delivered after it.
    expect(v.apply({ seq: 1, version: 4, entries: [] })).to.equal(false);
    expect(v.lookup('4000400040004001')?.scenario.transStatus).to.equal('N');
    expect(v.apply({ seq: 3, version: 6, entries: [] })).to.equal(true);
    expect(v.lookup('4000400040004001')).to.equal(undefined);
  });

  describe('the embedded JSON file', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'm3ds-overrides-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const logger = createLogger('silent');

    it('persists every change before answering, and a new holder reads it back', async () => {
      const file = path.join(dir, 'sub', 'overrides.json');
      const a = fileOverrides(file, logger);
      expect(await a.load()).to.deep.equal({ version: 0, entries: [] });
      await a.change({ op: 'set', key: '4001', scenario: { transStatus: 'N', reason: '01' }, by: 'qa' }, 100);
      await a.change({ op: 'set', key: '4000400040004002', scenario: { transStatus: 'R' }, by: 'qa' }, 200);
      await a.change({ op: 'delete', key: '4000400040004002', by: 'qa' }, 300);
      expect(JSON.parse(readFileSync(file, 'utf8')).version).to.equal(3);
      const b = fileOverrides(file, logger);
      expect(await b.load()).to.deep.equal({
        version: 3,
        entries: [{ key: '4001', scenario: { transStatus: 'N', reason: '01' }, setBy: 'qa', setAt: 100 }],
      });
    });

    it('skips stored entries that are no longer valid, and changes nothing when the write fails', async () => {
      const file = path.join(dir, 'overrides.json');
      writeFileSync(file, JSON.stringify({ version: 7, entries: [entry('4001', 'N'), entry('x', 'N'), entry('4002', 'nope')] }));
      const a = fileOverrides(file, logger);
      expect((await a.load()).entries.map((e) => e.key)).to.deep.equal(['4001']);
      // The directory becomes a file: the write fails, the change is refused, the table stays.
      rmSync(file);
      const blocked = fileOverrides(path.join(file, 'overrides.json'), logger);
      writeFileSync(file, 'not a directory');
      let failed = false;
      await blocked.change({ op: 'set', key: '4001', scenario: { transStatus: 'Y' }, by: 'qa' }, 1).catch(() => {
        failed = true;
      });
      expect(failed).to.equal(true);
      expect((await blocked.load()).entries).to.deep.equal([]);
    });
  });
});
