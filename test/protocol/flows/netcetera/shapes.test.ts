// The Netcetera-shaped bodies (SPEC §16) from the product's answers, each read back with the rules of
// Hyperswitch's Netcetera connector (test/helpers/hyperswitch-client.ts).
import { expect } from 'chai';
import { AppError } from '../../../../src/errors.js';
import {
  NETCETERA_PATHS,
  netceteraErrorBody,
  netceteraScheme,
  toAuthenticationResponse,
  toVersioningResponse,
} from '../../../../src/protocol/flows/netcetera/shapes.js';
import { DirectoryServerError } from '../../../../src/protocol/wire/ds-error.js';
import type { ARes, AuthenticateResponse, CardRangeOut } from '../../../../src/protocol/wire/messages.js';
import { DeserializeError, readAuthentication, readVersioning } from '../../../helpers/hyperswitch-client.js';

const ID = '8a880dc0-d2d2-4067-bcb1-b08d1690b26e';
const ACS_ID = '1f3cd3c1-5c2b-4d5e-9b7a-0a0b0c0d0e0f';
const DS_ID = '0e5b2c1a-7f3d-4b6e-8a9c-1d2e3f405162';
const ALL = ['2.1.0', '2.2.0', '2.3.1'];
const BASE = 'http://acs.test:8080';

const visa: CardRangeOut = {
  startRange: '4000000000000000',
  endRange: '4999999999999999',
  acsStartProtocolVersion: '2.1.0',
  acsEndProtocolVersion: '2.3.1',
  acsInfoInd: ['01', '02'],
};

function ares(over: Partial<ARes> = {}): ARes {
  return {
    messageType: 'ARes',
    messageVersion: '2.3.1',
    threeDSServerTransID: ID,
    acsTransID: ACS_ID,
    dsTransID: DS_ID,
    transStatus: 'Y',
    acsChallengeMandated: 'N',
    acsReferenceNumber: 'issuer1',
    acsOperatorID: 'MOCK_ACS',
    dsReferenceNumber: 'MOCK_DS',
    ...over,
  };
}

function answer(over: Partial<AuthenticateResponse> = {}, echo: Record<string, unknown> = {}): AuthenticateResponse {
  return {
    threeDSServerTransID: ID,
    transStatus: 'Y',
    acsChallengeMandated: 'N',
    purchaseDate: '20261121093000',
    authenticationRequest: { messageType: 'AReq', messageVersion: '2.3.1', acctNumber: '4000400040004000', ...echo },
    authenticationResponse: ares(),
    eci: '05',
    authenticationValue: 'AAECAwQFBgcICQoLDA0ODxAREhM=',
    ...over,
  };
}

