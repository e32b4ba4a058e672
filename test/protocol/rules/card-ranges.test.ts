import { expect } from 'chai';
import { buildRangeTable } from '../../../src/protocol/rules/card-ranges.js';
import { testConfig } from '../helpers.js';

describe('protocol/rules/card-ranges', () => {
  const table = buildRangeTable(testConfig().protocol.ranges);

  it('finds the scheme of every default range', () => {
    const cases: [string, string][] = [
      ['4000400040004001', 'visa'],
      ['5200000000004001', 'mastercard'],
      ['2221000000000009', 'mastercard'],
      ['341111111111111', 'amex'],
      ['371449635398431', 'amex'],
      ['6011000990139424', 'discover'],
      ['6500000000000002', 'discover'],
      ['3530111333300000', 'jcb'],
      ['6200000000000005', 'unionpay'],
    ];
    for (const [pan, scheme] of cases) expect(table.lookup(pan)?.scheme, pan).to.equal(scheme);
  });

  it('gives the 2.2.0-only Mastercard range precedence inside the big one', () => {
    const special = table.lookup('5155010000004001');
    expect(special?.startVersion).to.equal('2.2.0');
    expect(special?.endVersion).to.equal('2.2.0');
    expect(special?.out.startRange).to.equal('5155010000000000');
    expect(special?.out.endRange).to.equal('5155019999999999');
    const below = table.lookup('5155009999999999');
    expect(below?.endVersion).to.equal('2.3.1');
    expect(below?.out.endRange).to.equal('5155009999999999');
    const above = table.lookup('5155020000000000');
    expect(above?.out.startRange).to.equal('5155020000000000');
    expect(above?.out.endRange).to.equal('5599999999999999');
  });

  it('returns undefined outside every range and at the exact edges inside', () => {
    expect(table.lookup('1234567890123')).to.equal(undefined);
    expect(table.lookup('3999999999999999')).to.equal(undefined);
    expect(table.lookup('4000000000000000')?.scheme).to.equal('visa');
    expect(table.lookup('4999999999999999')?.scheme).to.equal('visa');
    expect(table.lookup('5000000000000000')).to.equal(undefined);
  });

  it('matches PANs longer than the range (19 digits) by their leading digits', () => {
    expect(table.lookup('4000400040004001123')?.scheme).to.equal('visa');
  });

  it('resolves equal-priority overlaps to the range listed first, and merges back after a hole', () => {
    const t = buildRangeTable([
      { scheme: 'a', start: '1000000000000000', end: '1999999999999999', startVersion: '2.1.0', endVersion: '2.3.1', priority: 0 },
      { scheme: 'b', start: '1500000000000000', end: '2500000000000000', startVersion: '2.1.0', endVersion: '2.3.1', priority: 0 },
      { scheme: 'c', start: '1200000000000000', end: '1299999999999999', startVersion: '2.2.0', endVersion: '2.2.0', priority: 5 },
    ]);
    expect(t.lookup('1600000000000000')?.scheme).to.equal('a');
    expect(t.lookup('2100000000000000')?.scheme).to.equal('b');
    expect(t.lookup('1250000000000000')?.scheme).to.equal('c');
    expect(t.lookup('1100000000000000')?.out.endRange).to.equal('1199999999999999');
    expect(t.lookup('1300000000000000')?.out.startRange).to.equal('1300000000000000');
    expect(t.size).to.equal(4);
  });

  it('is empty for no ranges', () => {
    const t = buildRangeTable([]);
    expect(t.size).to.equal(0);
    expect(t.lookup('4000400040004001')).to.equal(undefined);
  });
});
