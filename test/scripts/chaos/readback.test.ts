// What counts as lost when an acknowledged transaction is read back (scripts/chaos/readback.ts).
import { expect } from 'chai';
import type { Ack } from '../../../scripts/chaos/flows.js';
import { judge } from '../../../scripts/chaos/readback.js';

const ack = (level: Ack['level'], status: string): Ack => ({ id: 'x', card: '4001', inst: 0, level, status, t: 0 });
const pending = { status: 409, errorCode: '305' };

describe('chaos read-back: judging an acknowledged transaction', () => {
  it('an unknown transaction is lost, whatever was acknowledged', () => {
    for (const a of [ack('authenticated', 'Y'), ack('authenticated', 'C'), ack('completed', 'Y')])
      expect(judge(a, { status: 404, errorCode: '301' })).to.equal('lost');
  });

  it('a completed challenge must read as completed with its status: pending or another status is a regression', () => {
    expect(judge(ack('completed', 'Y'), { status: 200, transStatus: 'Y' })).to.equal('ok');
    expect(judge(ack('completed', 'U'), { status: 200, transStatus: 'U' })).to.equal('ok');
    expect(judge(ack('completed', 'Y'), pending)).to.equal('regressed');
    expect(judge(ack('completed', 'Y'), { status: 200, transStatus: 'N' })).to.equal('regressed');
  });

  it('an open challenge may read as pending or completed; a decoupled one as pending or Y', () => {
    expect(judge(ack('authenticated', 'C'), pending)).to.equal('ok');
    expect(judge(ack('authenticated', 'C'), { status: 200, transStatus: 'Y' })).to.equal('ok');
    expect(judge(ack('authenticated', 'D'), pending)).to.equal('ok');
    expect(judge(ack('authenticated', 'D'), { status: 200, transStatus: 'Y' })).to.equal('ok');
    expect(judge(ack('authenticated', 'D'), { status: 200, transStatus: 'N' })).to.equal('regressed');
  });

  it('a frictionless outcome reads back the same; no answer or a 5xx is unreadable, not lost', () => {
    expect(judge(ack('authenticated', 'A'), { status: 200, transStatus: 'A' })).to.equal('ok');
    expect(judge(ack('authenticated', 'A'), pending)).to.equal('regressed');
    expect(judge(ack('authenticated', 'Y'), { status: 0 })).to.equal('unreadable');
    expect(judge(ack('authenticated', 'Y'), { status: 503 })).to.equal('unreadable');
  });
});
