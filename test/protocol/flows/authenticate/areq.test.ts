import { expect } from 'chai';
import { AppError } from '../../../../src/errors.js';
import { parseAReq } from '../../../../src/protocol/flows/authenticate/areq.js';
import { expectThrow } from '../../../helpers/expect-error.js';
import { appAReq, type Body, browserAReq, SDK_KEY } from '../../helpers.js';

describe('protocol/flows/authenticate/areq', () => {
  it('copies a client\'s "__proto__" key as data, never as the echo\'s prototype (found by fuzzing)', () => {
    const body = browserAReq('4000400040004000');
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "chAccAgeInd": "01"}') as Record<string, unknown>;
    (body.cardholderAccount as Record<string, unknown>).acctInfo = hostile;
    const echo = parseAReq(body).echo as Record<string, unknown>;
    const nested = echo.acctInfo;
    expect(nested, 'acctInfo is echoed whole').to.be.an('object');
    const copy = nested as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).to.equal(Object.prototype);
    expect(Object.hasOwn(copy, '__proto__')).to.equal(true);
    expect((copy as { polluted?: unknown }).polluted).to.equal(undefined);
  });

  it('parses the browser fixture and turns numbers into numeric strings in the echo', () => {
    const p = parseAReq(browserAReq('4000400040004001'));
    expect(p.flow).to.equal('browser');
    expect(p.pan).to.equal('4000400040004001');
    expect(p.challengeInds).to.deep.equal(['01']);
    expect(p.challengeWindowSize).to.equal('03');
    expect(p.echo).to.include({
      purchaseAmount: '4599',
      purchaseExponent: '2',
      browserTZ: '-60',
      browserScreenWidth: '1440',
      recurringFrequency: '30',
      purchaseInstalData: '1',
    });
    expect(p.echo).to.include({ acquirerBIN: '400551', acquirerMerchantID: 'MERCHANT-0001', merchantName: 'Test Shop' });
    expect(p.echo).to.not.have.property('cardSecurityCode');
    expect(p.echo).to.not.have.property('acctNumber');
    expect(JSON.stringify(p.echo)).to.not.contain('737');
  });

  it('accepts both acquirer spellings, strings for numbers and absent optional blocks', () => {
    const p = parseAReq(
      browserAReq('4000400040004000', (b) => {
        b.acquirer = { acquirerBIN: '400551', acquirerMerchantID: 'M-2' };
        b.purchase.purchaseAmount = '4599';
        b.browserInformation.browserTZ = '120';
        delete b.cardholder;
        delete b.threeDSRequestor;
        delete b.deviceRenderOptions;
      }),
    );
    expect(p.echo).to.include({ acquirerBIN: '400551', acquirerMerchantID: 'M-2', purchaseAmount: '4599', browserTZ: '120' });
    expect(p.challengeInds).to.deep.equal([]);
  });

  it('takes the 2.3.x array challenge indicator and a numeric PAN', () => {
    const p = parseAReq(
      browserAReq('x', (b) => {
        b.threeDSRequestor.threeDSRequestorChallengeInd = ['05', '06'];
        b.cardholderAccount.acctNumber = 4000400040004007;
        b.deviceChannel = 2;
      }),
    );
    expect(p.challengeInds).to.deep.equal(['05', '06']);
    expect(p.pan).to.equal('4000400040004007');
    expect(p.deviceChannel).to.equal('02');
  });

  it('reads the fields Hyperswitch places (SPEC §15) into the echo, numbers as EMV strings', () => {
    const p = parseAReq(
      browserAReq('4000400040004000', (b) => {
        delete b.merchant.threeDSRequestorID;
        b.merchant.threeDSRequestorId = 'hs-requestor-1';
        b.threeDSRequestorURL = 'https://shop.example.test/contact';
        b.acquirer.acquirerCountryCode = 756;
        b.browserInformation.acceptLanguage = ['de-CH', 'en'];
        b.threeDSRequestor.threeDSRequestorChallengeInd = '05';
        b.purchase.purchaseCurrency = 36;
        b.purchase.purchaseExponent = 2;
        b.browserInformation.browserScreenHeight = 900;
      }),
    );
    expect(p.echo).to.deep.include({
      threeDSRequestorID: 'hs-requestor-1',
      threeDSRequestorURL: 'https://shop.example.test/contact',
      acquirerCountryCode: '756',
      acquirerCountryCodeSource: '01',
      acceptLanguage: ['de-CH', 'en'],
      threeDSRequestorChallengeInd: ['05'],
      purchaseCurrency: '036',
      purchaseExponent: '2',
      browserScreenHeight: '900',
    });
    expect(p.echo).to.not.have.property('threeDSRequestorId');
    const app = parseAReq(appAReq('5200000000004001', (b) => (b.sdkInformation.sdkMaxTimeout = 15)));
    expect(app.echo.sdkMaxTimeout).to.equal('15');
    expect(
      parseAReq(browserAReq('4000400040004000', (b) => (b.browserInformation.acceptLanguage = 'en'))).echo.acceptLanguage,
    ).to.deep.equal(['en']);
  });

  it('reads threeDSRequestorDecReqInd and messageExtension', () => {
    const p = parseAReq(
      browserAReq('4000400040004006', (b) => {
        b.threeDSRequestor.threeDSRequestorDecReqInd = 'B';
        b.threeDSRequestor.threeDSRequestorDecMaxTime = 10;
        b.messageExtension = [{ name: 'n', id: 'A000000802-001', criticalityIndicator: false, data: { k: 'v' } }];
      }),
    );
    expect(p.decReqInd).to.equal('B');
    expect(p.echo).to.include({ threeDSRequestorDecReqInd: 'B', threeDSRequestorDecMaxTime: '00010' });
    expect(p.messageExtension).to.deep.equal([{ name: 'n', id: 'A000000802-001', criticalityIndicator: false, data: { k: 'v' } }]);
    expect(p.echo.messageExtension).to.deep.equal(p.messageExtension);
    const critical = expectThrow(
      () =>
        parseAReq(
          browserAReq('4000400040004000', (b) => {
            b.messageExtension = [{ name: 'n', id: 'A000000802-009', criticalityIndicator: true, data: {} }];
          }),
        ),
      AppError,
    );
    expect([critical.spec.emvCode, critical.detail, critical.extra.errorMessageType]).to.deep.equal(['202', 'A000000802-009', 'AReq']);
  });

  it('messageCategory must be 01, 02 or 80–99 (203)', () => {
    expect(parseAReq(browserAReq('4000400040004000', (b) => (b.messageCategory = '02'))).messageCategory).to.equal('02');
    expect(parseAReq(browserAReq('4000400040004000', (b) => (b.messageCategory = '85'))).messageCategory).to.equal('85');
    for (const c of ['09', '03', 9]) {
      const e = expectThrow(() => parseAReq(browserAReq('4000400040004000', (b) => (b.messageCategory = c))), AppError);
      expect([e.spec.emvCode, e.detail.split(':')[0]]).to.deep.equal(['203', 'messageCategory']);
    }
  });

  it('names the missing element (201)', () => {
    const cases: [(b: Body) => void, string][] = [
      [(b) => delete b.threeDSServerTransID, 'threeDSServerTransID'],
      [(b) => delete b.deviceChannel, 'deviceChannel'],
      [(b) => delete b.cardholderAccount.acctNumber, 'acctNumber'],
      [(b) => delete b.merchant.notificationURL, 'notificationURL'],
    ];
    for (const [edit, name] of cases) {
      const e = expectThrow(() => parseAReq(browserAReq('4000400040004000', edit)), AppError);
      expect(e.spec.emvCode, name).to.equal('201');
      expect(e.detail).to.contain(name);
    }
  });

  it('names the invalid element (203)', () => {
    const cases: [(b: Body) => void, string][] = [
      [(b) => (b.threeDSServerTransID = 'not-a-uuid'), 'threeDSServerTransID'],
      [(b) => (b.cardholderAccount.acctNumber = '4000-abc'), 'acctNumber'],
      [(b) => (b.cardholderAccount.acctNumber = '400040004000'), 'acctNumber'],
      [(b) => (b.cardholderAccount.acctNumber = Number('4000400040004000400')), 'acctNumber'],
      [(b) => (b.deviceChannel = '09'), 'deviceChannel'],
      [(b) => (b.purchase.purchaseAmount = 45.99), 'purchaseAmount'],
      [(b) => (b.purchase.purchaseAmount = 'lots'), 'purchaseAmount'],
      [(b) => (b.purchase.purchaseDate = '2026-11-21'), 'purchaseDate'],
      [(b) => (b.merchant.notificationURL = 'javascript:alert(1)'), 'notificationURL'],
      [(b) => (b.merchant.resultsResponseNotificationUrl = 'ftp://x'), 'resultsResponseNotificationUrl'],
      [(b) => (b.browserInformation.challengeWindowSize = '09'), 'challengeWindowSize'],
      [(b) => (b.preferredProtocolVersion = 'two'), 'preferredProtocolVersion'],
      [(b) => (b.threeDSCompInd = 'X'), 'threeDSCompInd'],
      [(b) => (b.purchase = 'x'), 'purchase'],
      [(b) => (b.threeDSRequestor.threeDSRequestorChallengeInd = ['01', '02', '03']), 'threeDSRequestorChallengeInd'],
      [(b) => (b.threeDSRequestor.threeDSRequestorDecReqInd = 'X'), 'threeDSRequestorDecReqInd'],
      [(b) => (b.threeDSRequestorURL = 'not a url'), 'threeDSRequestorURL'],
      [(b) => (b.acquirer.acquirerCountryCode = '7560'), 'acquirerCountryCode'],
      [(b) => (b.browserInformation.acceptLanguage = [42]), 'acceptLanguage'],
      [(b) => (b.messageExtension = { id: 'x' }), 'messageExtension'],
    ];
    for (const [edit, name] of cases) {
      const e = expectThrow(() => parseAReq(browserAReq('4000400040004000', edit)), AppError);
      expect(e.spec.emvCode, name).to.equal('203');
      expect(e.detail, name).to.contain(name);
    }
  });

  it('refuses bodies that are not AReq objects (101)', () => {
    for (const body of [undefined, 'text', [1], null]) expect(expectThrow(() => parseAReq(body), AppError).spec.emvCode).to.equal('101');
    expect(expectThrow(() => parseAReq(browserAReq('4000400040004000', (b) => (b.messageType = 'RReq'))), AppError).spec.emvCode).to.equal(
      '101',
    );
  });

  it('normalises the three SDK key shapes to one JWK', () => {
    const nested = parseAReq(appAReq('5200000000004001'));
    const flat = parseAReq(
      appAReq('5200000000004001', (b) => {
        delete b.sdkInformation.sdkEphemPubKey;
        b.sdkEphemeralPublicKey = { ...SDK_KEY };
      }),
    );
    const top = parseAReq(
      appAReq('5200000000004001', (b) => {
        delete b.sdkInformation.sdkEphemPubKey;
        Object.assign(b, { Kty: 'EC', Crv: 'P-256', X: SDK_KEY.x, Y: SDK_KEY.y });
      }),
    );
    const asString = parseAReq(appAReq('5200000000004001', (b) => (b.sdkInformation.sdkEphemPubKey = JSON.stringify(SDK_KEY))));
    const want = { kty: 'EC', crv: 'P-256', x: SDK_KEY.x, y: SDK_KEY.y };
    for (const p of [nested, flat, top, asString]) expect(p.sdk?.sdkEphemPubKey).to.deep.equal(want);
    expect(nested.sdk?.sdkReferenceNumber).to.equal('3DS_LOA_SDK_JTPL_020200_00788');
  });

  it('validates the app channel: sdkTransID and a real P-256 key', () => {
    expect(
      expectThrow(
        () =>
          parseAReq(
            appAReq('5200000000004001', (b) => {
              delete b.sdkTransID;
              delete b.sdkInformation.sdkTransID;
            }),
          ),
        AppError,
      ).detail,
    ).to.contain('sdkTransID');
    expect(expectThrow(() => parseAReq(appAReq('5200000000004001', (b) => (b.sdkTransID = 'nope'))), AppError).spec.emvCode).to.equal(
      '203',
    );
    expect(
      expectThrow(() => parseAReq(appAReq('5200000000004001', (b) => delete b.sdkInformation.sdkEphemPubKey)), AppError).spec.emvCode,
    ).to.equal('201');
    const offCurve = expectThrow(
      () => parseAReq(appAReq('5200000000004001', (b) => (b.sdkInformation.sdkEphemPubKey = { ...SDK_KEY, y: SDK_KEY.x }))),
      AppError,
    );
    expect(offCurve.spec.emvCode).to.equal('203');
    expect(offCurve.detail).to.contain('sdkEphemPubKey');
  });
});
