// The Netcetera-shaped API (SPEC §16) in-process: requests built as Hyperswitch's connector serializes
// them, answers read with its rules (test/helpers/hyperswitch-client.ts), over the product's flows and
// store: the same transactions the existing API sees.
import { expect } from 'chai';
import { AppError } from '../../../../src/errors.js';
import { netceteraErrorBody } from '../../../../src/protocol/flows/netcetera/shapes.js';
import { expectRejection } from '../../../helpers/expect-error.js';
import {
  type AuthenticationInput,
  type AuthnResponse,
  authenticationBody,
  checkout,
  type PreAuthn,
  readAuthentication,
  readResultsWebhook,
  readVersioning,
  versioningBody,
} from '../../../helpers/hyperswitch-client.js';
import { type Harness, harness, SDK_KEY, testConfig } from '../../helpers.js';

const RETURN_URL = 'https://shop.example.test/payments/pay_42/redirect/complete';
const WEBHOOK_URL = 'https://shop.example.test/webhooks/merchant_1/mca_9';

async function preAuthn(h: Harness, pan: string): Promise<PreAuthn> {
  const r = readVersioning(
    200,
    await h.protocol.netcetera.versioning(versioningBody({ number: pan, expiryMonth: '11', expiryYear: '2029', cvc: '737' }), h.ctx),
  );
  if (r.kind !== 'ok') throw new Error(`versioning failed: ${r.message}`);
  return r;
}

async function authenticate(
  h: Harness,
  pan: string,
  over: Partial<AuthenticationInput> = {},
  edit?: (body: Record<string, unknown>) => void,
): Promise<{ p: PreAuthn; body: Record<string, unknown>; read: AuthnResponse }> {
  const p = await preAuthn(h, pan);
  const body = authenticationBody(checkout(p, pan, { returnUrl: RETURN_URL, webhookUrl: WEBHOOK_URL, ...over }));
  edit?.(body);
  const read = readAuthentication(200, await h.protocol.netcetera.authentication(body, h.ctx));
  if (read.kind !== 'ok') throw new Error(`authentication failed: ${read.message}`);
  return { p, body, read };
}

/** What the connector would receive for a refused call: the error body it reads. */
async function refused(call: Promise<unknown>): Promise<AppError> {
  const err = await expectRejection(call, AppError);
  const read = readAuthentication(err.spec.status, netceteraErrorBody(err));
  expect(read.kind).to.equal('error');
  return err;
}

describe('protocol/flows/netcetera: versioning', () => {
  it('opens a transaction for a card in range and answers its card range', async () => {
    const h = harness();
    const p = await preAuthn(h, '4000400040004000');
    expect(p).to.deep.include({ messageVersion: '2.3.1', directoryServerId: 'A000000003' });
    expect(p.threeDSServerTransID).to.match(/^[0-9a-f-]{36}$/);
  });

  it('answers no card range for a card outside every range (not enrolled)', async () => {
    const h = harness();
    const v = await h.protocol.netcetera.versioning({ cardholderAccountNumber: '9000400040004000', schemeId: null }, h.ctx);
    expect(v).to.include({ isCardFoundIn2xRanges: false });
    expect(v.cardRanges).to.deep.equal([]);
  });

  it('hands out the 3DS Method of card 4014 and the transaction notes when the method ran', async () => {
    const h = harness();
    const p = await preAuthn(h, '4000400040004014');
    expect(p.threeDSMethodURL).to.equal('http://acs.test:8080/processor/mock/acs/3ds-method');
    await h.protocol.threeDSMethod({ threeDSMethodData: p.threeDSMethodData }, h.ctx);
    const body = authenticationBody(
      checkout(p, '4000400040004014', { returnUrl: RETURN_URL, webhookUrl: WEBHOOK_URL, methodCompInd: 'Y' }),
    );
    const read = readAuthentication(200, await h.protocol.netcetera.authentication(body, h.ctx));
    expect(read).to.deep.include({ kind: 'ok', transStatus: 'Y', flow: { type: 'frictionless' } });
  });

  it('refuses a missing (201) or malformed (203) cardholderAccountNumber and a body that is no object (101)', async () => {
    const h = harness();
    expect((await refused(h.protocol.netcetera.versioning({ schemeId: 'Visa' }, h.ctx))).spec.emvCode).to.equal('201');
    const bad = await refused(h.protocol.netcetera.versioning({ cardholderAccountNumber: '4000-abc' }, h.ctx));
    expect(bad.spec.emvCode).to.equal('203');
    expect(bad.detail).to.contain('cardholderAccountNumber');
    expect((await refused(h.protocol.netcetera.versioning([], h.ctx))).spec.emvCode).to.equal('101');
  });
});