describe('protocol/flows/netcetera/shapes: versioning', () => {
  it('names the scheme as Netcetera does and lists each ACS version; the connector picks the highest', () => {
    const v = toVersioningResponse({ threeDSServerTransID: ID, range: visa, scheme: 'visa', supportedVersions: ALL, baseUrl: BASE });
    expect(v).to.deep.equal({
      threeDSServerTransID: ID,
      isCardFoundIn2xRanges: true,
      cardRanges: [
        {
          schemeId: 'Visa',
          directoryServerId: 'A000000003',
          acsStartProtocolVersion: '2.1.0',
          acsEndProtocolVersion: '2.3.1',
          dsStartProtocolVersion: '2.1.0',
          dsEndProtocolVersion: '2.3.1',
          acsInfoInd: ['01', '02'],
          acsProtocolVersions: [
            { version: '2.1.0', acsInfoInd: ['01', '02'] },
            { version: '2.2.0', acsInfoInd: ['01', '02'] },
            { version: '2.3.1', acsInfoInd: ['01', '02'] },
          ],
          dsProtocolVersions: ['2.1.0', '2.2.0', '2.3.1'],
          highestCommonSupportedVersion: '2.3.1',
        },
      ],
    });
    expect(readVersioning(200, v)).to.deep.equal({
      kind: 'ok',
      threeDSServerTransID: ID,
      messageVersion: '2.3.1',
      directoryServerId: 'A000000003',
    });
  });

  it('hands out the 3DS Method URL on each version and the method data pointing back at this server', () => {
    const range = { ...visa, threeDSMethodURL: `${BASE}/processor/mock/acs/3ds-method` };
    const v = toVersioningResponse({ threeDSServerTransID: ID, range, scheme: 'visa', supportedVersions: ALL, baseUrl: BASE });
    const r = v.cardRanges[0];
    expect(r?.acsProtocolVersions.map((p) => p.threeDSMethodURL)).to.deep.equal(Array(3).fill(range.threeDSMethodURL));
    const data = r?.threeDSMethodDataForm?.threeDSMethodData as string;
    expect(data).to.match(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(data, 'base64url').toString('utf8'))).to.deep.equal({
      threeDSServerTransID: ID,
      threeDSMethodNotificationURL: `${BASE}${NETCETERA_PATHS.methodNotification}`,
    });
    const read = readVersioning(200, v);
    expect(read).to.include({ messageVersion: '2.3.1', threeDSMethodURL: range.threeDSMethodURL, threeDSMethodData: data });
  });

  it('stops at the highest version the server and the range share', () => {
    const mc = { ...visa, acsStartProtocolVersion: '2.2.0', acsEndProtocolVersion: '2.2.0' };
    const v = toVersioningResponse({ threeDSServerTransID: ID, range: mc, scheme: 'mastercard', supportedVersions: ALL, baseUrl: BASE });
    expect(v.cardRanges[0]).to.include({ schemeId: 'Mastercard', highestCommonSupportedVersion: '2.2.0' });
    expect(v.cardRanges[0]?.acsProtocolVersions.map((p) => p.version)).to.deep.equal(['2.2.0']);
    const older = toVersioningResponse({
      threeDSServerTransID: ID,
      range: visa,
      scheme: 'visa',
      supportedVersions: ['2.2.0', '2.1.0'],
      baseUrl: BASE,
    });
    expect(older.cardRanges[0]).to.include({ highestCommonSupportedVersion: '2.2.0', dsEndProtocolVersion: '2.2.0' });
  });

  it('has no card range for a card in no range, nor for a range sharing no version (the connector: 0.0.0)', () => {
    const none = toVersioningResponse({ threeDSServerTransID: ID, supportedVersions: ALL, baseUrl: BASE });
    expect(none).to.deep.equal({ threeDSServerTransID: ID, isCardFoundIn2xRanges: false, cardRanges: [] });
    expect(readVersioning(200, none)).to.deep.equal({ kind: 'ok', threeDSServerTransID: ID, messageVersion: '0.0.0' });
    const apart = toVersioningResponse({
      threeDSServerTransID: ID,
      range: visa,
      scheme: 'visa',
      supportedVersions: ['2.4.0'],
      baseUrl: BASE,
    });
    expect(apart.cardRanges).to.deep.equal([]);
  });

  it('maps every configured scheme onto an ID the connector knows', () => {
    expect(netceteraScheme('amex')).to.deep.equal({ schemeId: 'American Express', directoryServerId: 'A000000025' });
    expect(netceteraScheme('discover').schemeId).to.equal('Diners');
    expect(netceteraScheme('JCB').schemeId).to.equal('JCB');
    expect(netceteraScheme('unionpay').schemeId).to.equal('UnionPay');
    for (const scheme of ['visa', 'mastercard', 'amex', 'discover', 'jcb', 'unionpay']) {
      const v = toVersioningResponse({ threeDSServerTransID: ID, range: visa, scheme, supportedVersions: ALL, baseUrl: BASE });
      expect(readVersioning(200, v), scheme).to.include({ kind: 'ok' });
    }
    // A scheme the connector does not know fails its parse, so an unknown configured name is visible.
    const odd = toVersioningResponse({ threeDSServerTransID: ID, range: visa, scheme: 'elo', supportedVersions: ALL, baseUrl: BASE });
    expect(odd.cardRanges[0]?.schemeId).to.equal('elo');
    expect(() => readVersioning(200, odd)).to.throw(DeserializeError);
  });
});

