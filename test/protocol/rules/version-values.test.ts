import { expect } from 'chai';
import {
  atLeast,
  mapValue,
  maxMessageExtensions,
  methodOfType,
  needsReason,
  PROFILES,
  profileOf,
  typeOfMethod,
  VALUE_RULES,
} from '../../../src/protocol/rules/version-values.js';

describe('protocol/rules/version-values: the values each version defines (SPEC §15)', () => {
  it('follows the nearest of the three versions for any messageVersion', () => {
    expect(['2.1.0', '2.2.0', '2.3.1'].map(profileOf)).to.deep.equal(['2.1.0', '2.2.0', '2.3.1']);
    expect(['2.0.0', '2.1.5', '2.2.9', '2.3.0', '2.4.0', '3.0.0'].map(profileOf)).to.deep.equal([
      '2.1.0',
      '2.1.0',
      '2.2.0',
      '2.3.1',
      '2.3.1',
      '2.3.1',
    ]);
    expect(atLeast('2.2.0', '2.2.0')).to.equal(true);
    expect(atLeast('2.1.0', '2.2.0')).to.equal(false);
    expect(atLeast('2.3.1', '2.2.0')).to.equal(true);
  });

  it('2.1.0 lacks D, I and reasons 22–26: each maps to a value 2.1.0 defines', () => {
    expect(mapValue('transStatus', 'D', '2.1.0')).to.equal('C');
    expect(mapValue('transStatus', 'I', '2.1.0')).to.equal('Y');
    expect(['22', '23', '24', '25', '26'].map((r) => mapValue('transStatusReason', r, '2.1.0'))).to.deep.equal([
      '07',
      '07',
      '14',
      '14',
      '01',
    ]);
    for (const r of ['22', '23', '24', '25', '26']) expect(mapValue('transStatusReason', r, '2.2.0')).to.equal(r);
    expect(mapValue('challengeCancel', '03', '2.1.0')).to.equal('04');
    expect(mapValue('challengeCancel', '03', '2.2.0')).to.equal('03');
  });

  it('2.3.1 additions exist only in 2.3.1: reasons 27–30, cancel 08–10, resultsStatus 04, UI 06/07', () => {
    const older = ['2.1.0', '2.2.0'];
    for (const r of ['27', '28', '29', '30']) {
      expect(mapValue('transStatusReason', r, '2.3.1')).to.equal(r);
      for (const v of older) expect(Number(mapValue('transStatusReason', r, v)), `${r} in ${v}`).to.be.at.most(v === '2.1.0' ? 21 : 26);
    }
    // A replacement the older version lacks too is mapped again: 29 → 26 (2.2.0) → 01 (2.1.0).
    expect(mapValue('transStatusReason', '29', '2.2.0')).to.equal('26');
    expect(mapValue('transStatusReason', '29', '2.1.0')).to.equal('01');
    expect(mapValue('transStatusReason', '30', '2.2.0')).to.equal('23');
    expect(mapValue('transStatusReason', '30', '2.1.0')).to.equal('07');
    for (const c of ['08', '09', '10']) {
      expect(mapValue('challengeCancel', c, '2.3.1')).to.equal(c);
      for (const v of older) expect(['04', '06']).to.include(mapValue('challengeCancel', c, v));
    }
    expect(mapValue('resultsStatus', '04', '2.2.0')).to.equal('01');
    expect(mapValue('acsUiType', '06', '2.2.0')).to.equal('05');
    expect(mapValue('acsUiType', '07', '2.1.0')).to.equal('04');
    expect(mapValue('acsUiType', '07', '2.3.1')).to.equal('07');
  });

  it('leaves values every version has, and DS-specific ones (80–99), as they are', () => {
    for (const v of PROFILES) {
      expect(mapValue('transStatusReason', '01', v)).to.equal('01');
      expect(mapValue('transStatusReason', '85', v)).to.equal('85');
      expect(mapValue('challengeCancel', '01', v)).to.equal('01');
      expect(mapValue('transStatus', 'Y', v)).to.equal('Y');
    }
  });

  it('every replacement is defined by the version that gets it', () => {
    for (const [element, rules] of Object.entries(VALUE_RULES) as [
      keyof typeof VALUE_RULES,
      (typeof VALUE_RULES)[keyof typeof VALUE_RULES],
    ][]) {
      const introduced = new Map(rules.map((r) => [r.value, r.since]));
      for (const r of rules) {
        for (const v of PROFILES) {
          const got = mapValue(element, r.value, v);
          const since = introduced.get(got);
          expect(since === undefined || atLeast(v, since), `${element} ${r.value} in ${v} → ${got}`).to.equal(true);
        }
      }
    }
  });

  it('the challenge indicator and the decoupled request map to what older versions have', () => {
    expect(['05', '06', '07', '08', '09'].map((c) => mapValue('threeDSRequestorChallengeInd', c, '2.1.0'))).to.deep.equal([
      '02',
      '02',
      '02',
      '02',
      '03',
    ]);
    expect(['10', '11', '12', '13', '14'].map((c) => mapValue('threeDSRequestorChallengeInd', c, '2.2.0'))).to.deep.equal([
      '02',
      '02',
      '03',
      '03',
      '03',
    ]);
    expect(mapValue('threeDSRequestorDecReqInd', 'B', '2.2.0')).to.equal('Y');
    expect(mapValue('threeDSRequestorDecReqInd', 'F', '2.2.0')).to.equal('N');
    expect(mapValue('threeDSRequestorDecReqInd', 'B', '2.3.1')).to.equal('B');
  });

  it('N, U and R need a reason; authenticationType and authenticationMethod translate', () => {
    expect(['N', 'U', 'R'].every(needsReason)).to.equal(true);
    expect(['Y', 'A', 'C', 'D', 'I'].some(needsReason)).to.equal(false);
    expect(['01', '02', '03', '04'].map(methodOfType)).to.deep.equal(['01', '02', '09', '12']);
    expect(['01', '02', '06', '09', '12'].map(typeOfMethod)).to.deep.equal(['01', '02', '01', '03', '04']);
    expect(mapValue('authenticationType', '04', '2.1.0')).to.equal('03');
  });

  it('messageExtension: 10 entries before 2.3.1, 15 in 2.3.1 (Annex A.12)', () => {
    expect([maxMessageExtensions('2.1.0'), maxMessageExtensions('2.2.0'), maxMessageExtensions('2.3.1')]).to.deep.equal([10, 10, 15]);
  });
});
