// What the flows write into a transaction's trail and index (SPEC §17), through the real recorder into an
// in-process inspection store: the AReq as received (masked, no CVC), ARes, CReq, the cardholder's steps,
// the final CRes, RReq and RRes, every results-push attempt; and that none of it costs a store round trip.
import { expect } from 'chai';
import type { Protocol } from '../../../src/protocol/protocol.js';
import { withheldEntry } from '../../../src/protocol/transaction/trail-notes.js';
import { localInspection } from '../../../src/store/inspection/embedded-inspection.js';
import { InspectionCore } from '../../../src/store/inspection/inspection-core.js';
import { type InspectionStore, inspectionBounds } from '../../../src/store/inspection/inspection-types.js';
import { decodeEntry } from '../../../src/store/inspection/trail-entry.js';
import { createTrailRecorder } from '../../../src/store/inspection/trail-recorder.js';
import { appAReq, browserAReq, type Harness, harness, testConfig } from '../helpers.js';
import { startReceiver } from '../receiver.js';

function withTrail(edit?: Parameters<typeof testConfig>[0]): { h: Harness; inspection: InspectionStore } {
  const config = testConfig(edit);
  // The index ages entries by the protocol's clock, which these tests set.
  let clock = { now: Date.now() };
  const inspection = localInspection(new InspectionCore(inspectionBounds(config), () => clock.now));
  const h = harness({ config, extra: { trail: createTrailRecorder({ config: () => config, store: inspection }) } });
  clock = h.clock;
  return { h, inspection };
}

async function trailOf(inspection: InspectionStore, id: string) {
  const d = await inspection.detail(id);
  return (d.trail?.entries ?? []).map(decodeEntry) as { kind: string; note?: string; message: Record<string, unknown> }[];
}

async function challengeTo(protocol: Protocol, ctx: { baseUrl: string }, body: Record<string, unknown>) {
  const r = await protocol.authenticate(body, ctx);
  await protocol.openChallenge({ creq: r.base64EncodedChallengeRequest, threeDSSessionData: 'order-42' }, ctx);
  return r;
}