describe('protocol/flows/netcetera/shapes: authentication', () => {
  it('keeps the outcome, drops the existing mock envelope extras and never has an errorDetails key', () => {
    const out = toAuthenticationResponse(
      answer({
        acsURL: 'x',
        challengeRequest: { messageType: 'CReq', messageVersion: '2.3.1', threeDSServerTransID: ID, acsTransID: ACS_ID },
      }),
    );
    expect(out).to.have.all.keys(
      'threeDSServerTransID',
      'transStatus',
      'authenticationValue',
      'eci',
      'acsChallengeMandated',
      'authenticationRequest',
      'authenticationResponse',
    );
    expect(JSON.stringify(out)).to.not.contain('errorDetails');
    const read = readAuthentication(200, out);
    expect(read).to.deep.include({ kind: 'ok', flow: { type: 'frictionless' }, transStatus: 'Y', eci: '05', dsTransId: DS_ID });
  });

  it('echoes the challenge indicator as a list whichever form the echo had (quirk 3)', () => {
    for (const ind of ['04', ['04'], ['05', '04']]) {
      const out = toAuthenticationResponse(answer({}, { threeDSRequestorChallengeInd: ind }));
      expect(out.authenticationRequest.threeDSRequestorChallengeInd).to.deep.equal(Array.isArray(ind) ? ind : [ind]);
      expect(readAuthentication(200, out)).to.include({ challengeCode: Array.isArray(ind) ? ind[0] : ind });
    }
    const none = toAuthenticationResponse(answer());
    expect(none.authenticationRequest).to.not.have.property('threeDSRequestorChallengeInd');
    // What the quirk guards against: the connector cannot read a single string there.
    const raw = { ...none, authenticationRequest: { threeDSRequestorChallengeInd: '04' } };
    expect(() => readAuthentication(200, raw)).to.throw(DeserializeError, /list/);
  });

  it('says acsChallengeMandated Y on every challenge, since the connector opens one on that flag alone (quirk 1)', () => {
    const creq = Buffer.from(JSON.stringify({ messageType: 'CReq', threeDSServerTransID: ID, acsTransID: ACS_ID })).toString('base64url');
    const {
      eci: _eci,
      authenticationValue: _av,
      ...challenge
    } = answer({
      transStatus: 'C',
      acsChallengeMandated: 'N',
      authenticationResponse: ares({ transStatus: 'C', acsURL: `${BASE}/processor/mock/acs/trigger-otp` }),
      base64EncodedChallengeRequest: creq,
    });
    const out = toAuthenticationResponse(challenge);
    expect(out).to.include({ acsChallengeMandated: 'Y', base64EncodedChallengeRequest: creq });
    expect(readAuthentication(200, out)).to.deep.include({
      flow: {
        type: 'challenge',
        params: {
          threeDSServerTransId: ID,
          acsUrl: `${BASE}/processor/mock/acs/trigger-otp`,
          challengeRequest: creq,
          acsReferenceNumber: 'issuer1',
          acsTransId: ACS_ID,
        },
      },
    });
    // Decoupled is not a challenge the client opens: it waits for the results webhook.
    const decoupled = toAuthenticationResponse(answer({ transStatus: 'D', authenticationResponse: ares({ transStatus: 'D' }) }));
    expect(decoupled.acsChallengeMandated).to.equal('N');
  });
});

describe('protocol/flows/netcetera/shapes: errors', () => {
  it('is {errorDetails} with the Erro fields, read as an error by the connector at any status (quirk 2)', () => {
    const err = new AppError('REQUIRED_ELEMENT_MISSING', 'cardholderAccountNumber: is required', { threeDSServerTransID: ID });
    const body = netceteraErrorBody(err);
    expect(body).to.deep.equal({
      errorDetails: {
        threeDSServerTransID: ID,
        errorCode: '201',
        errorComponent: 'S',
        errorDescription: 'Required data element missing',
        errorDetail: 'cardholderAccountNumber: is required',
      },
    });
    expect(readAuthentication(400, body)).to.include({ kind: 'error', code: '201', statusCode: 400 });
    expect(readAuthentication(200, body)).to.include({ kind: 'error', code: '201' });
    // The error shape wins even next to a success body: why a success must never carry errorDetails.
    const both = { ...toAuthenticationResponse(answer()), ...body };
    expect(readAuthentication(200, both)).to.include({ kind: 'error' });
    expect(readVersioning(400, body)).to.include({ kind: 'error', reason: 'cardholderAccountNumber: is required' });
  });

  it('carries the message type at fault when there is one, and the Directory Server as the component of its Erro', () => {
    const ds = new DirectoryServerError(
      { errorCode: '405', errorComponent: 'D', errorDescription: 'System failure at the Directory Server' },
      { threeDSServerTransID: ID, dsTransID: DS_ID },
      '2.2.0',
    );
    expect(netceteraErrorBody(ds).errorDetails).to.deep.equal({
      threeDSServerTransID: ID,
      dsTransID: DS_ID,
      errorCode: '405',
      errorComponent: 'D',
      errorDescription: 'System failure at the Directory Server',
      errorDetail: 'the Directory Server answered Erro 405 (component D)',
      errorMessageType: 'AReq',
    });
  });
});
