import { expect } from 'chai';
import { buildScenarioTable, challengePreference, type DecisionInput, decide } from '../../../src/protocol/rules/scenarios.js';
import { testConfig } from '../helpers.js';

const table = buildScenarioTable(testConfig().protocol.scenarios);
const base = (pan: string, over: Partial<DecisionInput> = {}) =>
  decide({
    scenario: table.lookup(pan).scenario,
    preference: challengePreference(['01']),
    flow: 'browser',
    messageVersion: '2.2.0',
    threeDSCompInd: 'N',
    methodSeen: false,
    slowResponseMs: 300,
    ...over,
  });

describe('protocol/rules/scenarios', () => {
  it('looks up full PAN, then last 4, then default', () => {
    const t = buildScenarioTable({
      '4001': { transStatus: 'C', challenge: 'text' },
      '4111111111114001': { transStatus: 'N' },
      default: { transStatus: 'A' },
    });
    expect(t.lookup('4111111111114001').scenario.transStatus).to.equal('N');
    expect(t.lookup('4111111111114001').key).to.not.contain('4111111111114001');
    expect(t.lookup('4000000000004001').scenario.transStatus).to.equal('C');
    expect(t.lookup('4000000000009999').scenario.transStatus).to.equal('A');
    expect(buildScenarioTable({}).lookup('4000000000009999').scenario.transStatus).to.equal('Y');
  });

  it('decides the default table', () => {
    const r = (last4: string) => base(`400040004000${last4}`);
    expect(r('4000')).to.include({ transStatus: 'Y', kind: 'ares' });
    expect(r('4001')).to.include({ transStatus: 'C', challenge: 'text' });
    expect(r('4002')).to.include({ transStatus: 'N', transStatusReason: '01' });
    expect(r('4003')).to.include({ transStatus: 'R', transStatusReason: '11' });
    expect(r('4004')).to.include({ transStatus: 'U', transStatusReason: '22' });
    expect(r('4005')).to.include({ transStatus: 'A' });
    expect(r('4006')).to.include({ transStatus: 'D', decoupled: true });
    expect(r('4007')).to.include({ transStatus: 'Y' });
    expect(r('4008')).to.include({ transStatus: 'C', challenge: 'single-select' });
    expect(r('4009')).to.include({ transStatus: 'C', challenge: 'multi-select' });
    expect(r('4010')).to.include({ transStatus: 'C', challenge: 'oob' });
    expect(r('4011')).to.include({ transStatus: 'C', challenge: 'html' });
    expect(r('4012')).to.include({ kind: 'ds-error' });
    expect(r('4012').dsError).to.include({ errorCode: '405', errorComponent: 'D' });
    expect(r('4013')).to.include({ transStatus: 'Y', delayMs: 300 });
    expect(r('4014')).to.include({ transStatus: 'C', challenge: 'text' });
    expect(r('9999')).to.include({ transStatus: 'Y', acsOperatorID: 'MOCK_ACS', acsReferenceNumber: 'issuer1' });
  });

  it('4007 gives I for indicators 05, 06, 07', () => {
    for (const ind of ['05', '06', '07'])
      expect(base('4000400040004007', { preference: challengePreference([ind]) }).transStatus).to.equal('I');
    expect(base('4000400040004007', { preference: challengePreference(['02', '06']) }).transStatus).to.equal('I');
  });

  it('04 forces a challenge on frictionless cards, 05 skips one and switches the ACS', () => {
    expect(base('4000400040004000', { preference: challengePreference(['04']) })).to.include({ transStatus: 'C', challenge: 'text' });
    expect(base('4000400040004002', { preference: challengePreference(['04']) })).to.include({ transStatus: 'N' });
    const skipped = base('4000400040004001', { preference: challengePreference(['05']) });
    expect(skipped).to.include({ transStatus: 'Y', acsOperatorID: 'MOCK_ACS_NEW', acsReferenceNumber: 'issuer2' });
    expect(skipped.challenge).to.equal(undefined);
  });

  it('4014 is Y only when the 3DS Method ran and threeDSCompInd is Y', () => {
    expect(base('4000400040004014', { threeDSCompInd: 'Y', methodSeen: true }).transStatus).to.equal('Y');
    expect(base('4000400040004014', { threeDSCompInd: 'Y', methodSeen: false }).transStatus).to.equal('C');
    expect(base('4000400040004014', { threeDSCompInd: 'N', methodSeen: true }).transStatus).to.equal('C');
  });

  it('maps D and I for 2.1.0 and never challenges 3RI', () => {
    expect(base('4000400040004006', { messageVersion: '2.1.0' })).to.include({ transStatus: 'C', challenge: 'text', decoupled: false });
    expect(base('4000400040004007', { messageVersion: '2.1.0', preference: challengePreference(['05']) }).transStatus).to.equal('Y');
    expect(base('4000400040004001', { flow: '3ri' })).to.include({ transStatus: 'U', transStatusReason: '21' });
  });
});
