// The EMV validator itself (test/helpers/emv-validator.ts over test/schemas/emv/): hand-written messages,
// valid ones that must pass and, for every rule the issue lists, a variant that must fail with an error
// naming the element and the rule — so the checks run over the server's messages are shown able to fail.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type EmvContext, formatErrors, schemaStats, validateMessage } from '../helpers/emv-validator.js';

type Msg = Record<string, unknown>;
const id = () => randomUUID();
const AV = 'AAABBEg0VhI0VniQEjRWAAAAAAA=';
const JWS = 'eyJhbGciOiJQUzI1NiJ9.eyJhY3NVUkwiOiJ4In0.c2ln';

function ids(): Msg {
  return { threeDSServerTransID: id(), acsTransID: id(), dsTransID: id() };
}

/** A frictionless browser ARes of `v`. */
function ares(v: string, extra: Msg = {}): Msg {
  return {
    ...ids(),
    messageType: 'ARes',
    messageVersion: v,
    acsReferenceNumber: 'issuer1',
    dsReferenceNumber: 'MOCK_DS',
    acsOperatorID: 'MOCK_ACS',
    transStatus: 'Y',
    authenticationValue: AV,
    eci: '05',
    ...extra,
  };
}

function areq(v: string, channel: '01' | '02' | '03', extra: Msg = {}): Msg {
  const base: Msg = {
    messageType: 'AReq',
    messageVersion: v,
    threeDSServerTransID: id(),
    threeDSServerRefNumber: '3DS_LOA_SER_MOCK_020200_00001',
    threeDSServerURL: 'https://3ds.example/3ds/results',
    threeDSRequestorID: 'requestor-0001',
    threeDSRequestorName: 'Test Shop',
    threeDSRequestorURL: 'https://shop.example',
    acctNumber: '4000000000004001',
    deviceChannel: channel,
    messageCategory: '01',
    acquirerBIN: '400551',
    acquirerMerchantID: 'MERCHANT-0001',
    mcc: '5411',
    merchantCountryCode: '756',
    merchantName: 'Test Shop',
    purchaseAmount: '4599',
    purchaseCurrency: '756',
    purchaseExponent: '2',
    purchaseDate: '20261121093000',
    ...(v === '2.3.1' && { acquirerCountryCode: '756', acquirerCountryCodeSource: '01' }),
  };
  if (channel !== '03') base.threeDSRequestorAuthenticationInd = '01';
  if (channel === '02') {
    Object.assign(base, {
      threeDSCompInd: 'N',
      notificationURL: 'https://shop.example/notify',
      browserAcceptHeader: 'text/html',
      browserUserAgent: 'Mozilla/5.0',
      browserJavaEnabled: false,
      browserLanguage: 'en-GB',
      browserColorDepth: '24',
      browserScreenHeight: '900',
      browserScreenWidth: '1440',
      browserTZ: '-60',
      ...(v !== '2.1.0' && { browserJavascriptEnabled: true }),
      ...(v === '2.3.1' && { acceptLanguage: ['en-GB'] }),
    });
  }
  if (channel === '01') {
    Object.assign(base, {
      sdkAppID: id(),
      sdkEncData: 'eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.a2V5.aXY.Y2lwaGVy.dGFn',
      sdkEphemPubKey: { kty: 'EC', crv: 'P-256', x: 'eA', y: 'eQ' },
      sdkMaxTimeout: '05',
      sdkReferenceNumber: '3DS_LOA_SDK_JTPL_020200_00788',
      sdkTransID: id(),
      deviceRenderOptions: {
        sdkInterface: '03',
        sdkUiType: v === '2.3.1' ? ['01', '02', '03', '04', '05', '06', '07'] : ['01', '02', '03', '04', '05'],
      },
      ...(v === '2.3.1' && { sdkType: '01', defaultSdkType: { sdkVariant: '01' } }),
    });
  }
  if (channel === '03') base.threeRIInd = '04';
  return { ...base, ...extra };
}

const rendering = (v: string, t = '01', i = '01') => ({
  acsInterface: i,
  acsUiTemplate: t,
  ...(v === '2.3.1' && { deviceUserInterfaceMode: '01' }),
});

