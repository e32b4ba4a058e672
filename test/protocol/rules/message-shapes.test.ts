import { expect } from 'chai';
import { renderingType, shapeAReq, shapeARes, shapeCRes, shapeRReq } from '../../../src/protocol/rules/message-shapes.js';
import type { ARes, ResultsRequest } from '../../../src/protocol/wire/messages.js';

const IDS = {
  threeDSServerTransID: '8a880dc0-d2d2-4067-bcb1-b08d1690b26e',
  acsTransID: 'd7c1ee99-9478-44a6-b1f2-391e29c6b340',
  dsTransID: 'f25084f0-5b16-4c0a-ae5d-b24808a95e4b',
};
const SDK = '0a8a4fe3-3c3f-4f62-8fb6-0bb7a2c1e7f0';

function ares(version: string, over: Partial<ARes> = {}): ARes {
  return {
    messageType: 'ARes',
    messageVersion: version,
    ...IDS,
    transStatus: 'C',
    acsChallengeMandated: 'Y',
    authenticationType: '02',
    authenticationMethod: '02',
    acsReferenceNumber: 'issuer1',
    acsOperatorID: 'MOCK_ACS',
    dsReferenceNumber: 'MOCK_DS',
    ...over,
  };
}

function rreq(version: string, over: Partial<ResultsRequest> = {}): ResultsRequest {
  return {
    messageType: 'RReq',
    messageVersion: version,
    messageCategory: '01',
    ...IDS,
    transStatus: 'Y',
    authenticationType: '02',
    authenticationMethod: '02',
    interactionCounter: '01',
    ...over,
  };
}

