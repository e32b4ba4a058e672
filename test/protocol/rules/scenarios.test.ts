import { expect } from 'chai';
import { AppError } from '../../../src/errors.js';
import {
  buildScenarioTable,
  challengePreference,
  type DecisionInput,
  decide,
  selectScenario,
} from '../../../src/protocol/rules/scenarios.js';
import { expectThrow } from '../../helpers/expect-error.js';
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
    expect(r('4006')).to.include({ transStatus: 'C', challenge: 'text', decoupled: false });
    expect(base('4000400040004006', { decReqInd: 'Y' })).to.include({ transStatus: 'D', decoupled: true });
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

  it('D only when the AReq asks for decoupled: Y, or B in 2.3.1 (Table A.17 footnote 10)', () => {
    const d = (over: Partial<DecisionInput>) => base('4000400040004006', over);
    expect(d({ decReqInd: 'Y' })).to.include({ transStatus: 'D', decoupled: true });
    expect(d({ decReqInd: 'Y', messageVersion: '2.3.1' })).to.include({ transStatus: 'D' });
    expect(d({ decReqInd: 'B', messageVersion: '2.3.1' })).to.include({ transStatus: 'D' });
    // Without the request (N, absent, B before 2.3.1, F which is a fallback only): a code challenge.
    for (const over of [{}, { decReqInd: 'N' }, { decReqInd: 'B' }, { decReqInd: 'F', messageVersion: '2.3.1' }]) {
      expect(d(over), JSON.stringify(over)).to.include({ transStatus: 'C', challenge: 'text', decoupled: false });
    }
    // A scenario configured with transStatus D alone follows the same rule.
    expect(base('4000400040004000', { scenario: { transStatus: 'D' } })).to.include({ transStatus: 'C', challenge: 'text' });
    expect(base('4000400040004000', { scenario: { transStatus: 'D' }, decReqInd: 'Y' })).to.include({ transStatus: 'D' });
    // 2.1.0 has no decoupled authentication: C even when asked, and then the requestor's 05 still applies.
    expect(d({ decReqInd: 'Y', messageVersion: '2.1.0' })).to.include({ transStatus: 'C', challenge: 'text' });
    expect(d({ decReqInd: 'Y', messageVersion: '2.1.0', preference: challengePreference(['05']) }).transStatus).to.equal('Y');
  });

  it('never C for indicator 06 (data share only) nor for 3RI; I only for 05, 06, 07 (Table A.17)', () => {
    const ind06 = challengePreference(['06']);
    for (const last4 of ['4001', '4008', '4010', '4011', '4014']) {
      expect(base(`400040004000${last4}`, { preference: ind06 }).transStatus, last4).to.equal('I');
      expect(base(`400040004000${last4}`, { preference: ind06, messageVersion: '2.1.0' }).transStatus, last4).to.equal('Y');
    }
    // 06 wins even over a mandate sent with it (conflicting preferences).
    expect(base('4000400040004000', { preference: challengePreference(['04', '06']) }).transStatus).to.not.equal('C');
    expect(base('4000400040004006', { preference: ind06 }).transStatus).to.equal('I');
    for (const last4 of ['4001', '4006', '4008', '4014']) {
      expect(base(`400040004000${last4}`, { flow: '3ri' }), last4).to.include({ transStatus: 'U', transStatusReason: '21' });
    }
    // A scenario configured as I answers Y to a requestor that did not ask for an exemption.
    const scenario = { transStatus: 'I' };
    expect(base('4000400040004000', { scenario }).transStatus).to.equal('Y');
    expect(base('4000400040004000', { scenario, preference: challengePreference(['07']) }).transStatus).to.equal('I');
  });

  it('reasons a version lacks are mapped: 4004 (reason 22) is U 07 in 2.1.0; N, U, R always have one', () => {
    expect(base('4000400040004004', { messageVersion: '2.1.0' })).to.include({ transStatus: 'U', transStatusReason: '07' });
    expect(base('4000400040004004', { messageVersion: '2.3.1' })).to.include({ transStatus: 'U', transStatusReason: '22' });
    expect(base('4000400040004000', { scenario: { transStatus: 'R' } })).to.include({ transStatusReason: '11' });
    expect(base('4000400040004000', { scenario: { transStatus: 'N', reason: '29' } })).to.include({ transStatusReason: '26' });
    expect(base('4000400040004000', { scenario: { transStatus: 'Y', reason: '01' } })).to.not.have.property('transStatusReason');
  });

  describe('selecting a scenario without changing the card (SPEC §4)', () => {
    const ids = { threeDSServerTransID: '00000000-0000-4000-8000-000000000001' };
    const header = (value: string) => ({ value, field: 'X-Mock-Scenario' });
    const extension = (value: string) => ({ value, field: 'messageExtension[0].data.scenario' });

    it('every default scenario has a readable name, and a name or a code selects it', () => {
      const names = table.names;
      for (const n of ['frictionless', 'challenge-otp', 'not-authenticated', 'rejected', 'unavailable', 'attempt', 'decoupled'])
        expect(names).to.include(n);
      expect(names).to.include.members(['no-acs-url', 'no-ds-trans-id', 'wrong-sdk-trans-id', 'acs-erro', 'acs-no-answer']);
      for (const [key, s] of Object.entries(testConfig().protocol.scenarios)) {
        expect(s.name, `scenario ${key} has no name`).to.be.a('string');
        expect(table.select(s.name as string)?.key).to.equal(key);
        if (key.length === 4) expect(table.select(key)?.key).to.equal(key);
      }
      expect(table.select(' Challenge-OTP ')?.key).to.equal('4001');
      expect(table.select('default')?.key).to.equal('default');
      expect(table.select('nonsense')).to.equal(undefined);
      expect(table.select('9999')).to.equal(undefined);
    });

    it('full-PAN entries are selected by their card only, never by a selector', () => {
      const t = buildScenarioTable({ '4111111111114001': { name: 'vip', transStatus: 'N' }, '4002': { transStatus: 'N' } });
      expect(t.select('4111111111114001')).to.equal(undefined);
      expect(t.select('vip')).to.equal(undefined);
      expect(t.names).to.deep.equal([]);
      expect(t.lookup('4111111111114001').scenario.transStatus).to.equal('N');
    });

    it('precedence: header > extension > full PAN > last 4', () => {
      const t = buildScenarioTable({
        '4001': { name: 'challenge-otp', transStatus: 'C', challenge: 'text' },
        '4002': { name: 'not-authenticated', transStatus: 'N' },
        '4003': { name: 'rejected', transStatus: 'R' },
        '4111111111114001': { transStatus: 'A' },
      });
      const pan = '4111111111114001';
      expect(selectScenario(t, pan, { header: header('4003'), extension: extension('4002') }, ids)).to.include({
        key: '4003',
        source: 'header',
      });
      expect(selectScenario(t, pan, { extension: extension('not-authenticated') }, ids)).to.include({ key: '4002', source: 'extension' });
      expect(selectScenario(t, pan, {}, ids)).to.include({ source: 'card' });
      expect(selectScenario(t, pan, {}, ids).scenario.transStatus).to.equal('A');
      expect(selectScenario(t, '4000000000004001', {}, ids)).to.include({ key: '4001', source: 'card' });
    });

    it('a selector that names no scenario is Erro 203 naming its element, even when another selector is fine', () => {
      const e = expectThrow(() => selectScenario(table, '4000400040004000', { header: header('nope') }, ids), AppError, 'X-Mock-Scenario');
      expect(e.kind).to.equal('INVALID_FORMAT');
      expect(e.spec.emvCode).to.equal('203');
      expect(e.detail).to.contain('"nope"').and.contain('challenge-otp');
      expect(e.ids).to.deep.equal(ids);
      const x = expectThrow(
        () => selectScenario(table, '4000400040004000', { extension: extension('4999') }, ids),
        AppError,
        'messageExtension[0].data.scenario',
      );
      expect(x.spec.emvCode).to.equal('203');
      expectThrow(() => selectScenario(table, '4000400040004000', { header: header('bad'), extension: extension('4001') }, ids), AppError);
    });
  });

  describe('broken-response cards (SPEC §4)', () => {
    it('4015–4019 decide their break where it exists, and only there', () => {
      const r = (last4: string, over: Partial<DecisionInput> = {}) => base(`400040004000${last4}`, over);
      expect(r('4015')).to.include({ transStatus: 'C', broken: 'no-acs-url' });
      expect(r('4015', { flow: 'app' })).to.include({ transStatus: 'C', broken: 'no-acs-url' });
      expect(r('4016')).to.include({ transStatus: 'Y', broken: 'no-ds-trans-id' });
      expect(r('4016', { flow: '3ri' })).to.include({ transStatus: 'Y', broken: 'no-ds-trans-id' });
      expect(r('4017', { flow: 'app' })).to.include({ transStatus: 'C', broken: 'sdk-trans-id-mismatch' });
      expect(r('4018')).to.include({ kind: 'ds-error' });
      expect(r('4018').dsError).to.include({ errorCode: '405', errorComponent: 'A' });
      expect(r('4019')).to.include({ transStatus: 'C', broken: 'acs-no-answer' });
      // No challenge, no challenge break: 3RI (U 21), a requestor that asked for none (05).
      for (const last4 of ['4015', '4019']) {
        expect(r(last4, { flow: '3ri' })).to.not.have.property('broken');
        expect(r(last4, { preference: challengePreference(['05']) })).to.not.have.property('broken');
      }
      // Browsers and 3RI have no sdkTransID to break.
      expect(r('4017')).to.not.have.property('broken');
      expect(r('4000')).to.not.have.property('broken');
    });
  });

  it('maps D and I for 2.1.0 and never challenges 3RI', () => {
    expect(base('4000400040004006', { messageVersion: '2.1.0' })).to.include({ transStatus: 'C', challenge: 'text', decoupled: false });
    expect(base('4000400040004007', { messageVersion: '2.1.0', preference: challengePreference(['05']) }).transStatus).to.equal('Y');
    expect(base('4000400040004001', { flow: '3ri' })).to.include({ transStatus: 'U', transStatusReason: '21' });
  });
});