describe('protocol: the message trail (SPEC §17)', () => {
  it('records a browser challenge from AReq to RRes, in order, and indexes the transaction', async () => {
    const { h, inspection } = withTrail((c) => {
      c.notifications.enabled = false;
    });
    const body = browserAReq('4000400040004001');
    const id = body.threeDSServerTransID as string;
    await challengeTo(h.protocol, h.ctx, body);
    await h.protocol.submitChallenge({ threeDSServerTransID: id, value: '0000' }, h.ctx);
    await h.protocol.submitChallenge({ threeDSServerTransID: id, value: '1234' }, h.ctx);
    const trail = await trailOf(inspection, id);
    expect(trail.map((e) => e.kind)).to.deep.equal(['AReq', 'ARes', 'CReq', 'challenge', 'RReq', 'RRes', 'push', 'challenge', 'CRes']);
    const areq = trail[0]?.message as { cardholderAccount: Record<string, unknown> };
    expect(areq.cardholderAccount.acctNumber).to.equal('400040******4001');
    expect(areq.cardholderAccount).to.not.have.property('cardSecurityCode');
    expect(JSON.stringify(trail)).to.not.contain('4000400040004001').and.not.contain('"1234"');
    expect(trail[1]?.message).to.include({ messageType: 'ARes', transStatus: 'C' });
    expect(trail[3]?.message).to.deep.equal({ action: 'submit', result: { status: 'open', failures: 1, resends: 0, notice: 'wrong' } });
    expect(trail[4]?.note).to.equal('sent by the ACS');
    // Pushing is switched off here: the trail says so rather than staying silent.
    expect(trail[6]?.message).to.include({ outcome: 'disabled' });
    expect(trail[8]?.message).to.include({ messageType: 'CRes', transStatus: 'Y', challengeCompletionInd: 'Y' });
    const { summary } = await inspection.detail(id);
    expect(summary).to.include({ last4: '4001', status: 'Y', stage: 'completed', flow: 'browser', api: 'mock', scenario: '4001' });
    expect(summary?.maskedPan).to.equal('400040******4001');
  });

  it('records a frictionless and a Directory Server error answer, with the API shape', async () => {
    const { h, inspection } = withTrail();
    const y = browserAReq('4000400040004000');
    await h.protocol.netcetera.authentication(y, { ...h.ctx, api: 'netcetera' });
    const e = browserAReq('4000400040004012');
    await h.protocol.authenticate(e, h.ctx).catch(() => undefined);
    expect((await trailOf(inspection, y.threeDSServerTransID)).map((x) => x.kind)).to.deep.equal(['AReq', 'ARes']);
    const erro = await trailOf(inspection, e.threeDSServerTransID);
    expect(erro.map((x) => x.kind)).to.deep.equal(['AReq', 'Erro']);
    expect(erro[1]?.message).to.include({ errorCode: '405', errorComponent: 'D' });
    const page = await inspection.list({ limit: 10 });
    expect(page.items.map((s) => [s.last4, s.status, s.api])).to.have.deep.members([
      ['4000', 'Y', 'netcetera'],
      ['4012', 'E', 'mock'],
    ]);
  });

  it('records every results-push attempt with its outcome', async () => {
    const receiver = await startReceiver([503, 200]);
    try {
      const { h, inspection } = withTrail((c) => {
        c.notifications.backoffMs = 5;
      });
      const body = browserAReq('4000400040004001', (b) => {
        b.merchant.resultsResponseNotificationUrl = receiver.url('/results');
      });
      await challengeTo(h.protocol, h.ctx, body);
      await h.protocol.submitChallenge({ threeDSServerTransID: body.threeDSServerTransID, value: '1234' }, h.ctx);
      await h.protocol.idle();
      const pushes = (await trailOf(inspection, body.threeDSServerTransID)).filter((x) => x.kind === 'push');
      expect(pushes.map((p) => [p.message.attempt, p.message.outcome])).to.deep.equal([
        [1, 'retry'],
        [2, 'success'],
      ]);
      expect(pushes[0]?.message.reason).to.equal('HTTP 503');
    } finally {
      await receiver.close();
    }
  });

  it('records nothing, and costs no store round trip, when inspection is switched off or on', async () => {
    const off = withTrail((c) => {
      c.inspection.enabled = false;
    });
    const body = browserAReq('4000400040004000');
    await off.h.protocol.authenticate(body, off.h.ctx);
    expect((await off.inspection.list({ limit: 10 })).items).to.deep.equal([]);
    const on = withTrail();
    await on.h.protocol.authenticate(browserAReq('4000400040004000'), on.h.ctx);
    // The same store traffic either way: the trail travels outside the record.
    expect([on.h.store.reads, on.h.store.writes]).to.deep.equal([off.h.store.reads, off.h.store.writes]);
  });

  it('withholds what the cardholder typed in a CReq', () => {
    expect(
      withheldEntry({ messageType: 'CReq', challengeDataEntry: '1234', challengeHTMLDataEntry: 'otp=1234', sdkCounterStoA: '001' }),
    ).to.deep.equal({
      messageType: 'CReq',
      challengeDataEntry: '(withheld)',
      challengeHTMLDataEntry: '(withheld)',
      sdkCounterStoA: '001',
    });
  });

  it('indexes an app authentication as flow app', async () => {
    const { h, inspection } = withTrail();
    const body = appAReq('4000400040004000');
    await h.protocol.authenticate(body, h.ctx);
    const trail = await trailOf(inspection, body.threeDSServerTransID);
    expect(trail.map((x) => x.kind)).to.deep.equal(['AReq', 'ARes']);
    expect((await inspection.detail(body.threeDSServerTransID)).summary?.flow).to.equal('app');
  });
});
