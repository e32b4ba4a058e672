import { expect } from 'chai';
import {
  applyAction,
  attemptsLeft,
  MAX_RESENDS,
  MULTI_SELECT_ANSWER,
  openChallenge,
  SINGLE_SELECT_ANSWER,
  type UiKind,
  uiSpec,
} from '../../../src/protocol/transaction/challenge-machine.js';

const ctx = { now: 1_000, otp: '1234' };
const open = (ui: UiKind) => openChallenge(ui, { now: 0, maxAttempts: 3, timeoutSeconds: 600 });

describe('protocol/transaction/challenge-machine', () => {
  it('a right code ends Y', () => {
    const r = applyAction(open('text'), { kind: 'submit', value: '1234' }, ctx);
    expect(r.done).to.equal(true);
    expect(r.state.outcome).to.deep.equal({ transStatus: 'Y', cresStatus: 'Y' });
    expect(r.state.interactions).to.equal(1);
  });

  it('wrong codes count down, then end N after maxAttempts', () => {
    let s = open('text');
    for (let i = 1; i < 3; i++) {
      const r = applyAction(s, { kind: 'submit', value: '0000' }, ctx);
      expect(r.done).to.equal(false);
      expect(r.state.notice).to.equal('wrong');
      expect(attemptsLeft(r.state)).to.equal(3 - i);
      s = r.state;
    }
    const last = applyAction(s, { kind: 'submit', value: '0000' }, ctx);
    expect(last.done).to.equal(true);
    expect(last.state.outcome).to.include({ transStatus: 'N', cresStatus: 'N', transStatusReason: '01' });
  });

  it('cancel records U with challengeCancel 01 and a CRes N', () => {
    const r = applyAction(open('text'), { kind: 'cancel' }, ctx);
    expect(r.state.outcome).to.deep.equal({ transStatus: 'U', cresStatus: 'N', challengeCancel: '01' });
  });

  it('resend does not use an attempt and stops after the limit', () => {
    let s = open('text');
    for (let i = 0; i < MAX_RESENDS; i++) {
      const r = applyAction(s, { kind: 'resend' }, ctx);
      expect(r.state.notice).to.equal('resent');
      s = r.state;
    }
    const over = applyAction(s, { kind: 'resend' }, ctx);
    expect(over.state.notice).to.equal('resend-limit');
    expect(over.state.resends).to.equal(MAX_RESENDS);
    expect(attemptsLeft(over.state)).to.equal(3);
  });

  it('a challenge past its deadline ends N with reason 14 whatever the input', () => {
    const r = applyAction(open('text'), { kind: 'submit', value: '1234' }, { now: 600_000, otp: '1234' });
    expect(r.done).to.equal(true);
    expect(r.state.outcome).to.include({ transStatus: 'N', transStatusReason: '14' });
  });

  it('select UIs accept only the right option(s)', () => {
    expect(applyAction(open('single-select'), { kind: 'submit', value: SINGLE_SELECT_ANSWER }, ctx).state.outcome?.transStatus).to.equal(
      'Y',
    );
    expect(applyAction(open('single-select'), { kind: 'submit', value: '01' }, ctx).done).to.equal(false);
    expect(
      applyAction(open('multi-select'), { kind: 'submit', value: [...MULTI_SELECT_ANSWER].reverse() }, ctx).state.outcome?.transStatus,
    ).to.equal('Y');
    expect(
      applyAction(open('multi-select'), { kind: 'submit', value: MULTI_SELECT_ANSWER.join(',') }, ctx).state.outcome?.transStatus,
    ).to.equal('Y');
    expect(applyAction(open('multi-select'), { kind: 'submit', value: ['01'] }, ctx).done).to.equal(false);
    expect(applyAction(open('multi-select'), { kind: 'submit', value: ['01', '03', '04'] }, ctx).done).to.equal(false);
  });

  it('OOB completes on continue; the HTML UI takes the code', () => {
    expect(applyAction(open('oob'), { kind: 'oob-continue' }, ctx).state.outcome?.transStatus).to.equal('Y');
    expect(applyAction(open('html'), { kind: 'submit', value: '1234' }, ctx).state.outcome?.transStatus).to.equal('Y');
    expect(applyAction(open('html'), { kind: 'oob-continue' }, ctx).done).to.equal(false);
  });

  it('a finished challenge does not change', () => {
    const done = applyAction(open('text'), { kind: 'cancel' }, ctx).state;
    const again = applyAction(done, { kind: 'submit', value: '1234' }, ctx);
    expect(again.done).to.equal(false);
    expect(again.state).to.equal(done);
  });

  it('has a UI spec with EMV codes for every kind', () => {
    expect((['text', 'single-select', 'multi-select', 'oob', 'html'] as UiKind[]).map((k) => uiSpec(k).acsUiType)).to.deep.equal([
      '01',
      '02',
      '03',
      '04',
      '05',
    ]);
    expect(uiSpec('text').submitLabel).to.equal('SUBMIT');
  });
});