describe('protocol/flows/netcetera: authentication', () => {
  it('frictionless: Y with the ECI and authentication value of the scheme', async () => {
    const h = harness();
    const { read } = await authenticate(h, '4000400040004000');
    expect(read).to.deep.include({ flow: { type: 'frictionless' }, transStatus: 'Y', eci: '05' });
    expect(read.authenticationValue).to.have.length(28);
    const mc = await authenticate(h, '5100000000004000', {
      card: { number: '5100000000004000', expiryMonth: '01', expiryYear: '2030', cvc: '123' },
    });
    expect(mc.read).to.include({ transStatus: 'Y', eci: '02' });
    expect(mc.read.authenticationValue?.startsWith('kA')).to.equal(true);
  });

  it('reads the body with a null for every absent field, as serde writes it when no field is skipped', async () => {
    const h = harness();
    const nulls = (o: Record<string, unknown>) => {
      for (const k of [
        'threeDSMethodId',
        'broadInfo',
        'messageExtension',
        'challengeMessageExtension',
        'threeRIInd',
        'sdkInformation',
        'deviceRenderOptions',
        'device',
        'multiTransaction',
        'deviceId',
        'userId',
        'payeeOrigin',
      ])
        o[k] = null;
      Object.assign(o.merchant as object, {
        merchantConfigurationId: null,
        whiteListStatus: null,
        trustListStatus: null,
        sellerInfo: null,
      });
      Object.assign(o.cardholder as object, {
        addrMatch: null,
        billAddrLine2: null,
        billAddrLine3: null,
        billAddrState: null,
        shipAddrCity: null,
        taxId: null,
      });
    };
    const { read } = await authenticate(h, '4000400040004000', {}, nulls);
    expect(read).to.include({ transStatus: 'Y' });
  });

  it('challenge: C with acsChallengeMandated Y, the ACS page as acsURL and a CReq for it', async () => {
    const h = harness();
    const { p, read } = await authenticate(h, '4000400040004001');
    expect(read.transStatus).to.equal('C');
    if (read.flow.type !== 'challenge') throw new Error('expected a challenge');
    const params = read.flow.params;
    expect(params.acsUrl).to.equal('http://acs.test:8080/processor/mock/acs/trigger-otp');
    const creq = JSON.parse(Buffer.from(params.challengeRequest as string, 'base64url').toString('utf8'));
    expect(creq).to.include({
      messageType: 'CReq',
      threeDSServerTransID: p.threeDSServerTransID,
      acsTransID: params.acsTransId,
      challengeWindowSize: '05',
    });
    // The same transaction the existing API sees: final says the challenge is still open.
    const err = await expectRejection(h.protocol.final({ threeDSServerTransID: p.threeDSServerTransID }, h.ctx), AppError);
    expect(err.kind).to.equal('RESULTS_PENDING');
  });

  it('echoes the challenge indicator as a list, sent as a list (2.3.x) or as a string (2.2.0)', async () => {
    const h = harness();
    const forced = await authenticate(h, '4000400040004000', { forceChallenge: true });
    expect(forced.body.threeDSRequestor).to.deep.include({ threeDSRequestorChallengeInd: ['04'] });
    expect(forced.read).to.include({ transStatus: 'C', challengeCode: '04' });
    expect(forced.read.flow.type).to.equal('challenge');
    // The 2.2.0-only range: the connector sends a string; the answer still echoes a list.
    const older = await authenticate(h, '5155010000004000', {
      card: { number: '5155010000004000', expiryMonth: '01', expiryYear: '2030', cvc: '123' },
      forceChallenge: true,
    });
    expect(older.p.messageVersion).to.equal('2.2.0');
    expect(older.body.threeDSRequestor).to.deep.include({ threeDSRequestorChallengeInd: '04' });
    expect(older.read).to.include({ transStatus: 'C', challengeCode: '04' });
  });

  it('a TRA exemption (indicator 05) on card 4007: I, informational', async () => {
    const h = harness();
    const { read } = await authenticate(h, '4000400040004007', { traExemption: true });
    expect(read).to.deep.include({ transStatus: 'I', challengeCode: '05', flow: { type: 'frictionless' } });
  });

  it('decoupled card 4006 as the connector sends it today (no threeDSRequestorDecReqInd): a code challenge', async () => {
    const h = harness();
    const { body, read } = await authenticate(h, '4000400040004006');
    expect(body.threeDSRequestor).to.have.property('threeDSRequestorDecReqInd', null);
    expect(read).to.include({ transStatus: 'C' });
    expect(read.flow.type).to.equal('challenge');
  });

  it('decoupled (threeDSRequestorDecReqInd Y): D without a challenge to open, then the results push the connector reads as Y', async () => {
    const pushed: unknown[] = [];
    const fetchImpl = (async (_url: string, init: RequestInit) => {
      pushed.push(JSON.parse(String(init.body)));
      return new Response(null, { status: 200 });
    }) as typeof fetch;
    const h = harness({ config: testConfig((c) => (c.protocol.decoupledDelayMs = 1000)), fetchImpl });
    const { p, read } = await authenticate(h, '4000400040004006', { decoupledRequest: 'Y' });
    expect(read).to.deep.include({ transStatus: 'D', flow: { type: 'frictionless' } });
    h.clock.now += 1000;
    await h.protocol.load(p.threeDSServerTransID);
    await h.protocol.idle();
    expect(pushed).to.have.length(1);
    const hook = readResultsWebhook(pushed[0]);
    expect(hook).to.include({ threeDSServerTransID: p.threeDSServerTransID, transStatus: 'Y', eci: '05' });
    expect(hook.resultsRequest).to.include({ messageType: 'RReq', transStatus: 'Y' });
    await h.protocol.close();
  });

  it('app: C with the signed content for the SDK, the preferred version enforced', async () => {
    const h = harness({ extra: { appChallenge: { prepare: async () => ({ acsSignedContent: 'e30.e30.sig', app: {} }) } } });
    const sdk = {
      sdkAppId: '9063b12c-fcde-43c7-b28e-8d0af5520e8a',
      sdkEncData: 'eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.e30.e30.e30.e30',
      sdkEphemPubKey: { ...SDK_KEY },
      sdkMaxTimeout: 15,
      sdkReferenceNumber: '3DS_LOA_SDK_JTPL_020200_00788',
      sdkTransId: 'b2385523-a66c-4907-ac3c-91848e8c0067',
    };
    const { body, read } = await authenticate(h, '4000400040004001', { deviceChannel: 'app', sdk, methodCompInd: 'U' });
    expect(body).to.include({ enforcePreferredProtocolVersion: true, deviceChannel: '01' });
    expect(read.transStatus).to.equal('C');
    if (read.flow.type !== 'challenge') throw new Error('expected a challenge');
    expect(read.flow.params).to.include({ acsSignedContent: 'e30.e30.sig' });
    expect(read.flow.params).to.not.have.property('acsUrl');
  });

  it('preferredProtocolVersion "latest" is the highest version', async () => {
    const h = harness();
    const { read } = await authenticate(h, '4000400040004000', {}, (b) => (b.preferredProtocolVersion = 'latest'));
    expect(read.transStatus).to.equal('Y');
  });

  it('errors: a Directory Server Erro (502, component D), a card in no range (305), a retry that differs (409)', async () => {
    const h = harness();
    const p = await preAuthn(h, '4000400040004012');
    const ds = await refused(
      h.protocol.netcetera.authentication(
        authenticationBody(checkout(p, '4000400040004012', { returnUrl: RETURN_URL, webhookUrl: WEBHOOK_URL })),
        h.ctx,
      ),
    );
    expect(ds.spec.status).to.equal(502);
    expect(netceteraErrorBody(ds).errorDetails).to.include({ errorComponent: 'D', errorCode: '405' });
    const none = await refused(
      h.protocol.netcetera.authentication(
        authenticationBody(
          checkout({ ...p, messageVersion: '2.2.0' }, '9000400040004000', { returnUrl: RETURN_URL, webhookUrl: WEBHOOK_URL }),
        ),
        h.ctx,
      ),
    );
    expect(none.spec.emvCode).to.equal('305');
    const { body } = await authenticate(h, '4000400040004000');
    const again = await h.protocol.netcetera.authentication(body, h.ctx);
    expect(again.transStatus).to.equal('Y');
    const conflict = await refused(h.protocol.netcetera.authentication({ ...body, threeDSCompInd: 'Y' }, h.ctx));
    expect(conflict.spec.status).to.equal(409);
  });
});

