import { expect } from 'chai';
import { AppError } from '../../../../src/errors.js';
import { expectRejection } from '../../../helpers/expect-error.js';
import { browserAReq, counterValue, harness, testConfig } from '../../helpers.js';

const noPush = () => testConfig((c) => (c.notifications.enabled = false));

describe('protocol/flows/results: results and final', () => {
  it('final of a frictionless transaction is the ARes outcome, without results parts', async () => {
    const h = harness({ config: noPush() });
    const body = browserAReq('4000400040004000');
    const ares = await h.protocol.authenticate(body, h.ctx);
    const f = await h.protocol.final({ threeDSServerTransID: body.threeDSServerTransID }, h.ctx);
    expect(f).to.deep.equal({
      threeDSServerTransID: body.threeDSServerTransID,
      transStatus: 'Y',
      eci: '05',
      authenticationValue: ares.authenticationValue,
    });
  });

  it('final says "results pending" (409, Erro 305) while a challenge is open, 301 for unknown', async () => {
    const h = harness({ config: noPush() });
    const body = browserAReq('4000400040004001');
    await h.protocol.authenticate(body, h.ctx);
    const e = await expectRejection(h.protocol.final({ threeDSServerTransID: body.threeDSServerTransID }, h.ctx), AppError);
    expect(e.kind).to.equal('RESULTS_PENDING');
    expect(e.spec.status).to.equal(409);
    const unknown = await expectRejection(
      h.protocol.final({ threeDSServerTransID: '8a880dc0-d2d2-4067-bcb1-b08d1690b26e' }, h.ctx),
      AppError,
    );
    expect(unknown.spec.emvCode).to.equal('301');
    expect(unknown.spec.status).to.equal(404);
    expect((await expectRejection(h.protocol.final({}, h.ctx), AppError)).spec.emvCode).to.equal('201');
  });

  it('records a client RReq, answers the RRes, and final returns both', async () => {
    const h = harness({ config: noPush() });
    const body = browserAReq('4000400040004001');
    const ares = (await h.protocol.authenticate(body, h.ctx)).authenticationResponse;
    const rreq = {
      threeDSServerTransID: body.threeDSServerTransID,
      acsTransID: ares.acsTransID,
      dsTransID: ares.dsTransID,
      sdkTransID: null,
      messageType: 'RReq',
      messageVersion: '2.2.0',
      messageCategory: '01',
      transStatus: 'Y',
      eci: '05',
      authenticationValue: 'AAABBEg0VhI0VniQEjRWAAAAAAA=',
      authenticationMethod: '02',
      authenticationType: '02',
      interactionCounter: '01',
      acsRenderingType: { acsInterface: '02', acsUiTemplate: '01' },
    };
    const rres = await h.protocol.results(rreq, h.ctx);
    expect(rres).to.deep.equal({
      messageType: 'RRes',
      messageVersion: '2.2.0',
      threeDSServerTransID: body.threeDSServerTransID,
      acsTransID: ares.acsTransID,
      dsTransID: ares.dsTransID,
      resultsStatus: '01',
    });
    const f = await h.protocol.final({ threeDSServerTransID: body.threeDSServerTransID }, h.ctx);
    expect(f).to.include({ transStatus: 'Y', eci: '05', authenticationValue: 'AAABBEg0VhI0VniQEjRWAAAAAAA=' });
    expect(f.resultsRequest).to.include({ messageType: 'RReq', transStatus: 'Y', interactionCounter: '01' });
    expect(f.resultsResponse).to.deep.equal(rres);
    expect((await h.protocol.load(body.threeDSServerTransID))?.final).to.equal(true);
    // The same results again: acknowledged; different ones: 409.
    expect(await h.protocol.results(rreq, h.ctx)).to.deep.equal(rres);
    const e = await expectRejection(h.protocol.results({ ...rreq, transStatus: 'N' }, h.ctx), AppError);
    expect(e.kind).to.equal('CONFLICTING_REPEAT');
    expect(e.spec.status).to.equal(409);
    expect(await counterValue(h.metrics, 'threeds_transactions_total', { flow: 'browser', trans_status: 'Y' })).to.equal(1);
  });

  it('accepts an RReq shaped for 2.3.1 and keeps it valid for the version it states (SPEC §15)', async () => {
    const h = harness({ config: noPush() });
    const body = browserAReq('4000400040004001', (b) => (b.preferredProtocolVersion = '2.3.1'));
    const ares = (await h.protocol.authenticate(body, h.ctx)).authenticationResponse;
    const rreq = {
      threeDSServerTransID: body.threeDSServerTransID,
      acsTransID: ares.acsTransID,
      dsTransID: ares.dsTransID,
      messageType: 'RReq',
      messageVersion: '2.3.1',
      messageCategory: '01',
      transStatus: 'Y',
      eci: '05',
      authenticationValue: 'AAABBEg0VhI0VniQEjRWAAAAAAA=',
      authenticationMethod: ['02'],
      interactionCounter: '01',
      acsRenderingType: { acsInterface: '02', acsUiTemplate: '01', deviceUserInterfaceMode: '01' },
      cardholderInfo: { text: 'Thank you' },
      messageExtension: [{ name: 'n', id: 'A000000802-001', criticalityIndicator: false, data: {} }],
    };
    const rres = await h.protocol.results(rreq, h.ctx);
    expect(rres).to.include({ messageType: 'RRes', messageVersion: '2.3.1', resultsStatus: '01' });
    const f = await h.protocol.final({ threeDSServerTransID: body.threeDSServerTransID }, h.ctx);
    expect(f.resultsRequest).to.deep.include({ messageVersion: '2.3.1', transStatus: 'Y', authenticationMethod: ['02'] });
    expect(f.resultsRequest).to.not.have.property('authenticationType');
    // A browser RReq carries no acsRenderingType (an app element).
    expect(f.resultsRequest).to.not.have.property('acsRenderingType');
  });

  it('an RReq of 2.2.0 keeps authenticationType; codes a version lacks are mapped; N, U, R get a reason', async () => {
    const h = harness({ config: noPush() });
    const body = browserAReq('4000400040004001');
    const ares = (await h.protocol.authenticate(body, h.ctx)).authenticationResponse;
    const ids = { threeDSServerTransID: body.threeDSServerTransID, acsTransID: ares.acsTransID, dsTransID: ares.dsTransID };
    await h.protocol.results(
      { ...ids, messageVersion: '2.2.0', transStatus: 'U', challengeCancel: '09', authenticationMethod: ['02'] },
      h.ctx,
    );
    const f = await h.protocol.final({ threeDSServerTransID: body.threeDSServerTransID }, h.ctx);
    expect(f.resultsRequest).to.include({ transStatus: 'U', transStatusReason: '22', challengeCancel: '06' });
    expect(f.resultsRequest).to.not.have.any.keys('authenticationMethod', 'authenticationType');
  });

  it('refuses an RReq with an unknown messageCategory (203), version (102) or a critical extension (202)', async () => {
    const h = harness({ config: noPush() });
    const body = browserAReq('4000400040004001');
    const ares = (await h.protocol.authenticate(body, h.ctx)).authenticationResponse;
    const ok = {
      threeDSServerTransID: body.threeDSServerTransID,
      acsTransID: ares.acsTransID,
      dsTransID: ares.dsTransID,
      transStatus: 'Y',
    };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ messageCategory: '09' }, '203', 'messageCategory'],
      [{ messageVersion: '2.9.9' }, '102', 'messageVersion'],
      [{ messageVersion: 'two' }, '203', 'messageVersion'],
      [{ authenticationMethod: [] }, '203', 'authenticationMethod'],
      [{ acsRenderingType: { acsInterface: '03', acsUiTemplate: '01' } }, '203', 'acsInterface'],
      [{ messageExtension: [{ name: 'n', id: 'ID9', criticalityIndicator: true, data: {} }] }, '202', 'ID9'],
      // 11 entries: within 2.3.1's 15, over 2.2.0's 10 (found in review).
      [
        {
          messageVersion: '2.2.0',
          messageExtension: Array.from({ length: 11 }, (_, i) => ({ name: 'n', id: `ID${i}`, criticalityIndicator: false, data: {} })),
        },
        '203',
        'messageExtension',
      ],
    ];
    for (const [edit, code, detail] of cases) {
      const e = await expectRejection(h.protocol.results({ ...ok, ...edit }, h.ctx), AppError);
      expect(e.spec.emvCode, detail).to.equal(code);
      expect(e.detail.startsWith(detail), e.detail).to.equal(true);
    }
  });

  it('checks the IDs of an RReq against the transaction', async () => {
    const h = harness({ config: noPush() });
    const body = browserAReq('4000400040004001');
    const ares = (await h.protocol.authenticate(body, h.ctx)).authenticationResponse;
    const ok = {
      threeDSServerTransID: body.threeDSServerTransID,
      acsTransID: ares.acsTransID,
      dsTransID: ares.dsTransID,
      transStatus: 'Y',
    };
    const wrongAcs = await expectRejection(
      h.protocol.results({ ...ok, acsTransID: '8a880dc0-d2d2-4067-bcb1-b08d1690b26e' }, h.ctx),
      AppError,
    );
    expect(wrongAcs.spec.emvCode).to.equal('305');
    expect(wrongAcs.detail).to.contain('acsTransID');
    expect((await expectRejection(h.protocol.results({ ...ok, dsTransID: undefined }, h.ctx), AppError)).spec.emvCode).to.equal('201');
    expect((await expectRejection(h.protocol.results({ ...ok, transStatus: 'Q' }, h.ctx), AppError)).detail).to.contain('transStatus');
    expect((await expectRejection(h.protocol.results({ ...ok, messageType: 'ARes' }, h.ctx), AppError)).spec.emvCode).to.equal('101');
    expect(
      (await expectRejection(h.protocol.results({ ...ok, threeDSServerTransID: '8a880dc0-d2d2-4067-bcb1-b08d1690b26e' }, h.ctx), AppError))
        .spec.emvCode,
    ).to.equal('301');
    expect(
      (await expectRejection(h.protocol.results({ ...ok, sdkTransID: '8a880dc0-d2d2-4067-bcb1-b08d1690b26e' }, h.ctx), AppError)).detail,
    ).to.contain('sdkTransID');
  });

  it('acknowledges an RReq that agrees with a frictionless outcome and refuses one that does not', async () => {
    const h = harness({ config: noPush() });
    const body = browserAReq('4000400040004002');
    const ares = (await h.protocol.authenticate(body, h.ctx)).authenticationResponse;
    const ok = { threeDSServerTransID: body.threeDSServerTransID, acsTransID: ares.acsTransID, dsTransID: ares.dsTransID };
    expect((await h.protocol.results({ ...ok, transStatus: 'N' }, h.ctx)).resultsStatus).to.equal('01');
    expect((await expectRejection(h.protocol.results({ ...ok, transStatus: 'Y' }, h.ctx), AppError)).spec.status).to.equal(409);
  });

  it('4006 (threeDSRequestorDecReqInd Y): decoupled results Y are materialized by the first read after the due time', async () => {
    const h = harness({
      config: testConfig((c) => {
        c.notifications.enabled = false;
        c.protocol.decoupledDelayMs = 60_000;
      }),
    });
    const body = browserAReq('4000400040004006', (b) => (b.threeDSRequestor.threeDSRequestorDecReqInd = 'Y'));
    const r = await h.protocol.authenticate(body, h.ctx);
    expect(r.authenticationResponse).to.include({ transStatus: 'D', acsDecConInd: 'Y', authenticationType: '04' });
    const id = body.threeDSServerTransID;
    expect((await expectRejection(h.protocol.final({ threeDSServerTransID: id }, h.ctx), AppError)).kind).to.equal('RESULTS_PENDING');
    h.clock.now += 60_000;
    const f = await h.protocol.final({ threeDSServerTransID: id }, h.ctx);
    expect(f).to.include({ transStatus: 'Y', eci: '05' });
    expect(f.authenticationValue).to.have.length(28);
    expect(f.resultsRequest).to.include({ authenticationType: '04', transStatus: 'Y' });
    expect(await counterValue(h.metrics, 'threeds_transactions_total', { flow: 'browser', trans_status: 'Y' })).to.equal(1);
    await h.protocol.close();
  });

  it('a challenge left open past its deadline ends N with reason 14', async () => {
    const h = harness({ config: noPush() });
    const body = browserAReq('5200000000004001');
    await h.protocol.authenticate(body, h.ctx);
    h.clock.now += 600_000;
    const f = await h.protocol.final({ threeDSServerTransID: body.threeDSServerTransID }, h.ctx);
    expect(f).to.include({ transStatus: 'N', eci: '00' });
    expect(f.resultsRequest).to.include({ transStatusReason: '14' });
    expect(f).to.not.have.property('authenticationValue');
    expect(f.resultsRequest).to.include({ challengeCancel: '05' });
  });
});