/** An app challenge ARes of `v` (with everything the app channel needs). */
function appChallengeAres(v: string, extra: Msg = {}): Msg {
  const a = ares(v, {
    transStatus: 'C',
    acsChallengeMandated: 'Y',
    sdkTransID: id(),
    acsSignedContent: JWS,
    acsRenderingType: rendering(v),
  });
  delete a.authenticationValue;
  delete a.eci;
  if (v === '2.3.1') Object.assign(a, { authenticationMethod: ['02'], threeDSRequestorAppURLInd: 'N', deviceInfoRecognisedVersion: '1.3' });
  else a.authenticationType = '02';
  return { ...a, ...extra };
}

function cresHead(v: string, extra: Msg = {}): Msg {
  return {
    threeDSServerTransID: id(),
    acsTransID: id(),
    sdkTransID: id(),
    messageType: 'CRes',
    messageVersion: v,
    acsCounterAtoS: '000',
    ...extra,
  };
}

/** The first app CRes of a text challenge, shaped for `v`. */
function textCres(v: string, extra: Msg = {}): Msg {
  return cresHead(v, {
    acsUiType: '01',
    challengeCompletionInd: 'N',
    challengeInfoHeader: 'Purchase authentication',
    challengeInfoText: 'Enter the code we sent you.',
    submitAuthenticationLabel: 'SUBMIT',
    ...(v === '2.3.1' ? { challengeEntryBox: { challengeDataEntryLabel: 'One-time code' } } : { challengeInfoLabel: 'One-time code' }),
    ...extra,
  });
}

function rreq(v: string, extra: Msg = {}): Msg {
  return {
    ...ids(),
    messageType: 'RReq',
    messageVersion: v,
    messageCategory: '01',
    transStatus: 'Y',
    authenticationValue: AV,
    eci: '05',
    interactionCounter: '01',
    ...(v === '2.3.1' ? { authenticationMethod: ['02'] } : { authenticationType: '02' }),
    ...extra,
  };
}

function erro(v: string, extra: Msg = {}): Msg {
  return {
    threeDSServerTransID: id(),
    messageType: 'Erro',
    messageVersion: v,
    errorCode: '305',
    errorComponent: 'S',
    errorDescription: 'Transaction data not valid',
    errorDetail: 'threeDSServerTransID',
    errorMessageType: 'AReq',
    ...extra,
  };
}

function valid(m: Msg, ctx?: EmvContext): void {
  const r = validateMessage(m, ctx);
  expect(r.valid, formatErrors(r.errors).join('\n')).to.equal(true);
}

/** Fails, with an error at `path` whose text or rule matches `what`. */
function invalid(m: Msg, path: string, what: RegExp, ctx?: EmvContext): void {
  const r = validateMessage(m, ctx);
  expect(r.valid, `expected ${r.schema} to refuse the message`).to.equal(false);
  const lines = formatErrors(r.errors);
  const hit = r.errors.some((e) => e.path === path && (what.test(e.message) || what.test(e.rule)));
  expect(hit, `no error at ${path} matching ${what}:\n${lines.join('\n')}`).to.equal(true);
}

const VERSIONS = ['2.1.0', '2.2.0', '2.3.1'] as const;