describe('protocol/rules/message-shapes: each message shaped for its messageVersion (SPEC §15)', () => {
  describe('ARes', () => {
    it('2.3.1: authenticationMethod as an array takes the place of authenticationType (C and D)', () => {
      const c = shapeARes(ares('2.3.1'));
      expect(c.authenticationMethod).to.deep.equal(['02']);
      expect(c).to.not.have.property('authenticationType');
      const d = shapeARes(
        ares('2.3.1', { transStatus: 'D', authenticationType: '04', authenticationMethod: '12', acsChallengeMandated: 'N' }),
      );
      expect(d.authenticationMethod).to.deep.equal(['12']);
      // Derived when the builder gave only the 2.2.0 element.
      const { authenticationMethod: _, ...typeOnly } = ares('2.3.1', { authenticationType: '03' });
      expect(shapeARes(typeOnly).authenticationMethod).to.deep.equal(['09']);
    });

    it('2.1.0/2.2.0: authenticationType, no authenticationMethod; neither for statuses other than C and D', () => {
      for (const v of ['2.1.0', '2.2.0']) {
        const c = shapeARes(ares(v));
        expect(c.authenticationType).to.equal('02');
        expect(c).to.not.have.property('authenticationMethod');
      }
      for (const st of ['Y', 'A', 'N']) {
        const m = shapeARes(ares('2.3.1', { transStatus: st }));
        expect(m, st).to.not.have.any.keys('authenticationType', 'authenticationMethod');
      }
    });

    it('D: acsDecConInd Y and cardholderInfo, a string in 2.2.0 and {text} in 2.3.1', () => {
      const info = 'Approve in your banking app';
      const d220 = shapeARes(ares('2.2.0', { transStatus: 'D', authenticationType: '04', cardholderInfo: info }));
      expect(d220).to.include({ acsDecConInd: 'Y', cardholderInfo: info, authenticationType: '04' });
      const d231 = shapeARes(ares('2.3.1', { transStatus: 'D', cardholderInfo: info }));
      expect(d231.cardholderInfo).to.deep.equal({ text: info });
      expect(d231.acsDecConInd).to.equal('Y');
      expect((shapeARes(ares('2.2.0', { cardholderInfo: { text: 'x'.repeat(200) } })).cardholderInfo as string).length).to.equal(128);
      // 2.1.0 has no D: the status becomes C and carries no acsDecConInd.
      const d210 = shapeARes(ares('2.1.0', { transStatus: 'D', authenticationType: '04', acsDecConInd: 'Y' }));
      expect(d210).to.include({ transStatus: 'C', authenticationType: '03' });
      expect(d210).to.not.have.property('acsDecConInd');
    });

    it('app ARes: acsRenderingType gains deviceUserInterfaceMode, and threeDSRequestorAppURLInd, in 2.3.1 only', () => {
      const app = (v: string) =>
        shapeARes(ares(v, { sdkTransID: SDK, acsRenderingType: renderingType('app', '01'), deviceInfoRecognisedVersion: '1.3' }));
      const a231 = app('2.3.1');
      expect(a231.acsRenderingType).to.deep.equal({ acsInterface: '01', acsUiTemplate: '01', deviceUserInterfaceMode: '01' });
      expect(a231).to.include({ threeDSRequestorAppURLInd: 'N', deviceInfoRecognisedVersion: '1.3' });
      for (const v of ['2.1.0', '2.2.0']) {
        const a = app(v);
        expect(a.acsRenderingType).to.deep.equal({ acsInterface: '01', acsUiTemplate: '01' });
        expect(a, v).to.not.have.any.keys('threeDSRequestorAppURLInd', 'deviceInfoRecognisedVersion');
      }
      // A frictionless app ARes in 2.3.1 says it too (ARes = R for 01-APP), a browser one never.
      expect(shapeARes(ares('2.3.1', { transStatus: 'Y', sdkTransID: SDK }))).to.include({ threeDSRequestorAppURLInd: 'N' });
      expect(shapeARes(ares('2.3.1'))).to.not.have.property('threeDSRequestorAppURLInd');
    });

    it('N, U, R always carry a reason, mapped for the version; other statuses none', () => {
      expect(shapeARes(ares('2.2.0', { transStatus: 'U' })).transStatusReason).to.equal('22');
      expect(shapeARes(ares('2.1.0', { transStatus: 'U', transStatusReason: '22' })).transStatusReason).to.equal('07');
      expect(shapeARes(ares('2.2.0', { transStatus: 'N' })).transStatusReason).to.equal('01');
      expect(shapeARes(ares('2.2.0', { transStatus: 'R' })).transStatusReason).to.equal('11');
      expect(shapeARes(ares('2.2.0', { transStatus: 'Y', transStatusReason: '01' }))).to.not.have.property('transStatusReason');
    });

    it('keeps the key order of its input: the same input shapes to the same bytes', () => {
      const a = ares('2.3.1', { sdkTransID: SDK });
      expect(JSON.stringify(shapeARes(a))).to.equal(JSON.stringify(shapeARes(structuredClone(a))));
      expect(Object.keys(shapeARes(a)).indexOf('authenticationMethod')).to.be.lessThan(
        Object.keys(shapeARes(a)).indexOf('acsReferenceNumber'),
      );
    });
  });

  it('HTML templates only with the HTML interface; browsers are always HTML', () => {
    expect(renderingType('app', '05')).to.deep.equal({ acsInterface: '02', acsUiTemplate: '05' });
    expect(renderingType('app', '06')).to.deep.equal({ acsInterface: '02', acsUiTemplate: '06' });
    expect(renderingType('app', '04')).to.deep.equal({ acsInterface: '01', acsUiTemplate: '04' });
    expect(renderingType('browser', '01')).to.deep.equal({ acsInterface: '02', acsUiTemplate: '01' });
    // A 2.3.1 HTML OOB template shown to a 2.2.0 client is HTML (05), still with the HTML interface.
    const r = shapeRReq(rreq('2.2.0', { acsRenderingType: renderingType('app', '06') }), 'app');
    expect(r.acsRenderingType).to.deep.equal({ acsInterface: '02', acsUiTemplate: '05' });
  });

  describe('RReq', () => {
    it('2.3.1: authenticationMethod array for Y and N; 2.1.0/2.2.0 authenticationType', () => {
      const y = shapeRReq(rreq('2.3.1'), 'browser');
      expect(y.authenticationMethod).to.deep.equal(['02']);
      expect(y).to.not.have.property('authenticationType');
      const n = shapeRReq(rreq('2.2.0', { transStatus: 'N', transStatusReason: '01' }), 'browser');
      expect(n).to.include({ authenticationType: '02', transStatusReason: '01' });
      expect(n).to.not.have.property('authenticationMethod');
      // Read from a 2.3.1 array when a 2.2.0 message needs the type.
      const { authenticationType: _, ...methodOnly } = rreq('2.2.0', { authenticationMethod: ['06'] });
      expect(shapeRReq(methodOnly, 'browser').authenticationType).to.equal('01');
    });

    it('a cancelled challenge (U) has a reason and no authentication element; cancel codes mapped', () => {
      const u = shapeRReq(rreq('2.2.0', { transStatus: 'U', challengeCancel: '01' }), 'app');
      expect(u.transStatusReason).to.equal('22');
      expect(u).to.not.have.any.keys('authenticationType', 'authenticationMethod');
      expect(shapeRReq(rreq('2.1.0', { transStatus: 'U', transStatusReason: '26', challengeCancel: '03' }), 'app')).to.include({
        transStatusReason: '01',
        challengeCancel: '04',
      });
      expect(shapeRReq(rreq('2.2.0', { transStatus: 'U', challengeCancel: '09' }), 'app').challengeCancel).to.equal('06');
      expect(shapeRReq(rreq('2.3.1', { transStatus: 'U', challengeCancel: '09' }), 'app').challengeCancel).to.equal('09');
    });

    it('acsRenderingType and sdkTransID for apps only, interactionCounter not for 3RI', () => {
      const withAll = rreq('2.3.1', { sdkTransID: SDK, acsRenderingType: renderingType('app', '01') });
      expect(shapeRReq(withAll, 'app').acsRenderingType).to.deep.equal({
        acsInterface: '01',
        acsUiTemplate: '01',
        deviceUserInterfaceMode: '01',
      });
      expect(shapeRReq(withAll, 'browser')).to.not.have.any.keys('acsRenderingType', 'sdkTransID');
      expect(shapeRReq(withAll, '3ri')).to.not.have.any.keys('acsRenderingType', 'sdkTransID', 'interactionCounter');
      expect(shapeRReq(withAll, 'browser').interactionCounter).to.equal('01');
    });
  });

  describe('CRes', () => {
    const text = (v: string) => ({
      messageType: 'CRes',
      messageVersion: v,
      acsUiType: '01',
      challengeCompletionInd: 'N',
      challengeInfoLabel: 'One-time code',
      challengeEntryBox: { challengeDataEntryLabel: 'One-time code' },
    });

    it('the text UI: challengeEntryBox in 2.3.1 (no challengeInfoLabel), challengeInfoLabel before', () => {
      const c231 = shapeCRes(text('2.3.1'));
      expect(c231.challengeEntryBox).to.deep.equal({ challengeDataEntryLabel: 'One-time code' });
      expect(c231).to.not.have.property('challengeInfoLabel');
      for (const v of ['2.1.0', '2.2.0']) {
        const c = shapeCRes(text(v));
        expect(c.challengeInfoLabel).to.equal('One-time code');
        expect(c, v).to.not.have.property('challengeEntryBox');
      }
      // Select UIs keep challengeInfoLabel in 2.3.1 (Table A.20: M).
      expect(shapeCRes({ ...text('2.3.1'), acsUiType: '02' })).to.include({ challengeInfoLabel: 'One-time code' });
      expect(shapeCRes({ ...text('2.3.1'), acsUiType: '02' })).to.not.have.property('challengeEntryBox');
    });

    it('the final CRes keeps acsUiType only in 2.2.0, where every CRes requires it', () => {
      const fin = (v: string) => ({
        messageType: 'CRes',
        messageVersion: v,
        acsUiType: '05',
        challengeCompletionInd: 'Y',
        transStatus: 'Y',
      });
      expect(shapeCRes(fin('2.2.0'))).to.include({ acsUiType: '05' });
      expect(shapeCRes(fin('2.1.0'))).to.not.have.property('acsUiType');
      expect(shapeCRes(fin('2.3.1'))).to.not.have.property('acsUiType');
      expect(shapeCRes({ ...text('2.2.0'), acsUiType: '07' }).acsUiType).to.equal('04');
    });
  });

  describe('the AReq echo', () => {
    it('drops UI types that are not strings instead of failing on them (found by fuzzing)', () => {
      const hostile = JSON.parse('[{"toString": null}, {"__proto__": null}, 7, "01", "06"]') as unknown[];
      const echo = shapeAReq(
        { messageVersion: '2.2.0', deviceChannel: '01', deviceRenderOptions: { sdkInterface: '03', sdkUiType: hostile } },
        '2.2.0',
      );
      expect(echo.deviceRenderOptions).to.deep.equal({ sdkInterface: '03', sdkUiType: ['01'] });
      const indicators = shapeAReq({ deviceChannel: '02', threeDSRequestorChallengeInd: JSON.parse('[{"toString": null}]') }, '2.2.0');
      expect(indicators.threeDSRequestorChallengeInd).to.be.a('string');
      expect(() => shapeAReq({ deviceChannel: { toString: null } }, '2.2.0')).to.not.throw();
    });

    const echo = {
      deviceChannel: '02',
      threeDSRequestorChallengeInd: ['05', '06'],
      threeDSRequestorDecReqInd: 'B',
      threeDSRequestorDecMaxTime: '00010',
      threeDSRequestorAuthenticationInfo: { threeDSReqAuthMethod: '02' },
      acceptLanguage: ['en'],
      acquirerCountryCode: '756',
      acquirerCountryCodeSource: '01',
      browserJavascriptEnabled: true,
      deviceRenderOptions: { sdkInterface: '03', sdkUiType: ['01', '07'] },
      messageExtension: [{ name: 'n', id: 'A000000802-001', criticalityIndicator: false, data: {} }],
    };

    it('2.3.1: the challenge indicator and the authentication information as arrays; 2.3.1 elements kept', () => {
      const m = shapeAReq(echo, '2.3.1');
      expect(m).to.deep.include({
        threeDSRequestorChallengeInd: ['05', '06'],
        threeDSRequestorDecReqInd: 'B',
        threeDSRequestorAuthenticationInfo: [{ threeDSReqAuthMethod: '02' }],
        acceptLanguage: ['en'],
        acquirerCountryCode: '756',
        acquirerCountryCodeSource: '01',
      });
      expect(m.messageExtension).to.deep.equal(echo.messageExtension);
    });

    it('2.2.0: one string, B → Y, 2.3.1 elements left out', () => {
      const m = shapeAReq(echo, '2.2.0');
      expect(m).to.deep.include({
        threeDSRequestorChallengeInd: '05',
        threeDSRequestorDecReqInd: 'Y',
        threeDSRequestorAuthenticationInfo: { threeDSReqAuthMethod: '02' },
        browserJavascriptEnabled: true,
      });
      expect(m).to.not.have.any.keys('acceptLanguage', 'acquirerCountryCode', 'acquirerCountryCodeSource');
      expect(
        shapeAReq({ ...echo, threeDSRequestorAuthenticationInfo: [{ a: 1 }, { b: 2 }] }, '2.2.0').threeDSRequestorAuthenticationInfo,
      ).to.deep.equal({
        a: 1,
      });
    });

    it('2.1.0: indicator values it has, no decoupled or JavaScript elements', () => {
      const m = shapeAReq({ ...echo, threeDSRequestorChallengeInd: ['06'] }, '2.1.0');
      expect(m.threeDSRequestorChallengeInd).to.equal('02');
      expect(m).to.not.have.any.keys('threeDSRequestorDecReqInd', 'threeDSRequestorDecMaxTime', 'browserJavascriptEnabled');
    });

    it('elements of another channel are left out; older versions list only the UI types they have', () => {
      expect(shapeAReq(echo, '2.3.1')).to.not.have.property('deviceRenderOptions');
      const app = shapeAReq({ ...echo, deviceChannel: '01' }, '2.2.0');
      expect(app.deviceRenderOptions).to.deep.equal({ sdkInterface: '03', sdkUiType: ['01'] });
      expect(app).to.not.have.any.keys('browserJavascriptEnabled', 'acceptLanguage');
      expect(shapeAReq({ ...echo, deviceChannel: '01' }, '2.3.1').deviceRenderOptions).to.deep.equal(echo.deviceRenderOptions);
    });
  });
});
