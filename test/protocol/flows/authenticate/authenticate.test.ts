import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { AppError, errorEnvelope } from '../../../../src/errors.js';
import type { AppChallengeHook } from '../../../../src/protocol/app-hook.js';
import type { TransactionRecord } from '../../../../src/protocol/transaction/record.js';
import { expectRejection } from '../../../helpers/expect-error.js';
import { appAReq, type Body, browserAReq, counterValue, harness, testConfig } from '../../helpers.js';

describe('protocol/flows/authenticate', () => {
  it('answers frictionless Y in the existing envelope, with echo, ECI and authentication value', async () => {
    const h = harness();
    const body = browserAReq('4000400040004000');
    const r = await h.protocol.authenticate(body, h.ctx);
    expect(r).to.include({
      threeDSServerTransID: body.threeDSServerTransID,
      transStatus: 'Y',
      acsChallengeMandated: 'N',
      purchaseDate: '20261121093000',
      eci: '05',
    });
    expect(r.authenticationValue).to.have.length(28);
    expect(r.authenticationResponse).to.include({
      messageType: 'ARes',
      messageVersion: '2.2.0',
      transStatus: 'Y',
      eci: '05',
      acsOperatorID: 'MOCK_ACS',
      acsReferenceNumber: 'issuer1',
      dsReferenceNumber: 'MOCK_DS',
    });
    expect(r.authenticationRequest).to.include({
      messageType: 'AReq',
      acctNumber: '4000400040004000',
      purchaseAmount: '4599',
      threeDSServerURL: 'http://acs.test:8080/3ds/results',
    });
    expect(r).to.not.have.property('challengeRequest');
    expect(r).to.not.have.property('acsURL');
    // The CVC as a field or as any value; random IDs and timestamps may contain its digits by chance.
    expect(JSON.stringify(r)).to.not.match(/cardSecurityCode|"737"/);
    const rec = await h.protocol.load(body.threeDSServerTransID);
    expect(rec?.final).to.equal(true);
    expect(rec?.maskedPan).to.equal('400040******4000');
    expect(JSON.stringify(rec)).to.not.contain('4000400040004000');
    expect(JSON.stringify(rec)).to.not.match(/cardSecurityCode|"737"/);
    expect(await counterValue(h.metrics, 'threeds_transactions_total', { flow: 'browser', trans_status: 'Y' })).to.equal(1);
  });

  it('masks acctNumber too when echoFullPan is off', async () => {
    const h = harness({ config: testConfig((c) => (c.protocol.echoFullPan = false)) });
    const r = await h.protocol.authenticate(browserAReq('4000400040004000'), h.ctx);
    expect(r.authenticationRequest.acctNumber).to.equal('400040******4000');
  });

  it('answers a challenge with the CReq, its base64url form and the acsURL', async () => {
    const h = harness();
    const body = browserAReq('4000400040004001');
    const r = await h.protocol.authenticate(body, h.ctx);
    expect(r).to.include({ transStatus: 'C', acsChallengeMandated: 'Y', acsURL: 'http://acs.test:8080/processor/mock/acs/trigger-otp' });
    expect(r).to.not.have.property('eci');
    expect(r.authenticationResponse).to.include({ acsChallengeMandated: 'Y', authenticationType: '02', acsURL: r.acsURL });
    expect(r.challengeRequest).to.include({
      messageType: 'CReq',
      threeDSServerTransID: body.threeDSServerTransID,
      acsTransID: r.authenticationResponse.acsTransID,
      challengeWindowSize: '03',
    });
    expect(r.base64EncodedChallengeRequest).to.match(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(r.base64EncodedChallengeRequest as string, 'base64url').toString())).to.deep.equal(r.challengeRequest);
    const rec = await h.protocol.load(body.threeDSServerTransID);
    expect(rec?.stage).to.equal('challenge');
    expect(rec?.final).to.equal(undefined);
    expect(rec?.challenge).to.include({ ui: 'text', status: 'open', maxAttempts: 3 });
    expect(await h.store.getByAcsTransID(r.authenticationResponse.acsTransID)).to.have.nested.property(
      'value.threeDSServerTransID',
      body.threeDSServerTransID,
    );
  });

  it('answers N, R, U with reasons, A with a value, Mastercard with its ECIs and kA', async () => {
    const h = harness();
    const n = await h.protocol.authenticate(browserAReq('4000400040004002'), h.ctx);
    expect(n.authenticationResponse).to.include({ transStatus: 'N', transStatusReason: '01', eci: '07' });
    expect(n).to.not.have.property('authenticationValue');
    expect((await h.protocol.authenticate(browserAReq('4000400040004003'), h.ctx)).authenticationResponse).to.include({
      transStatus: 'R',
      transStatusReason: '11',
    });
    expect((await h.protocol.authenticate(browserAReq('4000400040004004'), h.ctx)).authenticationResponse).to.include({
      transStatus: 'U',
      transStatusReason: '22',
    });
    const a = await h.protocol.authenticate(browserAReq('4000400040004005'), h.ctx);
    expect(a).to.include({ transStatus: 'A', eci: '06' });
    expect(a.authenticationValue).to.have.length(28);
    const mc = await h.protocol.authenticate(browserAReq('5200000000004000'), h.ctx);
    expect(mc.eci).to.equal('02');
    expect(mc.authenticationValue).to.match(/^kA/);
  });

  it('replays the stored answer to an identical retry and refuses a different body with 409 Erro 305', async () => {
    const h = harness();
    const body = browserAReq('4000400040004001');
    const first = await h.protocol.authenticate(body, h.ctx);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await h.protocol.authenticate(reordered, h.ctx);
    expect(again).to.deep.equal(first);
    const e = await expectRejection(
      h.protocol.authenticate({ ...body, purchase: { ...body.purchase, purchaseAmount: 1 } }, h.ctx),
      AppError,
    );
    expect(e.kind).to.equal('CONFLICTING_REPEAT');
    expect(e.spec.status).to.equal(409);
    expect(e.spec.emvCode).to.equal('305');
  });

  it('replays byte for byte from the compact record: every kind of answer, a later clock, another base URL', async () => {
    // A different signature per call: a replay that re-signed instead of reading the record would differ.
    const hook: AppChallengeHook = { prepare: async () => ({ acsSignedContent: `h.p.${randomUUID()}`, app: {} }) };
    for (const full of [true, false]) {
      const h = harness({ config: testConfig((c) => (c.protocol.echoFullPan = full)), extra: { appChallenge: hook } });
      const bodies = [
        browserAReq('4000400040004000'),
        browserAReq('4000400040004001'),
        browserAReq('4000400040004002'),
        browserAReq('4000400040004006', (b) => (b.threeDSRequestor.threeDSRequestorDecReqInd = 'Y')),
        browserAReq('4000400040004006', (b) => (b.preferredProtocolVersion = '2.1.0')),
        browserAReq('5200000000004000'),
        // No purchaseDate (the answer's is the time of the first answer) and no window size (CReq '05').
        browserAReq('4000400040004001', (b) => {
          delete b.purchase.purchaseDate;
          delete b.browserInformation.challengeWindowSize;
        }),
        appAReq('5200000000004001'),
        appAReq('5200000000004000'),
      ];
      for (const body of bodies) {
        const first = await h.protocol.authenticate(body, h.ctx);
        h.clock.now += 61_000;
        // The store round-trips records through JSON: the replay reads the record as L2 holds it.
        const again = await h.protocol.authenticate(structuredClone(body), { baseUrl: 'http://moved.test:9090' });
        expect(JSON.stringify(again)).to.equal(JSON.stringify(first));
      }
      const app = await h.protocol.load(bodies[7]?.threeDSServerTransID);
      expect(JSON.stringify(app)).to.contain('"acsSignedContent":"h.p.');
    }
  });

  it('keeps the answer out of the record: no echo, no CReq, only the page fields and the facts', async () => {
    const h = harness();
    const body = browserAReq('4000400040004001');
    const r = await h.protocol.authenticate(body, h.ctx);
    const rec = await h.protocol.load(body.threeDSServerTransID);
    const json = JSON.stringify(rec);
    expect(json).to.not.match(/Ada Tester|browserUserAgent|challengeRequest|base64EncodedChallengeRequest|authenticationResponse/);
    expect(rec?.v).to.equal(2);
    expect(rec?.auth?.response).to.deep.equal({
      baseUrl: 'http://acs.test:8080',
      authenticationType: '02',
      authenticationRequest: { merchantName: 'Test Shop', purchaseAmount: '4599', purchaseCurrency: '756', purchaseExponent: '2' },
    });
    // The ACS page still shows the merchant and the amount from it.
    const page = await h.protocol.openChallenge({ creq: r.base64EncodedChallengeRequest, threeDSSessionData: 's' }, h.ctx);
    expect(page.type === 'challenge' && page.view).to.include({ merchantName: 'Test Shop', amount: '45.99 CHF' });
    // And a repeat after the challenge moved on is still the first answer.
    expect(JSON.stringify(await h.protocol.authenticate(body, h.ctx))).to.equal(JSON.stringify(r));
  });

  it('replays a layout 1 record, which holds the whole answer (records written before an upgrade)', async () => {
    const h = harness();
    const body = browserAReq('4000400040004001');
    const first = await h.protocol.authenticate(body, h.ctx);
    const cur = await h.store.get(body.threeDSServerTransID);
    const whole = { ...first, authenticationRequest: { ...first.authenticationRequest, acctNumber: '400040******4001', marker: 'v1' } };
    const v1 = { ...cur?.value, v: 1, auth: { ...cur?.value.auth, response: whole } } as TransactionRecord;
    await h.store.update(body.threeDSServerTransID, cur?.version as number, v1);
    const again = await h.protocol.authenticate(body, h.ctx);
    expect(again).to.deep.equal({ ...whole, authenticationRequest: { ...whole.authenticationRequest, acctNumber: '4000400040004001' } });
  });

  it('concurrent repeats: identical ones all get the one stored answer, a different one gets 409', async () => {
    const h = harness();
    const body = browserAReq('4000400040004001');
    const results = await Promise.allSettled([
      h.protocol.authenticate(body, h.ctx),
      h.protocol.authenticate(body, h.ctx),
      h.protocol.authenticate({ ...body, threeDSCompInd: 'Y' }, h.ctx),
      h.protocol.authenticate(body, h.ctx),
    ]);
    const ok = results
      .filter((r) => r.status === 'fulfilled')
      .map((r) => (r as PromiseFulfilledResult<{ authenticationResponse: { acsTransID: string } }>).value);
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as AppError);
    expect(refused.length).to.be.at.least(1);
    for (const e of refused) expect(e.kind).to.equal('CONFLICTING_REPEAT');
    expect(new Set(ok.map((r) => r.authenticationResponse.acsTransID)).size).to.equal(1);
  });

  it('needs a version call only when configured (Erro 301)', async () => {
    const h = harness({ config: testConfig((c) => (c.protocol.requireVersionCall = true)) });
    const e = await expectRejection(h.protocol.authenticate(browserAReq('4000400040004000'), h.ctx), AppError);
    expect(e.spec.emvCode).to.equal('301');
    const v = await h.protocol.version({ cardNumber: '4000400040004000' }, h.ctx);
    const r = await h.protocol.authenticate(
      browserAReq('4000400040004000', (b) => (b.threeDSServerTransID = v.threeDSServerTransID)),
      h.ctx,
    );
    expect(r.transStatus).to.equal('Y');
  });

  it('negotiates the version: 2.2.0-only range, enforced preference (Erro 102), 2.1.0 maps D to C', async () => {
    const h = harness();
    const special = await h.protocol.authenticate(
      browserAReq('5155010000004000', (b) => (b.preferredProtocolVersion = '2.3.1')),
      h.ctx,
    );
    expect(special.authenticationResponse.messageVersion).to.equal('2.2.0');
    const e = await expectRejection(
      h.protocol.authenticate(
        browserAReq('5155010000004000', (b) => {
          b.preferredProtocolVersion = '2.1.0';
          b.enforcePreferredProtocolVersion = true;
        }),
        h.ctx,
      ),
      AppError,
    );
    expect(e.spec.emvCode).to.equal('102');
    const old = await h.protocol.authenticate(
      browserAReq('4000400040004006', (b) => (b.preferredProtocolVersion = '2.1.0')),
      h.ctx,
    );
    expect(old.authenticationResponse).to.include({ messageVersion: '2.1.0', transStatus: 'C' });
    expect(old.authenticationResponse).to.not.have.property('acsDecConInd');
  });

  it('refuses a card in no range (Erro 305)', async () => {
    const h = harness();
    const e = await expectRejection(h.protocol.authenticate(browserAReq('9000400040004000'), h.ctx), AppError);
    expect(e.spec.emvCode).to.equal('305');
    expect(e.detail).to.contain('acctNumber');
  });

  it('4012 stores and answers the Directory Server Erro: component D, 405, HTTP 502', async () => {
    const h = harness();
    const body = browserAReq('4000400040004012');
    const e = await expectRejection(h.protocol.authenticate(body, h.ctx), AppError);
    expect(e.spec.status).to.equal(502);
    const env = errorEnvelope(e);
    expect(env.errorDetails).to.include({
      errorCode: '405',
      errorComponent: 'D',
      errorMessageType: 'AReq',
      threeDSServerTransID: body.threeDSServerTransID,
    });
    expect(env.errorDetails.dsTransID).to.be.a('string');
    const replayed = await expectRejection(h.protocol.authenticate(body, h.ctx), AppError);
    expect(errorEnvelope(replayed).errorDetails.dsTransID).to.equal(env.errorDetails.dsTransID);
    const fin = await expectRejection(h.protocol.final({ threeDSServerTransID: body.threeDSServerTransID }, h.ctx), AppError);
    expect(fin.spec.status).to.equal(502);
  });

  it('4013 answers Y after the slow delay (the timer is the protocol’s, and close() releases it)', async () => {
    const h = harness({ config: testConfig((c) => (c.protocol.slowResponseMs = 60_000)) });
    const pending = h.protocol.authenticate(browserAReq('4000400040004013'), h.ctx);
    let settled = false;
    void pending.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).to.equal(false);
    await h.protocol.close();
    expect((await pending).transStatus).to.equal('Y');
  });

  it('4007 answers I for indicator 05 with MOCK_ACS_NEW, Y otherwise', async () => {
    const h = harness();
    const i = await h.protocol.authenticate(
      browserAReq('4000400040004007', (b) => (b.threeDSRequestor.threeDSRequestorChallengeInd = '05')),
      h.ctx,
    );
    expect(i.authenticationResponse).to.include({ transStatus: 'I', acsOperatorID: 'MOCK_ACS_NEW', acsReferenceNumber: 'issuer2' });
    expect((await h.protocol.authenticate(browserAReq('4000400040004007'), h.ctx)).transStatus).to.equal('Y');
  });

  it('04 forces a challenge, 05 skips the 4001 challenge', async () => {
    const h = harness();
    const forced = await h.protocol.authenticate(
      browserAReq('4000400040004000', (b) => (b.threeDSRequestor.threeDSRequestorChallengeInd = '04')),
      h.ctx,
    );
    expect(forced.transStatus).to.equal('C');
    const skipped = await h.protocol.authenticate(
      browserAReq('4000400040004001', (b) => (b.threeDSRequestor.threeDSRequestorChallengeInd = '05')),
      h.ctx,
    );
    expect(skipped.authenticationResponse).to.include({ transStatus: 'Y', acsOperatorID: 'MOCK_ACS_NEW' });
  });

  it('app flows: SDK fields in the ARes, the hook supplies acsSignedContent', async () => {
    const seen: string[] = [];
    const hook: AppChallengeHook = {
      async prepare(input) {
        seen.push(`${input.acsURL} ${input.ui.acsUiType} ${input.sdkEphemPubKey.crv}`);
        return { acsSignedContent: 'header.payload.signature', app: { acsEphemPrivKey: { kty: 'EC', d: 'secret' } } };
      },
    };
    const h = harness({ extra: { appChallenge: hook } });
    const body = appAReq('5200000000004001');
    const r = await h.protocol.authenticate(body, h.ctx);
    expect(r.authenticationResponse).to.include({
      transStatus: 'C',
      sdkTransID: body.sdkTransID,
      acsSignedContent: 'header.payload.signature',
    });
    // A 2.3.1 element: not in this 2.2.0 ARes (SPEC §15).
    expect(r.authenticationResponse).to.not.have.property('deviceInfoRecognisedVersion');
    expect(r.authenticationResponse.acsRenderingType).to.deep.equal({ acsInterface: '01', acsUiTemplate: '01' });
    expect(r).to.not.have.property('acsURL');
    expect(seen).to.deep.equal(['http://acs.test:8080/challenge 01 P-256']);
    const rec = await h.protocol.load(body.threeDSServerTransID);
    expect(rec?.app).to.include({ sdkTransID: body.sdkTransID, sdkReferenceNumber: '3DS_LOA_SDK_JTPL_020200_00788' });
    expect(rec?.app?.acsEphemPrivKey).to.deep.equal({ kty: 'EC', d: 'secret' });
    const frictionless = await h.protocol.authenticate(appAReq('5200000000004000'), h.ctx);
    expect(frictionless.authenticationResponse).to.not.have.property('acsSignedContent');
    expect(await counterValue(h.metrics, 'threeds_transactions_total', { flow: 'app', trans_status: 'Y' })).to.equal(1);
  });

  it('app challenges without a hook still answer', async () => {
    const h = harness();
    const r = await h.protocol.authenticate(appAReq('5200000000004001'), h.ctx);
    expect(r.transStatus).to.equal('C');
    expect(r.authenticationResponse).to.not.have.property('acsSignedContent');
  });

  it('picks up a new configuration object (reload) without a restart', async () => {
    const h = harness();
    expect((await h.protocol.authenticate(browserAReq('4000400040004321'), h.ctx)).transStatus).to.equal('Y');
    h.config.current = testConfig((c) => {
      c.protocol.scenarios = { ...c.protocol.scenarios, '4321': { transStatus: 'N', reason: '05' } };
    });
    const r = await h.protocol.authenticate(browserAReq('4000400040004321'), h.ctx);
    expect(r.authenticationResponse).to.include({ transStatus: 'N', transStatusReason: '05' });
  });

  describe('each message valid for its version (SPEC §15)', () => {
    const at = (v: string) => (b: Body) => (b.preferredProtocolVersion = v);

    it('2.3.1 browser challenge: authenticationMethod array instead of authenticationType; the echo spelled for 2.3.1', async () => {
      const h = harness();
      const r = await h.protocol.authenticate(browserAReq('4000400040004001', at('2.3.1')), h.ctx);
      expect(r.authenticationResponse).to.include({ messageVersion: '2.3.1', transStatus: 'C', acsChallengeMandated: 'Y' });
      expect(r.authenticationResponse.authenticationMethod).to.deep.equal(['02']);
      expect(r.authenticationResponse).to.not.have.property('authenticationType');
      expect(r.authenticationRequest).to.deep.include({
        messageVersion: '2.3.1',
        threeDSRequestorChallengeInd: ['01'],
        threeDSRequestorAuthenticationInfo: [{ threeDSReqAuthMethod: '02', threeDSReqAuthTimestamp: '202611210930' }],
      });
      expect(r.authenticationRequest).to.not.have.property('deviceRenderOptions');
      // The same request in 2.2.0: authenticationType, a string indicator, an object.
      const old = await h.protocol.authenticate(browserAReq('4000400040004001', at('2.2.0')), h.ctx);
      expect(old.authenticationResponse).to.include({ authenticationType: '02' });
      expect(old.authenticationResponse).to.not.have.property('authenticationMethod');
      expect(old.authenticationRequest).to.include({ threeDSRequestorChallengeInd: '01' });
      expect(old.authenticationRequest.threeDSRequestorAuthenticationInfo).to.deep.equal({
        threeDSReqAuthMethod: '02',
        threeDSReqAuthTimestamp: '202611210930',
      });
    });

    it('2.3.1 app challenge: deviceUserInterfaceMode, threeDSRequestorAppURLInd; the HTML card 4011 uses the HTML interface', async () => {
      const h = harness();
      const text = (await h.protocol.authenticate(appAReq('5200000000004001', at('2.3.1')), h.ctx)).authenticationResponse;
      expect(text.acsRenderingType).to.deep.equal({ acsInterface: '01', acsUiTemplate: '01', deviceUserInterfaceMode: '01' });
      expect(text).to.include({ threeDSRequestorAppURLInd: 'N', deviceInfoRecognisedVersion: '1.3' });
      expect(text.authenticationMethod).to.deep.equal(['02']);
      const select = (await h.protocol.authenticate(appAReq('5200000000004008', at('2.3.1')), h.ctx)).authenticationResponse;
      expect(select.authenticationMethod).to.deep.equal(['06']);
      for (const v of ['2.1.0', '2.2.0', '2.3.1']) {
        const html = (await h.protocol.authenticate(appAReq('5200000000004011', at(v)), h.ctx)).authenticationResponse;
        expect(html.acsRenderingType, v).to.include({ acsInterface: '02', acsUiTemplate: '05' });
      }
      const frictionless = (await h.protocol.authenticate(appAReq('5200000000004000', at('2.3.1')), h.ctx)).authenticationResponse;
      expect(frictionless).to.include({ threeDSRequestorAppURLInd: 'N' });
      const v220 = (await h.protocol.authenticate(appAReq('5200000000004001', at('2.2.0')), h.ctx)).authenticationResponse;
      expect(v220).to.not.have.any.keys('threeDSRequestorAppURLInd', 'deviceInfoRecognisedVersion');
      expect(v220.acsRenderingType).to.deep.equal({ acsInterface: '01', acsUiTemplate: '01' });
    });

    it('decoupled (4006): D with acsDecConInd Y and cardholderInfo only when asked; otherwise a code challenge', async () => {
      const h = harness();
      const asked = (v: string, ind = 'Y') =>
        browserAReq('4000400040004006', (b) => {
          b.preferredProtocolVersion = v;
          b.threeDSRequestor.threeDSRequestorDecReqInd = ind;
        });
      const d220 = (await h.protocol.authenticate(asked('2.2.0'), h.ctx)).authenticationResponse;
      expect(d220).to.include({ transStatus: 'D', acsDecConInd: 'Y', authenticationType: '04' });
      expect(d220.cardholderInfo).to.be.a('string').with.length.within(1, 128);
      const d231 = (await h.protocol.authenticate(asked('2.3.1', 'B'), h.ctx)).authenticationResponse;
      expect(d231).to.include({ transStatus: 'D', acsDecConInd: 'Y' });
      expect(d231.cardholderInfo).to.have.property('text').that.is.a('string');
      expect(d231.authenticationMethod).to.deep.equal(['12']);
      const notAsked = await h.protocol.authenticate(browserAReq('4000400040004006'), h.ctx);
      expect(notAsked).to.include({ transStatus: 'C', acsChallengeMandated: 'Y' });
      expect(notAsked.authenticationResponse).to.not.have.any.keys('acsDecConInd', 'cardholderInfo');
      const rec = await h.protocol.load(notAsked.threeDSServerTransID);
      expect(rec?.challenge?.ui).to.equal('text');
      // B is a 2.3.1 value: a 2.2.0 transaction gets the challenge, and its echo says Y for B.
      const b220 = await h.protocol.authenticate(asked('2.2.0', 'B'), h.ctx);
      expect(b220.transStatus).to.equal('C');
      expect(b220.authenticationRequest.threeDSRequestorDecReqInd).to.equal('Y');
    });

    it('statuses and reasons a version lacks: 4004 is U reason 07 in 2.1.0, 22 later', async () => {
      const h = harness();
      const u210 = (await h.protocol.authenticate(browserAReq('4000400040004004', at('2.1.0')), h.ctx)).authenticationResponse;
      expect(u210).to.include({ messageVersion: '2.1.0', transStatus: 'U', transStatusReason: '07' });
      const u231 = (await h.protocol.authenticate(browserAReq('4000400040004004', at('2.3.1')), h.ctx)).authenticationResponse;
      expect(u231).to.include({ transStatus: 'U', transStatusReason: '22' });
    });

    it('indicator 06 (data share only) and 3RI are never challenged', async () => {
      const h = harness();
      const ind06 = await h.protocol.authenticate(
        browserAReq('4000400040004001', (b) => (b.threeDSRequestor.threeDSRequestorChallengeInd = '06')),
        h.ctx,
      );
      expect(ind06.transStatus).to.equal('I');
      expect(ind06).to.not.have.any.keys('challengeRequest', 'acsURL');
      const threeRI = await h.protocol.authenticate(
        browserAReq('4000400040004001', (b) => {
          b.deviceChannel = '03';
          b.threeRIInd = '01';
        }),
        h.ctx,
      );
      expect(threeRI.authenticationResponse).to.include({ transStatus: 'U', transStatusReason: '21' });
      expect(threeRI.authenticationRequest).to.not.have.any.keys('browserUserAgent', 'notificationURL', 'threeDSCompInd');
    });

    it('the Hyperswitch spellings reach the echo as each version spells them', async () => {
      const h = harness();
      const hs = (v: string) =>
        browserAReq('4000400040004000', (b) => {
          b.preferredProtocolVersion = v;
          delete b.merchant.threeDSRequestorID;
          b.merchant.threeDSRequestorId = 'hs-requestor-1';
          b.threeDSRequestorURL = 'https://shop.example.test';
          b.acquirer.acquirerCountryCode = '756';
          b.browserInformation.acceptLanguage = ['en'];
          b.threeDSRequestor.threeDSRequestorChallengeInd = ['05'];
        });
      const e231 = (await h.protocol.authenticate(hs('2.3.1'), h.ctx)).authenticationRequest;
      expect(e231).to.deep.include({
        threeDSRequestorID: 'hs-requestor-1',
        threeDSRequestorURL: 'https://shop.example.test',
        acquirerCountryCode: '756',
        acquirerCountryCodeSource: '01',
        acceptLanguage: ['en'],
        threeDSRequestorChallengeInd: ['05'],
        purchaseAmount: '4599',
        browserTZ: '-60',
      });
      const e220 = (await h.protocol.authenticate(hs('2.2.0'), h.ctx)).authenticationRequest;
      expect(e220).to.include({
        threeDSRequestorID: 'hs-requestor-1',
        threeDSRequestorURL: 'https://shop.example.test',
        threeDSRequestorChallengeInd: '05',
      });
      expect(e220).to.not.have.any.keys('acceptLanguage', 'acquirerCountryCode', 'acquirerCountryCodeSource', 'threeDSRequestorId');
      const e210 = (await h.protocol.authenticate(hs('2.1.0'), h.ctx)).authenticationRequest;
      expect(e210.threeDSRequestorChallengeInd).to.equal('02');
      expect(e210).to.not.have.property('browserJavascriptEnabled');
    });

    it('messageExtension: echoed in the AReq and the ARes, at most 10 entries before 2.3.1 (15 in 2.3.1), critical ones Erro 202', async () => {
      const h = harness();
      const ext = (n: number, critical = false) =>
        Array.from({ length: n }, (_, i) => ({
          name: `ext${i}`,
          id: `A000000802-0${10 + i}`,
          criticalityIndicator: critical,
          data: { i },
        }));
      const one = await h.protocol.authenticate(
        browserAReq('4000400040004000', (b) => (b.messageExtension = ext(1))),
        h.ctx,
      );
      expect(one.authenticationRequest.messageExtension).to.deep.equal(ext(1));
      expect(one.authenticationResponse.messageExtension).to.deep.equal(ext(1));
      const eleven = (v: string) =>
        browserAReq('4000400040004000', (b) => {
          b.preferredProtocolVersion = v;
          b.messageExtension = ext(11);
        });
      const tooMany = await expectRejection(h.protocol.authenticate(eleven('2.2.0'), h.ctx), AppError);
      expect([tooMany.spec.emvCode, tooMany.detail.split(':')[0]]).to.deep.equal(['203', 'messageExtension']);
      expect((await h.protocol.authenticate(eleven('2.3.1'), h.ctx)).authenticationRequest.messageExtension).to.have.length(11);
      const critical = await expectRejection(
        h.protocol.authenticate(
          browserAReq('4000400040004000', (b) => (b.messageExtension = ext(1, true))),
          h.ctx,
        ),
        AppError,
      );
      expect(critical.kind).to.equal('CRITICAL_EXTENSION_NOT_RECOGNISED');
      expect(errorEnvelope(critical).errorDetails).to.include({
        errorCode: '202',
        errorMessageType: 'AReq',
        errorDetail: 'A000000802-010',
      });
    });

    it('messageCategory other than 01, 02, 80–99 is Erro 203', async () => {
      const h = harness();
      const e = await expectRejection(
        h.protocol.authenticate(
          browserAReq('4000400040004000', (b) => (b.messageCategory = '09')),
          h.ctx,
        ),
        AppError,
      );
      expect(errorEnvelope(e).errorDetails).to.include({ errorCode: '203', errorMessageType: 'AReq' });
      expect(e.detail).to.match(/^messageCategory:/);
    });
  });

  describe('the scenario of one transaction, without changing the card (SPEC §4)', () => {
    const scenarioExt = (scenario: unknown, criticalityIndicator = false) => ({
      name: 'Mock3DSScenario',
      id: 'M3DS-SCENARIO',
      criticalityIndicator,
      data: { scenario },
    });

    it('the M3DS-SCENARIO extension selects the outcome (code or name), is echoed, and the record says how', async () => {
      const h = harness();
      for (const [selector, status] of [
        ['4001', 'C'],
        ['challenge-otp', 'C'],
        ['rejected', 'R'],
        ['not-authenticated', 'N'],
      ] as const) {
        const body = browserAReq('4000400040004000', (b) => (b.messageExtension = [scenarioExt(selector, true)]));
        const r = await h.protocol.authenticate(body, h.ctx);
        expect(r.transStatus, selector).to.equal(status);
        expect(r.authenticationResponse.messageExtension).to.deep.equal([scenarioExt(selector, true)]);
        expect(r.authenticationRequest.messageExtension).to.deep.equal([scenarioExt(selector, true)]);
        const rec = await h.protocol.load(body.threeDSServerTransID);
        expect(rec).to.include({ scenarioSource: 'extension', maskedPan: '400040******4000' });
      }
      const card = browserAReq('4000400040004001');
      await h.protocol.authenticate(card, h.ctx);
      const rec = await h.protocol.load(card.threeDSServerTransID);
      expect(rec?.scenarioKey).to.equal('4001');
      expect(rec).to.not.have.property('scenarioSource');
    });

    it('X-Mock-Scenario wins over the extension and the card, and only while scenarioHeaderEnabled', async () => {
      const h = harness();
      const body = () => browserAReq('4000400040004001', (b) => (b.messageExtension = [scenarioExt('rejected')]));
      const withHeader = { ...h.ctx, scenarioHeader: 'frictionless' };
      const b1 = body();
      expect((await h.protocol.authenticate(b1, withHeader)).transStatus).to.equal('Y');
      expect(await h.protocol.load(b1.threeDSServerTransID)).to.include({ scenarioKey: '4000', scenarioSource: 'header' });
      expect((await h.protocol.authenticate(body(), { ...h.ctx, scenarioHeader: ' 4002 ' })).transStatus).to.equal('N');
      expect((await h.protocol.authenticate(body(), { ...h.ctx, scenarioHeader: '' })).transStatus).to.equal('R');
      h.config.current = testConfig((c) => (c.protocol.scenarioHeaderEnabled = false));
      expect((await h.protocol.authenticate(body(), withHeader)).transStatus).to.equal('R');
      // Off, an unknown name is not even looked at.
      expect((await h.protocol.authenticate(body(), { ...h.ctx, scenarioHeader: 'nope' })).transStatus).to.equal('R');
    });

    it('the header is part of the request: a retry with it is replayed, another scenario on the same ID is 409', async () => {
      const h = harness();
      const body = browserAReq('4000400040004000');
      const first = await h.protocol.authenticate(body, { ...h.ctx, scenarioHeader: 'challenge-otp' });
      expect(first.transStatus).to.equal('C');
      expect(await h.protocol.authenticate(structuredClone(body), { ...h.ctx, scenarioHeader: 'challenge-otp' })).to.deep.equal(first);
      for (const ctx of [h.ctx, { ...h.ctx, scenarioHeader: 'rejected' }]) {
        const e = await expectRejection(h.protocol.authenticate(structuredClone(body), ctx), AppError);
        expect(e.kind).to.equal('CONFLICTING_REPEAT');
      }
    });

    it('an unknown scenario is Erro 203 naming X-Mock-Scenario or the extension element; nothing is stored', async () => {
      const h = harness();
      const body = browserAReq(
        '4000400040004000',
        (b) => (b.messageExtension = [{ name: 'x', id: 'other', criticalityIndicator: false, data: {} }, scenarioExt('no-such')]),
      );
      const e = await expectRejection(h.protocol.authenticate(body, h.ctx), AppError);
      expect(errorEnvelope(e).errorDetails).to.include({
        errorCode: '203',
        errorMessageType: 'AReq',
        threeDSServerTransID: body.threeDSServerTransID,
      });
      expect(e.detail).to.match(/^messageExtension\[1\]\.data\.scenario: "no-such" is no scenario; .*challenge-otp/);
      const hdr = await expectRejection(
        h.protocol.authenticate(browserAReq('4000400040004000'), { ...h.ctx, scenarioHeader: '4999' }),
        AppError,
      );
      expect(hdr.detail).to.match(/^X-Mock-Scenario: "4999" is no scenario/);
      expect(await h.protocol.load(body.threeDSServerTransID)).to.equal(null);
    });
  });

  describe('broken-response cards 4015–4019 (SPEC §4)', () => {
    const signingHook = (seen: (string | undefined)[]): AppChallengeHook => ({
      async prepare(input) {
        seen.push(input.acsURL);
        return { acsSignedContent: `h.p.${randomUUID()}`, app: {} };
      },
    });

    it('4015: a challenge without acsURL (browser: ARes and answer; app: acsSignedContent); final says why it is pending', async () => {
      const seen: (string | undefined)[] = [];
      const h = harness({ extra: { appChallenge: signingHook(seen) } });
      const body = browserAReq('4000400040004015');
      const r = await h.protocol.authenticate(body, h.ctx);
      expect(r).to.include({ transStatus: 'C', acsChallengeMandated: 'Y' });
      expect(r).to.not.have.property('acsURL');
      expect(r.authenticationResponse).to.not.have.property('acsURL');
      expect(r.challengeRequest).to.include({ messageType: 'CReq' });
      expect(await h.protocol.authenticate(structuredClone(body), h.ctx)).to.deep.equal(r);
      expect((await h.protocol.load(body.threeDSServerTransID))?.auth?.broken).to.equal('no-acs-url');
      const fin = await expectRejection(h.protocol.final({ threeDSServerTransID: body.threeDSServerTransID }, h.ctx), AppError);
      expect(fin.kind).to.equal('RESULTS_PENDING');
      expect(fin.detail).to.contain('test card no-acs-url');
      await h.protocol.authenticate(appAReq('5200000000004015'), h.ctx);
      await h.protocol.authenticate(appAReq('5200000000004001'), h.ctx);
      expect(seen).to.deep.equal([undefined, 'http://acs.test:8080/challenge']);
    });

    it('4016: the ARes without dsTransID, replayed the same; the transaction itself is fine (final Y)', async () => {
      const h = harness();
      const body = browserAReq('4000400040004016');
      const r = await h.protocol.authenticate(body, h.ctx);
      expect(r.transStatus).to.equal('Y');
      expect(r.authenticationResponse).to.not.have.property('dsTransID');
      expect(r.authenticationResponse).to.include({ messageType: 'ARes', acsTransID: r.authenticationResponse.acsTransID });
      h.clock.now += 61_000;
      expect(JSON.stringify(await h.protocol.authenticate(structuredClone(body), h.ctx))).to.equal(JSON.stringify(r));
      const rec = await h.protocol.load(body.threeDSServerTransID);
      expect(rec?.auth).to.include({ broken: 'no-ds-trans-id' });
      expect(rec?.auth?.dsTransID).to.be.a('string');
      expect(await h.protocol.final({ threeDSServerTransID: body.threeDSServerTransID }, h.ctx)).to.include({ transStatus: 'Y' });
    });

    it("4017: an app ARes whose sdkTransID is not the AReq's (the record keeps the real one); browsers get 4001's challenge", async () => {
      const h = harness({ extra: { appChallenge: signingHook([]) } });
      const body = appAReq('5200000000004017');
      const r = await h.protocol.authenticate(body, h.ctx);
      expect(r.transStatus).to.equal('C');
      expect(r.authenticationResponse.sdkTransID).to.be.a('string').and.not.equal(body.sdkTransID);
      expect(r.authenticationRequest.sdkTransID).to.equal(body.sdkTransID);
      expect(await h.protocol.authenticate(structuredClone(body), h.ctx)).to.deep.equal(r);
      const rec = await h.protocol.load(body.threeDSServerTransID);
      expect(rec?.app?.sdkTransID).to.equal(body.sdkTransID);
      expect(rec?.auth?.broken).to.equal('sdk-trans-id-mismatch');
      const browser = await h.protocol.authenticate(browserAReq('4000400040004017'), h.ctx);
      expect(browser).to.include({ transStatus: 'C', acsURL: 'http://acs.test:8080/processor/mock/acs/trigger-otp' });
    });

    it('4018: the ACS answers Erro 405 (component A) instead of an ARes, HTTP 502, replayed and in final', async () => {
      const h = harness();
      const body = browserAReq('4000400040004018');
      const e = await expectRejection(h.protocol.authenticate(body, h.ctx), AppError);
      expect(e.spec.status).to.equal(502);
      expect(e.detail).to.equal('the ACS answered Erro 405 (component A)');
      expect(errorEnvelope(e).errorDetails).to.include({
        errorCode: '405',
        errorComponent: 'A',
        errorDescription: 'System failure at the ACS',
        errorMessageType: 'AReq',
      });
      const again = await expectRejection(h.protocol.authenticate(body, h.ctx), AppError);
      expect(errorEnvelope(again)).to.deep.equal(errorEnvelope(e));
      const fin = await expectRejection(h.protocol.final({ threeDSServerTransID: body.threeDSServerTransID }, h.ctx), AppError);
      expect(errorEnvelope(fin).errorDetails).to.include({ errorComponent: 'A', errorCode: '405' });
    });

    it('4019: a valid challenge ARes; the record says the ACS will not answer, and so does final', async () => {
      const h = harness();
      const body = browserAReq('4000400040004019');
      const r = await h.protocol.authenticate(body, h.ctx);
      expect(r).to.include({ transStatus: 'C', acsURL: 'http://acs.test:8080/processor/mock/acs/trigger-otp' });
      expect((await h.protocol.load(body.threeDSServerTransID))?.auth?.broken).to.equal('acs-no-answer');
      const fin = await expectRejection(h.protocol.final({ threeDSServerTransID: body.threeDSServerTransID }, h.ctx), AppError);
      expect(fin.detail).to.contain('the ACS never answers the CReq');
    });

    it('selected by name on any card (header or extension), the break comes along', async () => {
      const h = harness();
      const r = await h.protocol.authenticate(browserAReq('4000400040004000'), { ...h.ctx, scenarioHeader: 'no-ds-trans-id' });
      expect(r.authenticationResponse).to.not.have.property('dsTransID');
    });
  });
});