describe('protocol/flows/netcetera: challenge-response', () => {
  async function challenged(h: Harness) {
    const { p, read } = await authenticate(h, '4000400040004001');
    if (read.flow.type !== 'challenge') throw new Error('expected a challenge');
    return { id: p.threeDSServerTransID, acsTransID: read.flow.params.acsTransId as string };
  }
  const encode = (o: unknown, enc: BufferEncoding = 'base64') => Buffer.from(JSON.stringify(o)).toString(enc);

  it('decodes a final CRes (base64 or base64url) of a transaction it knows', async () => {
    const h = harness();
    const { id, acsTransID } = await challenged(h);
    const cres = {
      threeDSServerTransID: id,
      acsTransID,
      messageType: 'CRes',
      messageVersion: '2.3.1',
      transStatus: 'Y',
      challengeCompletionInd: 'Y',
    };
    for (const enc of ['base64', 'base64url'] as const) {
      const b64 = encode(cres, enc);
      expect(await h.protocol.netcetera.challengeResponse({ base64EncodedCRes: b64 })).to.deep.equal({
        threeDSServerTransID: id,
        base64EncodedCRes: b64,
        challengeResponse: cres,
      });
    }
  });

  it('refuses a missing one (201), one that is not a CRes (101, 203), another ACS transaction (305), an unknown one (301)', async () => {
    const h = harness();
    const { id, acsTransID } = await challenged(h);
    const api = h.protocol.netcetera;
    const cres = { threeDSServerTransID: id, acsTransID, messageType: 'CRes', messageVersion: '2.3.1', transStatus: 'Y' };
    expect((await refused(api.challengeResponse({}))).spec.emvCode).to.equal('201');
    expect((await refused(api.challengeResponse({ base64EncodedCRes: '%%%' }))).spec.emvCode).to.equal('203');
    expect((await refused(api.challengeResponse({ base64EncodedCRes: encode({ ...cres, messageType: 'CReq' }) }))).spec.emvCode).to.equal(
      '101',
    );
    const other = await refused(
      api.challengeResponse({ base64EncodedCRes: encode({ ...cres, acsTransID: '3c6d5b0e-0000-4000-8000-000000000001' }) }),
    );
    expect(other.spec.emvCode).to.equal('305');
    const unknown = await refused(
      api.challengeResponse({ base64EncodedCRes: encode({ ...cres, threeDSServerTransID: '3c6d5b0e-0000-4000-8000-000000000002' }) }),
    );
    expect(unknown.spec).to.include({ emvCode: '301', status: 404 });
  });
});