describe('EMV validator (schemas written from Annex A)', () => {
  it('loads one schema per message type and version, and every rule cites its source', () => {
    const s = schemaStats();
    expect(s.schemas).to.equal(22); // 7 types × 3 versions + common
    expect(s.rules).to.be.greaterThan(500);
  });

  describe('selecting the schema', () => {
    it('refuses what is not a message, an unknown type and an unsupported version', () => {
      expect(validateMessage('x').valid).to.equal(false);
      invalid({ messageType: 'Nope', messageVersion: '2.2.0' }, '/messageType', /must be one of/);
      invalid({ ...erro('2.2.0'), messageVersion: '2.0.1' }, '/messageVersion', /must be one of/);
    });

    it('formats each error as path, message and the rule that failed', () => {
      const r = validateMessage(ares('2.1.0', { transStatus: 'U', transStatusReason: '22', authenticationValue: undefined }));
      const [line] = formatErrors(r.errors.filter((e) => e.path === '/transStatusReason'));
      expect(line).to.match(/^\/transStatusReason: is "22", does not match .* — rule: transStatusReason: .*2\.1\.0 defines 01–21/);
    });
  });

  describe('ARes', () => {
    for (const v of VERSIONS) {
      it(`accepts a frictionless ${v} ARes, a ${v} N with reason 01 and an app challenge in context`, () => {
        valid(ares(v));
        const n = ares(v, { transStatus: 'N', transStatusReason: '01', eci: '07' });
        delete n.authenticationValue;
        valid(n);
        valid(appChallengeAres(v), { deviceChannel: '01', areq: areq(v, '01') });
      });
    }

    it('transStatusReason values per version: 22 is refused in 2.1.0, 27 in 2.2.0, 31 in 2.3.1', () => {
      const u = (v: string, r: string) => {
        const m = ares(v, { transStatus: 'U', transStatusReason: r, eci: '07' });
        delete m.authenticationValue;
        return m;
      };
      invalid(u('2.1.0', '22'), '/transStatusReason', /2\.1\.0 defines 01–21/);
      valid(u('2.1.0', '21'));
      valid(u('2.2.0', '22'));
      invalid(u('2.2.0', '27'), '/transStatusReason', /01–26/);
      valid(u('2.3.1', '30'));
      invalid(u('2.3.1', '31'), '/transStatusReason', /01–30/);
      valid(u('2.3.1', '85'));
    });

    it('transStatus values per version: D and I do not exist in 2.1.0, S only in 2.3.1', () => {
      invalid(ares('2.1.0', { transStatus: 'D' }), '/transStatus', /2\.1\.0 has neither D nor I/);
      invalid(ares('2.1.0', { transStatus: 'I' }), '/transStatus', /must be one of/);
      invalid(ares('2.2.0', { transStatus: 'S' }), '/transStatus', /must be one of/);
    });

    it('N, U and R need a transStatusReason; Y and A an authenticationValue', () => {
      const r = ares('2.2.0', { transStatus: 'R' });
      delete r.authenticationValue;
      invalid(r, '/transStatusReason', /required when transStatus is N, U or R/);
      const a = ares('2.3.1', { transStatus: 'A' });
      delete a.authenticationValue;
      invalid(a, '/authenticationValue', /required when transStatus is Y or A/);
      invalid(ares('2.2.0', { authenticationValue: 'tooShort' }), '/authenticationValue', /28 characters/);
    });

    it('formats: transaction IDs are canonical UUIDs, eci has 2 characters, references at most 32', () => {
      invalid(ares('2.2.0', { acsTransID: 'not-a-uuid' }), '/acsTransID', /RFC 4122/);
      invalid(ares('2.2.0', { eci: '005' }), '/eci', /exactly 2 characters/);
      invalid(ares('2.2.0', { acsReferenceNumber: 'x'.repeat(33) }), '/acsReferenceNumber', /at most 32/);
    });

    it('C requires acsChallengeMandated and the challenge data of the channel', () => {
      const c = appChallengeAres('2.2.0');
      delete c.acsChallengeMandated;
      invalid(c, '/acsChallengeMandated', /required when transStatus is C or D/);
      for (const v of VERSIONS) {
        const browser = { ...appChallengeAres(v), acsURL: undefined } as Msg;
        delete browser.sdkTransID;
        delete browser.acsSignedContent;
        delete browser.acsRenderingType;
        delete browser.threeDSRequestorAppURLInd;
        delete browser.deviceInfoRecognisedVersion;
        delete browser.acsURL;
        invalid(browser, '/acsURL', /02-BRW with transStatus C: acsURL is required/, { deviceChannel: '02' });
        valid({ ...browser, acsURL: 'https://acs.example/challenge' }, { deviceChannel: '02' });
        const app = appChallengeAres(v);
        delete app.acsSignedContent;
        invalid(app, '/acsSignedContent', /acsSignedContent and acsRenderingType are required/, { deviceChannel: '01' });
      }
      const withUrl = { ...appChallengeAres('2.2.0'), acsURL: 'https://acs.example/challenge' };
      invalid(withUrl, '/acsURL', /defined for 02-BRW only/, { deviceChannel: '01' });
    });

    it('C is not valid in 3RI, nor when the AReq challenge indicator is 06', () => {
      const c = appChallengeAres('2.2.0');
      invalid(c, '/transStatus', /not valid for Device Channel 03-3RI/, { deviceChannel: '03' });
      invalid(c, '/transStatus', /indicator is 06|threeDSRequestorChallengeInd is 06/, {
        deviceChannel: '01',
        areq: areq('2.2.0', '01', { threeDSRequestorChallengeInd: '06' }),
      });
    });

    it('D needs acsDecConInd Y, cardholderInfo, and an AReq that asked for decoupled (Y, or B in 2.3.1)', () => {
      const d = (v: string, extra: Msg = {}) => {
        const m = ares(v, { transStatus: 'D', acsChallengeMandated: 'Y', acsDecConInd: 'Y', ...extra });
        delete m.authenticationValue;
        delete m.eci;
        if (v === '2.3.1') m.authenticationMethod = ['12'];
        else m.authenticationType = '04';
        m.cardholderInfo =
          v === '2.3.1' ? { text: 'Approve the payment in your banking app.' } : 'Approve the payment in your banking app.';
        return { ...m, ...extra };
      };
      const asked220 = {
        deviceChannel: '02' as const,
        areq: areq('2.2.0', '02', { threeDSRequestorDecReqInd: 'Y', threeDSRequestorDecMaxTime: '00010' }),
      };
      valid(d('2.2.0'), asked220);
      invalid(d('2.2.0'), '/transStatus', /threeDSRequestorDecReqInd is Y/, { deviceChannel: '02', areq: areq('2.2.0', '02') });
      invalid(d('2.2.0', { acsDecConInd: 'N' }), '/acsDecConInd', /a value of N is not valid/, asked220);
      const noInfo = d('2.2.0');
      delete noInfo.cardholderInfo;
      invalid(noInfo, '/cardholderInfo', /required when acsDecConInd is Y/, asked220);
      valid(d('2.3.1'), {
        deviceChannel: '02',
        areq: areq('2.3.1', '02', { threeDSRequestorDecReqInd: 'B', threeDSRequestorDecMaxTime: '00010' }),
      });
      invalid(d('2.3.1'), '/transStatus', /Y or B/, {
        deviceChannel: '02',
        areq: areq('2.3.1', '02', { threeDSRequestorDecReqInd: 'F', threeDSRequestorDecMaxTime: '00010' }),
      });
    });

    it('cardholderInfo is a string of at most 128 characters before 2.3.1 and an object {text} in 2.3.1', () => {
      invalid(ares('2.2.0', { cardholderInfo: 'x'.repeat(129) }), '/cardholderInfo', /at most 128/);
      invalid(ares('2.2.0', { cardholderInfo: { text: 'hi' } }), '/cardholderInfo', /string/);
      invalid(ares('2.3.1', { cardholderInfo: 'hi' }), '/cardholderInfo', /object/);
      valid(ares('2.3.1', { cardholderInfo: { text: 'hi' } }));
    });

    it('I only when the AReq indicator is 05, 06 or 07 (string before 2.3.1, array in 2.3.1)', () => {
      const i = (v: string) => {
        const m = ares(v, { transStatus: 'I' });
        delete m.authenticationValue;
        return m;
      };
      invalid(i('2.2.0'), '/transStatus', /05, 06 or 07/, {
        deviceChannel: '02',
        areq: areq('2.2.0', '02', { threeDSRequestorChallengeInd: '01' }),
      });
      valid(i('2.2.0'), { deviceChannel: '02', areq: areq('2.2.0', '02', { threeDSRequestorChallengeInd: '05' }) });
      valid(i('2.3.1'), { deviceChannel: '02', areq: areq('2.3.1', '02', { threeDSRequestorChallengeInd: ['07'] }) });
    });

    it('2.3.1 shapes: authenticationMethod array in place of authenticationType, deviceUserInterfaceMode, threeDSRequestorAppURLInd', () => {
      const ctx231: EmvContext = { deviceChannel: '01', areq: areq('2.3.1', '01') };
      invalid(
        appChallengeAres('2.3.1', { authenticationType: '02' }),
        '/authenticationType',
        /not a 2\.3\.1 ARes element.*authenticationMethod/,
        ctx231,
      );
      const noMethod = appChallengeAres('2.3.1');
      delete noMethod.authenticationMethod;
      invalid(noMethod, '/authenticationMethod', /required in the ARes when transStatus is C or D/, ctx231);
      invalid(appChallengeAres('2.3.1', { authenticationMethod: '02' }), '/authenticationMethod', /must be array/, ctx231);
      invalid(
        appChallengeAres('2.3.1', { acsRenderingType: { acsInterface: '01', acsUiTemplate: '01' } }),
        '/acsRenderingType/deviceUserInterfaceMode',
        /required/,
        ctx231,
      );
      const noInd = appChallengeAres('2.3.1');
      delete noInd.threeDSRequestorAppURLInd;
      invalid(noInd, '/threeDSRequestorAppURLInd', /01-APP: sdkTransID is required/, ctx231);
      const ctx220: EmvContext = { deviceChannel: '01', areq: areq('2.2.0', '01') };
      invalid(appChallengeAres('2.2.0', { authenticationMethod: ['02'] }), '/authenticationMethod', /not a 2\.2\.0 ARes element/, ctx220);
      invalid(
        appChallengeAres('2.2.0', { deviceInfoRecognisedVersion: '1.3' }),
        '/deviceInfoRecognisedVersion',
        /added in 2\.3\.1/,
        ctx220,
      );
      invalid(
        appChallengeAres('2.2.0', { acsRenderingType: rendering('2.3.1') }),
        '/acsRenderingType/deviceUserInterfaceMode',
        /not an element/,
        ctx220,
      );
    });

    it('an HTML UI template goes with the HTML interface only', () => {
      invalid(
        appChallengeAres('2.2.0', { acsRenderingType: rendering('2.2.0', '05', '01') }),
        '/acsRenderingType/acsInterface',
        /only valid with acsInterface 02/,
      );
      valid(appChallengeAres('2.2.0', { acsRenderingType: rendering('2.2.0', '05', '02') }));
      invalid(appChallengeAres('2.2.0', { acsRenderingType: rendering('2.2.0', '06', '02') }), '/acsRenderingType/acsUiTemplate', /01–05/);
    });
  });

  describe('CRes', () => {
    it('accepts the app CRes of every UI type, shaped per version', () => {
      for (const v of VERSIONS) {
        valid(textCres(v), { deviceChannel: '01' });
        const select = {
          challengeInfoLabel: 'Choose',
          challengeSelectInfo: [{ '01': 'A' }, { '02': 'B' }],
          submitAuthenticationLabel: 'SUBMIT',
        };
        const head = { challengeInfoHeader: 'H', challengeInfoText: 'T', challengeCompletionInd: 'N' };
        valid(cresHead(v, { ...head, ...select, acsUiType: '02' }), { deviceChannel: '01' });
        valid(cresHead(v, { ...head, ...select, acsUiType: '03' }), { deviceChannel: '01' });
        valid(cresHead(v, { ...head, acsUiType: '04', oobContinueLabel: 'CONTINUE' }), { deviceChannel: '01' });
        valid(cresHead(v, { acsUiType: '05', challengeCompletionInd: 'N', acsHTML: 'PGh0bWw-PC9odG1sPg' }), { deviceChannel: '01' });
        valid(cresHead(v, { challengeCompletionInd: 'Y', transStatus: 'Y', ...(v === '2.2.0' && { acsUiType: '01' }) }), {
          deviceChannel: '01',
        });
      }
      valid(cresHead('2.3.1', { acsUiType: '06', challengeCompletionInd: 'N', acsHTML: 'PGh0bWw-' }), { deviceChannel: '01' });
      valid(
        cresHead('2.3.1', {
          acsUiType: '07',
          challengeCompletionInd: 'N',
          challengeInfoHeader: 'H',
          challengeInfoText: 'T',
          infoContinueLabel: 'OK',
        }),
        { deviceChannel: '01' },
      );
    });

    it('2.3.1 text UI: challengeEntryBox is mandatory and challengeInfoLabel is not present (Table A.20)', () => {
      const noBox = textCres('2.3.1');
      delete noBox.challengeEntryBox;
      invalid(noBox, '/challengeEntryBox', /Table A\.20/);
      invalid(textCres('2.3.1', { challengeInfoLabel: 'One-time code' }), '/challengeInfoLabel', /not present \(N\) for acsUiType 01/);
      invalid(
        textCres('2.3.1', { challengeEntryBox: { challengeDataEntryMasking: 'Y', challengeDataEntryLabel: 'x' } }),
        '/challengeEntryBox/challengeDataEntryToggle',
        /Masking is Y/,
      );
      invalid(textCres('2.2.0', { challengeEntryBox: { challengeDataEntryLabel: 'x' } }), '/challengeEntryBox', /added in 2\.3\.1/);
    });

    it('UI types per version: 06/07 only in 2.3.1; OOB needs oobContinueLabel; text needs submitAuthenticationLabel', () => {
      invalid(cresHead('2.2.0', { acsUiType: '07', challengeCompletionInd: 'N' }), '/acsUiType', /01–05/);
      invalid(
        cresHead('2.2.0', { acsUiType: '04', challengeCompletionInd: 'N', challengeInfoText: 'T' }),
        '/oobContinueLabel',
        /required for acsUiType 04/,
      );
      const noSubmit = textCres('2.1.0');
      delete noSubmit.submitAuthenticationLabel;
      invalid(noSubmit, '/submitAuthenticationLabel', /required for acsUiType 01, 02, 03/);
      invalid(cresHead('2.2.0', { acsUiType: '05', challengeCompletionInd: 'N' }), '/acsHTML', /required for acsUiType 05/);
      invalid(textCres('2.2.0', { challengeInfoText: 'x'.repeat(351) }), '/challengeInfoText', /at most 350/);
    });

    it('final CRes: Y or N (D too in 2.3.1), transStatus only when complete, acsUiType in every 2.2.0 app CRes', () => {
      invalid(cresHead('2.2.0', { challengeCompletionInd: 'Y', transStatus: 'U', acsUiType: '01' }), '/transStatus', /Y or N/);
      invalid(cresHead('2.2.0', { challengeCompletionInd: 'Y', transStatus: 'D', acsUiType: '01' }), '/transStatus', /must be one of/);
      valid(cresHead('2.3.1', { challengeCompletionInd: 'Y', transStatus: 'D' }));
      invalid(cresHead('2.2.0', { challengeCompletionInd: 'Y', acsUiType: '01' }), '/transStatus', /populates transStatus/);
      invalid(textCres('2.2.0', { transStatus: 'Y' }), '/transStatus', /only the final CRes carries/);
      invalid(cresHead('2.2.0', { challengeCompletionInd: 'Y', transStatus: 'Y' }), '/acsUiType', /every app CRes/, {
        deviceChannel: '01',
      });
      valid(cresHead('2.3.1', { challengeCompletionInd: 'Y', transStatus: 'Y' }), { deviceChannel: '01' });
    });

    it('browser final CRes: transStatus, no 01-APP elements; app CRes: sdkTransID, acsCounterAtoS, challengeCompletionInd', () => {
      const browser = { threeDSServerTransID: id(), acsTransID: id(), messageType: 'CRes', messageVersion: '2.2.0', transStatus: 'Y' };
      valid(browser, { deviceChannel: '02' });
      valid({ ...browser, challengeCompletionInd: 'Y' }, { deviceChannel: '02' });
      invalid({ ...browser, acsCounterAtoS: '000' }, '/acsCounterAtoS', /01-APP-only/, { deviceChannel: '02' });
      const noStatus = { ...browser } as Msg;
      delete noStatus.transStatus;
      invalid(noStatus, '/transStatus', /final CRes and carries transStatus/, { deviceChannel: '02' });
      const app = textCres('2.2.0');
      delete app.acsCounterAtoS;
      invalid(app, '/acsCounterAtoS', /01-APP: sdkTransID, acsCounterAtoS/, { deviceChannel: '01' });
      invalid(textCres('2.2.0', { acsCounterAtoS: '256' }), '/acsCounterAtoS', /000–255/);
    });
  });

  describe('CReq', () => {
    it('oobContinue is a JSON boolean true before 2.3.1 and "01"/"02" in 2.3.1', () => {
      const creq = (v: string, extra: Msg) => ({
        threeDSServerTransID: id(),
        acsTransID: id(),
        sdkTransID: id(),
        messageType: 'CReq',
        messageVersion: v,
        sdkCounterStoA: '001',
        ...(v === '2.3.1' && { oobAppURLInd: '02' }),
        ...extra,
      });
      valid(creq('2.2.0', { oobContinue: true }), { deviceChannel: '01' });
      invalid(creq('2.2.0', { oobContinue: '01' }), '/oobContinue', /JSON Boolean/);
      valid(creq('2.3.1', { oobContinue: '01' }), { deviceChannel: '01' });
      invalid(creq('2.3.1', { oobContinue: true }), '/oobContinue', /01 cardholder clicked/);
      invalid(creq('2.2.0', { challengeCancel: '01', resendChallenge: 'Y' }), '/', /At most one of challengeCancel/);
      const noOobInd = creq('2.3.1', {});
      delete noOobInd.oobAppURLInd;
      invalid(noOobInd, '/oobAppURLInd', /oobAppURLInd are required/, { deviceChannel: '01' });
    });

    it('browser CReq: challengeWindowSize is required, app elements are absent', () => {
      const b = { threeDSServerTransID: id(), acsTransID: id(), messageType: 'CReq', messageVersion: '2.1.0', challengeWindowSize: '05' };
      valid(b, { deviceChannel: '02' });
      invalid({ ...b, challengeWindowSize: '06' }, '/challengeWindowSize', /must be one of/);
      const noSize = { ...b } as Msg;
      delete noSize.challengeWindowSize;
      invalid(noSize, '/challengeWindowSize', /02-BRW: challengeWindowSize is required/, { deviceChannel: '02' });
      invalid({ ...b, sdkTransID: id() }, '/sdkTransID', /absent from a browser CReq/, { deviceChannel: '02' });
    });
  });

  describe('RReq and RRes', () => {
    const challenged = (v: string): EmvContext => ({ deviceChannel: '02', areq: areq(v, '02'), ares: { transStatus: 'C' } });

    it('accepts the RReq of a completed browser challenge and its RRes, per version', () => {
      for (const v of VERSIONS) {
        valid(rreq(v), challenged(v));
        valid({ ...ids(), messageType: 'RRes', messageVersion: v, resultsStatus: '01' }, { deviceChannel: '02' });
      }
    });

    it('a cancelled challenge (U, challengeCancel 01) still needs a transStatusReason', () => {
      for (const v of VERSIONS) {
        const m = rreq(v, { transStatus: 'U', challengeCancel: '01' });
        delete m.authenticationValue;
        invalid(m, '/transStatusReason', /a cancelled challenge included/, challenged(v));
      }
    });

    it('challengeCancel per version, reason 14 needs 04/05, RReq only after C or D', () => {
      const u = (v: string, extra: Msg) => {
        const m = rreq(v, { transStatus: 'U', transStatusReason: '01', ...extra });
        delete m.authenticationValue;
        return m;
      };
      invalid(u('2.1.0', { challengeCancel: '03' }), '/challengeCancel', /2\.1\.0 lacks cancel code 03/);
      valid(u('2.2.0', { challengeCancel: '03' }));
      invalid(u('2.2.0', { challengeCancel: '09' }), '/challengeCancel', /01, 03–08/);
      valid(u('2.3.1', { challengeCancel: '10', challengeErrorReporting: { errorCode: '302' } }));
      invalid(
        u('2.2.0', { transStatus: 'N', transStatusReason: '14', challengeCancel: '01' }),
        '/challengeCancel',
        /must be one of "04", "05"/,
      );
      invalid(rreq('2.2.0'), 'ARes/transStatus', /follows only a challenge or a decoupled/, {
        deviceChannel: '02',
        ares: { transStatus: 'Y' },
      });
    });

    it('2.3.1 RReq: authenticationMethod array for Y/N, never authenticationType; 2.1.0 knows neither D nor authenticationMethod', () => {
      const m = rreq('2.3.1');
      delete m.authenticationMethod;
      invalid(m, '/authenticationMethod', /required in the RReq when transStatus is Y or N/);
      invalid(rreq('2.3.1', { authenticationType: '02' }), '/authenticationType', /replaced it with the authenticationMethod array/);
      invalid(rreq('2.1.0', { authenticationMethod: '02' }), '/authenticationMethod', /not a 2\.1\.0 RReq element/);
      valid(rreq('2.2.0', { authenticationMethod: '02' }));
    });

    it('channel elements: acsRenderingType and sdkTransID only for 01-APP, required there', () => {
      invalid(
        rreq('2.2.0', { acsRenderingType: rendering('2.2.0', '01', '02') }),
        '/acsRenderingType',
        /01-APP elements, absent/,
        challenged('2.2.0'),
      );
      const app: EmvContext = { deviceChannel: '01', areq: areq('2.2.0', '01'), ares: { transStatus: 'C' } };
      invalid(rreq('2.2.0'), '/sdkTransID', /01-APP: sdkTransID is required/, app);
      invalid(rreq('2.2.0', { sdkTransID: id() }), '/acsRenderingType', /acsRenderingType is required in the RReq/, app);
      valid(rreq('2.2.0', { sdkTransID: id(), acsRenderingType: rendering('2.2.0') }), app);
    });

    it('RRes resultsStatus 04 exists in 2.3.1 only', () => {
      const rres = (v: string, s: string) => ({ ...ids(), messageType: 'RRes', messageVersion: v, resultsStatus: s });
      invalid(rres('2.2.0', '04'), '/resultsStatus', /01–03/);
      valid(rres('2.3.1', '04'));
      invalid({ ...rres('2.2.0', '01'), sdkTransID: id() }, '/sdkTransID', /01-APP element, absent/, { deviceChannel: '02' });
    });
  });

  describe('Erro', () => {
    it('errorMessageType holds a 4-character message type or is absent, never ""', () => {
      valid(erro('2.2.0'));
      const noType = erro('2.2.0');
      delete noType.errorMessageType;
      valid(noType);
      invalid(erro('2.2.0', { errorMessageType: '' }), '/errorMessageType', /never an empty string/);
      invalid(erro('2.2.0', { errorMessageType: 'OReq' }), '/errorMessageType', /must be one of/);
      valid(erro('2.3.1', { errorMessageType: 'OReq' }));
    });

    it('error codes per version, the fixed field list, required description and detail', () => {
      invalid(erro('2.2.0', { errorCode: '313' }), '/errorCode', /Table A\.4/);
      valid(erro('2.3.1', { errorCode: '313' }));
      invalid(erro('2.2.0', { errorComponent: 'X' }), '/errorComponent', /must be one of/);
      invalid(erro('2.2.0', { errorDetail: '' }), '/errorDetail', /never empty|must NOT have fewer/);
      invalid(erro('2.2.0', { error: 'envelope text' }), '/error', /not an element of this object/);
    });
  });

  describe('AReq as forwarded to the DS', () => {
    it('accepts a complete AReq of every version and channel', () => {
      for (const v of VERSIONS) for (const c of ['01', '02', '03'] as const) valid(areq(v, c));
    });

    it('2.3.1 spelling: threeDSRequestorChallengeInd is an array, acquirerCountryCode and acceptLanguage are required', () => {
      valid(areq('2.3.1', '02', { threeDSRequestorChallengeInd: ['01'] }));
      invalid(areq('2.3.1', '02', { threeDSRequestorChallengeInd: '01' }), '/threeDSRequestorChallengeInd', /ARRAY/);
      invalid(areq('2.2.0', '02', { threeDSRequestorChallengeInd: ['01'] }), '/threeDSRequestorChallengeInd', /STRING/);
      const noCountry = areq('2.3.1', '02');
      delete noCountry.acquirerCountryCode;
      invalid(noCountry, '/acquirerCountryCode', /required in every channel/);
      invalid(areq('2.2.0', '02', { acquirerCountryCode: '756' }), '/acquirerCountryCode', /added in 2\.3\.1/);
      const noLang = areq('2.3.1', '02');
      delete noLang.acceptLanguage;
      invalid(noLang, '/acceptLanguage', /02-BRW: .* are required/);
    });

    it('per version and channel: no decoupled indicator in 2.1.0, no browser data in app, numeric strings, messageCategory 01/02', () => {
      invalid(areq('2.1.0', '02', { threeDSRequestorDecReqInd: 'Y' }), '/threeDSRequestorDecReqInd', /arrived in 2\.2\.0/);
      invalid(areq('2.2.0', '01', { notificationURL: 'https://shop.example/n' }), '/notificationURL', /02-BRW-only/);
      invalid(areq('2.2.0', '02', { purchaseAmount: 4599 }), '/purchaseAmount', /must be string/);
      invalid(areq('2.2.0', '02', { messageCategory: '03' }), '/messageCategory', /01 PA, 02 NPA/);
      invalid(areq('2.2.0', '02', { dsTransID: id() }), '/dsTransID', /not to the AReq the 3DS Server sends the DS/);
      const noRef = areq('2.2.0', '02');
      delete noRef.threeDSRequestorURL;
      invalid(noRef, '/threeDSRequestorURL', /required in every channel/);
    });
  });
});
