// The app challenge (SPEC §6) end to end at the protocol level: an app AReq with the independent TestSdk's
// key, acsSignedContent verified with its x5c certificate, the session key derived by the SDK side, then
// the CReq/CRes conversation for every UI and both encryptions, with PS256 and ES256 credentials. The
// server's crypto modules are only used to build the server; the SDK side is test/helpers/sdk.ts.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { CompactEncrypt } from 'jose';
import type { AcsCredentials } from '../../../../src/crypto/acs-credentials.js';
import { loadAcsCredentials } from '../../../../src/crypto/acs-credentials.js';
import { type CryptoService, createCryptoService } from '../../../../src/crypto/crypto-service.js';
import { AppError } from '../../../../src/errors.js';
import { createMetrics } from '../../../../src/metrics.js';
import type { AppChallengeReply } from '../../../../src/protocol/flows/app-challenge/app-challenge.js';
import { appChallengeHook } from '../../../../src/protocol/flows/app-challenge/app-prepare.js';
import type { Protocol } from '../../../../src/protocol/protocol.js';
import { testConfig as cryptoConfig, silentLogger, tempDirs, withSigning } from '../../../crypto/fixtures.js';
import { expectRejection } from '../../../helpers/expect-error.js';
import { type SdkEnc, TestSdk } from '../../../helpers/sdk.js';
import { appAReq, type Body, type Harness, harness } from '../../helpers.js';

const ENCS: SdkEnc[] = ['A128CBC-HS256', 'A128GCM'];

/** Card, UI and the answer that succeeds, per default scenario. */
const UIS = [
  { pan: '4000000000004001', acsUiType: '01', right: { challengeDataEntry: '1234' } },
  { pan: '4000000000004008', acsUiType: '02', right: { challengeDataEntry: '02' } },
  { pan: '4000000000004009', acsUiType: '03', right: { challengeDataEntry: '03,01' } },
  { pan: '4000000000004010', acsUiType: '04', right: { oobContinue: true } },
  { pan: '4000000000004011', acsUiType: '05', right: { challengeHTMLDataEntry: 'code=1234&action=submit' } },
] as const;

type Cres = Record<string, unknown>;

async function services(dataDir: string, algorithm: 'PS256' | 'ES256'): Promise<{ crypto: CryptoService; credentials: AcsCredentials }> {
  const config = withSigning(cryptoConfig(), { dataDir, algorithm });
  const credentials = await loadAcsCredentials({ config });
  const crypto = await createCryptoService({
    config,
    logger: silentLogger,
    metrics: createMetrics('worker', { defaults: false }),
    workers: 1,
    cores: 1,
    credentials,
  });
  return { crypto, credentials };
}

/** An app AReq carrying the SDK's key and IDs (sdkInformation shape unless edited). */
function sdkAReq(sdk: TestSdk, pan: string, edit?: (b: Body) => void): Body {
  return appAReq(pan, (b) => {
    b.sdkTransID = sdk.sdkTransID;
    b.sdkInformation = sdk.sdkInformation();
    edit?.(b);
  });
}

/** authenticate, then the SDK verifies acsSignedContent and derives its session key. */
async function begin(h: Harness, sdk: TestSdk, pan: string, edit?: (b: Body) => void) {
  const body = sdkAReq(sdk, pan, edit);
  const r = await h.protocol.authenticate(body, h.ctx);
  const ares = r.authenticationResponse;
  expect(ares.transStatus).to.equal('C');
  const verified = await sdk.startChallenge({
    acsSignedContent: ares.acsSignedContent as string,
    acsTransID: ares.acsTransID,
    threeDSServerTransID: ares.threeDSServerTransID,
    messageVersion: ares.messageVersion,
  });
  return { body, ares, verified };
}

async function cres(p: Protocol, sdk: TestSdk, fields: Record<string, unknown> = {}): Promise<Cres> {
  const reply = await p.appChallenge(await sdk.nextCReq(fields));
  if (reply.type !== 'cres') throw new Error(`expected a CRes, got ${JSON.stringify(reply)}`);
  return sdk.decryptCRes(reply.jwe);
}

function erro(reply: AppChallengeReply): Record<string, unknown> {
  if (reply.type !== 'erro') throw new Error(`expected an Erro, got ${reply.type}`);
  expect(reply.erro).to.include({ messageType: 'Erro', errorComponent: 'A' });
  return reply.erro as unknown as Record<string, unknown>;
}

function expectEcho(m: Cres, sdk: TestSdk, counter: string): void {
  expect(m).to.include({
    messageType: 'CRes',
    threeDSServerTransID: sdk.threeDSServerTransID,
    acsTransID: sdk.acsTransID,
    sdkTransID: sdk.sdkTransID,
    messageVersion: sdk.messageVersion,
    acsCounterAtoS: counter,
  });
}

describe('protocol/flows/app-challenge', () => {
  const tmp = tempDirs();
  const made: { crypto: CryptoService; credentials: AcsCredentials }[] = [];
  after(async () => {
    await Promise.all(made.map((m) => m.crypto.close()));
    await tmp.cleanup();
  });

  for (const alg of ['PS256', 'ES256'] as const) {
    describe(`with ${alg} credentials`, () => {
      let svc: { crypto: CryptoService; credentials: AcsCredentials };
      let h: Harness;
      before(async () => {
        svc = await services(await tmp.make(), alg);
        made.push(svc);
      });
      beforeEach(() => {
        h = harness({ extra: { crypto: svc.crypto } });
      });
      afterEach(() => h.protocol.close());

      for (const enc of ENCS) {
        for (const ui of UIS) {
          it(`${ui.pan.slice(-4)} (acsUiType ${ui.acsUiType}), ${enc}: UI, then the right answer gives Y`, async () => {
            const sdk = new TestSdk({ enc });
            const { ares, verified } = await begin(h, sdk, ui.pan);
            expect(verified.alg).to.equal(alg);
            expect(verified.certificate.raw.toString('base64')).to.equal(svc.credentials.x5c[0]);
            expect(verified.payload).to.include({
              acsURL: `${h.ctx.baseUrl}/challenge`,
              acsTransID: ares.acsTransID,
              acsRefNumber: ares.acsReferenceNumber,
            });
            // HTML (05) only with the HTML interface (Annex A Table A.14); 2.2.0 has no deviceInfoRecognisedVersion.
            const acsInterface = ui.acsUiType === '05' ? '02' : '01';
            expect(ares.acsRenderingType).to.deep.equal({ acsInterface, acsUiTemplate: ui.acsUiType });
            expect(ares).to.include({ sdkTransID: sdk.sdkTransID, acsChallengeMandated: 'Y' });
            expect(ares).to.not.have.property('deviceInfoRecognisedVersion');
            const stored = await h.store.getByAcsTransID(ares.acsTransID);
            expect(stored?.value.threeDSServerTransID).to.equal(ares.threeDSServerTransID);

            const first = await cres(h.protocol, sdk);
            expectEcho(first, sdk, '000');
            expect(first).to.include({ acsUiType: ui.acsUiType, challengeCompletionInd: 'N' });
            expect(first).to.not.have.property('transStatus');

            const last = await cres(h.protocol, sdk, ui.right);
            expectEcho(last, sdk, '001');
            expect(last).to.include({ challengeCompletionInd: 'Y', transStatus: 'Y' });

            const fin = await h.protocol.final({ threeDSServerTransID: ares.threeDSServerTransID }, h.ctx);
            expect(fin).to.include({ transStatus: 'Y', eci: '05' });
            expect(fin.authenticationValue).to.match(/^[A-Za-z0-9+/]{27}=$/);
            expect(fin.resultsRequest).to.include({ sdkTransID: sdk.sdkTransID, interactionCounter: '01' });
            expect(fin.resultsRequest?.acsRenderingType).to.deep.equal({ acsInterface, acsUiTemplate: ui.acsUiType });
            const rec = await h.protocol.load(ares.threeDSServerTransID);
            expect(rec?.app).to.include({ enc, sdkCounterStoA: 2, acsCounterAtoS: 2, acsUiType: ui.acsUiType });
          });
        }
      }
    });
  }

  describe('conversation and errors (ES256)', () => {
    let svc: { crypto: CryptoService; credentials: AcsCredentials };
    let h: Harness;
    before(async () => {
      svc = await services(await tmp.make(), 'ES256');
      made.push(svc);
    });
    beforeEach(() => {
      h = harness({ extra: { crypto: svc.crypto } });
    });
    afterEach(() => h.protocol.close());

    it('each UI carries the elements EMV requires for it', async () => {
      const seen: Record<string, Cres> = {};
      for (const ui of UIS) {
        const sdk = new TestSdk();
        await begin(h, sdk, ui.pan);
        seen[ui.acsUiType] = await cres(h.protocol, sdk, { challengeNoEntry: 'Y' });
      }
      const text = seen['01'] as Cres;
      expect(text).to.include.keys(
        'challengeInfoHeader',
        'challengeInfoText',
        'challengeInfoLabel',
        'submitAuthenticationLabel',
        'resendInformationLabel',
        'whyInfoLabel',
        'expandInfoLabel',
      );
      expect(text.challengeInfoTextIndicator).to.equal('N');
      // The code nowhere in what the app shows; the transaction IDs (random hex) may contain its digits by chance.
      const shown = JSON.stringify(text).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>');
      expect(shown).to.not.contain('1234');
      expect(seen['02']?.challengeSelectInfo).to.deep.equal([
        { '01': 'Mobile ending 1111' },
        { '02': 'Mobile ending 2222 (correct)' },
        { '03': 'Email a***@example.test' },
      ]);
      expect(seen['02']).to.not.have.property('resendInformationLabel');
      expect(seen['03']?.challengeSelectInfo).to.have.length(4);
      expect(seen['04']).to.include.keys('oobContinueLabel', 'challengeInfoText');
      expect(seen['04']).to.not.have.property('submitAuthenticationLabel');
      const html = Buffer.from(seen['05']?.acsHTML as string, 'base64url').toString('utf8');
      expect(seen['05']?.acsHTML).to.match(/^[A-Za-z0-9_-]+$/);
      expect(html).to.match(/<form method="post" action="HTTPS:\/\/EMV3DS\/challenge">/);
      expect(html).to.contain('name="code"').and.not.contain('<script');
    });

    it('wrong codes count down in the CRes, then end N with results N (reason 01)', async () => {
      const sdk = new TestSdk({ enc: 'A128GCM' });
      const { ares } = await begin(h, sdk, '4000000000004001');
      await cres(h.protocol, sdk);
      const w1 = await cres(h.protocol, sdk, { challengeDataEntry: '0000' });
      expect(w1).to.include({ challengeCompletionInd: 'N', challengeInfoTextIndicator: 'Y', acsCounterAtoS: '001' });
      expect(w1.challengeInfoText).to.contain('2 attempts left');
      const w2 = await cres(h.protocol, sdk, { challengeNoEntry: 'Y' });
      expect(w2.challengeInfoText).to.contain('1 attempt left');
      const last = await cres(h.protocol, sdk, { challengeDataEntry: '9999' });
      expect(last).to.include({ challengeCompletionInd: 'Y', transStatus: 'N', acsCounterAtoS: '003' });
      const fin = await h.protocol.final({ threeDSServerTransID: ares.threeDSServerTransID }, h.ctx);
      expect(fin.transStatus).to.equal('N');
      expect(fin.resultsRequest).to.include({ transStatusReason: '01', interactionCounter: '03' });
    });

    it('wrong select answers are wrong; the right multi set in any order is right', async () => {
      const single = new TestSdk();
      await begin(h, single, '4000000000004008');
      await cres(h.protocol, single);
      expect((await cres(h.protocol, single, { challengeDataEntry: '01' })).challengeInfoTextIndicator).to.equal('Y');
      expect((await cres(h.protocol, single, { challengeDataEntry: '02' })).transStatus).to.equal('Y');
      const multi = new TestSdk();
      await begin(h, multi, '4000000000004009');
      await cres(h.protocol, multi);
      expect((await cres(h.protocol, multi, { challengeDataEntry: '01' })).challengeCompletionInd).to.equal('N');
      expect((await cres(h.protocol, multi, { challengeDataEntry: '01,02,03' })).challengeCompletionInd).to.equal('N');
      expect((await cres(h.protocol, multi, { challengeDataEntry: '03,01' })).transStatus).to.equal('Y');
    });

    it('resend shows a notice, and only for code UIs; OOB waits for oobContinue', async () => {
      const sdk = new TestSdk();
      await begin(h, sdk, '4000000000004001');
      await cres(h.protocol, sdk);
      const again = await cres(h.protocol, sdk, { resendChallenge: 'Y' });
      expect(again.challengeInfoText).to.match(/new code/);
      expect(again.challengeCompletionInd).to.equal('N');
      expect((await cres(h.protocol, sdk, { challengeDataEntry: '1234' })).transStatus).to.equal('Y');
      const oob = new TestSdk();
      await begin(h, oob, '4000000000004010');
      await cres(h.protocol, oob);
      expect((await cres(h.protocol, oob, { challengeNoEntry: 'Y' })).challengeCompletionInd).to.equal('N');
      expect((await cres(h.protocol, oob, { oobContinue: true })).transStatus).to.equal('Y');
    });

    it('HTML: the form body drives the challenge (cancel button, code)', async () => {
      const sdk = new TestSdk({ enc: 'A128GCM' });
      const { ares } = await begin(h, sdk, '4000000000004011');
      await cres(h.protocol, sdk);
      const wrong = await cres(h.protocol, sdk, { challengeHTMLDataEntry: 'code=1111&action=submit' });
      expect(Buffer.from(wrong.acsHTML as string, 'base64url').toString()).to.contain('2 attempts left');
      const done = await cres(h.protocol, sdk, { challengeHTMLDataEntry: 'action=cancel' });
      expect(done).to.include({ challengeCompletionInd: 'Y', transStatus: 'N' });
      const fin = await h.protocol.final({ threeDSServerTransID: ares.threeDSServerTransID }, h.ctx);
      expect(fin.resultsRequest).to.include({ transStatus: 'U', challengeCancel: '01' });
    });

    it('challengeCancel ends the challenge: final CRes N, results U with the SDK code', async () => {
      const sdk = new TestSdk();
      const { ares } = await begin(h, sdk, '4000000000004001');
      await cres(h.protocol, sdk);
      const done = await cres(h.protocol, sdk, { challengeCancel: '04', challengeDataEntry: '1234' });
      expect(done).to.include({ challengeCompletionInd: 'Y', transStatus: 'N' });
      const fin = await h.protocol.final({ threeDSServerTransID: ares.threeDSServerTransID }, h.ctx);
      expect(fin).to.include({ transStatus: 'U', eci: '07' });
      expect(fin.resultsRequest).to.include({ challengeCancel: '04' });
    });

    it('2.3.1 CRes: the text UI has challengeEntryBox instead of challengeInfoLabel; no acsUiType in the final CRes', async () => {
      const sdk = new TestSdk();
      const { ares } = await begin(h, sdk, '4000000000004001', (b) => (b.preferredProtocolVersion = '2.3.1'));
      expect(ares.messageVersion).to.equal('2.3.1');
      const first = await cres(h.protocol, sdk);
      expect(first).to.include({ messageVersion: '2.3.1', acsUiType: '01' });
      expect(first.challengeEntryBox).to.deep.include({ challengeDataEntryLabel: 'One-time code', challengeDataEntryKeyboardType: '01' });
      expect(first).to.not.have.property('challengeInfoLabel');
      const last = await cres(h.protocol, sdk, { challengeDataEntry: '1234' });
      expect(last).to.include({ challengeCompletionInd: 'Y', transStatus: 'Y' });
      expect(last).to.not.have.property('acsUiType');
      const fin = await h.protocol.final({ threeDSServerTransID: ares.threeDSServerTransID }, h.ctx);
      expect(fin.resultsRequest?.authenticationMethod).to.deep.equal(['02']);
      expect(fin.resultsRequest?.acsRenderingType).to.deep.equal({
        acsInterface: '01',
        acsUiTemplate: '01',
        deviceUserInterfaceMode: '01',
      });
    });

    it('2.2.0 CRes: challengeInfoLabel, no challengeEntryBox; acsUiType in every CRes, the final one included', async () => {
      const sdk = new TestSdk();
      await begin(h, sdk, '4000000000004001');
      const first = await cres(h.protocol, sdk);
      expect(first).to.include({ challengeInfoLabel: 'One-time code' });
      expect(first).to.not.have.property('challengeEntryBox');
      expect(await cres(h.protocol, sdk, { challengeDataEntry: '1234' })).to.include({ challengeCompletionInd: 'Y', acsUiType: '01' });
    });

    it('oobContinue as 2.3.1 SDKs send it ("01" button, "02" automatic) and as 2.2.0 ones do (true)', async () => {
      for (const [version, value] of [
        ['2.3.1', '01'],
        ['2.3.1', '02'],
        ['2.2.0', true],
      ] as const) {
        const sdk = new TestSdk();
        await begin(h, sdk, '4000000000004010', (b) => (b.preferredProtocolVersion = version));
        await cres(h.protocol, sdk);
        expect((await cres(h.protocol, sdk, { oobContinue: value })).transStatus, `${version} ${value}`).to.equal('Y');
      }
      const sdk = new TestSdk();
      await begin(h, sdk, '4000000000004010', (b) => (b.preferredProtocolVersion = '2.3.1'));
      await cres(h.protocol, sdk);
      expect(erro(await h.protocol.appChallenge(await sdk.nextCReq({ oobContinue: '03' })))).to.include({ errorCode: '203' });
    });

    it('cancel codes: 2.3.1 SDKs may send 08–10; a 2.2.0 RReq maps them, and a cancel always has a reason', async () => {
      const run = async (version: string, code: string) => {
        const sdk = new TestSdk();
        const { ares } = await begin(h, sdk, '4000000000004001', (b) => (b.preferredProtocolVersion = version));
        await cres(h.protocol, sdk);
        await cres(h.protocol, sdk, { challengeCancel: code });
        return (await h.protocol.final({ threeDSServerTransID: ares.threeDSServerTransID }, h.ctx)).resultsRequest;
      };
      expect(await run('2.3.1', '10')).to.include({ transStatus: 'U', challengeCancel: '10', transStatusReason: '26' });
      expect(await run('2.2.0', '08')).to.include({ transStatus: 'U', challengeCancel: '04', transStatusReason: '26' });
      expect(await run('2.1.0', '01')).to.include({ transStatus: 'U', challengeCancel: '01', transStatusReason: '01' });
      // 09 and 10 do not exist before 2.3.1: a 2.2.0 CReq with them is Erro 203.
      const sdk = new TestSdk();
      await begin(h, sdk, '4000000000004001');
      await cres(h.protocol, sdk);
      expect(erro(await h.protocol.appChallenge(await sdk.nextCReq({ challengeCancel: '09' })))).to.include({ errorCode: '203' });
    });

    it('works without sdkReferenceNumber (configured default per enc) and with every key shape', async () => {
      for (const enc of ENCS) {
        const sdk = new TestSdk({ enc });
        await begin(h, sdk, '4000000000004001', (b) => delete b.sdkInformation.sdkReferenceNumber);
        await cres(h.protocol, sdk);
        expect((await cres(h.protocol, sdk, { challengeDataEntry: '1234' })).transStatus).to.equal('Y');
      }
      const shapes: ((b: Body, k: TestSdk['ephemPubKey']) => void)[] = [
        (b, k) => {
          delete b.sdkInformation.sdkEphemPubKey;
          b.sdkEphemeralPublicKey = k;
        },
        (b, k) => {
          delete b.sdkInformation.sdkEphemPubKey;
          Object.assign(b, { Kty: k.kty, Crv: k.crv, X: k.x, Y: k.y });
        },
      ];
      for (const shape of shapes) {
        const sdk = new TestSdk();
        await begin(h, sdk, '4000000000004010', (b) => shape(b, sdk.ephemPubKey));
        await cres(h.protocol, sdk);
        expect((await cres(h.protocol, sdk, { oobContinue: true })).transStatus).to.equal('Y');
      }
    });

    it('echoes the negotiated message version (2.1.0)', async () => {
      const sdk = new TestSdk({ messageVersion: '2.1.0' });
      const { ares } = await begin(h, sdk, '4000000000004001', (b) => (b.preferredProtocolVersion = '2.1.0'));
      expect(ares.messageVersion).to.equal('2.1.0');
      expectEcho(await cres(h.protocol, sdk), sdk, '000');
    });

    it('unknown kid: Erro 301', async () => {
      const sdk = new TestSdk();
      await begin(h, sdk, '4000000000004001');
      const kid = randomUUID();
      const e = erro(await h.protocol.appChallenge(await sdk.encryptCReq(sdk.buildCReq(), { kid })));
      expect(e).to.include({ errorCode: '301', acsTransID: kid, errorMessageType: 'CReq' });
      expect(erro(await h.protocol.appChallenge(await sdk.encryptCReq(sdk.buildCReq(), { kid: '' }))).errorCode).to.equal('301');
    });

    it('tampered ciphertext, a foreign key, a bad algorithm, not a JWE: Erro 302', async () => {
      const sdk = new TestSdk({ enc: 'A128GCM' });
      const { ares } = await begin(h, sdk, '4000000000004001');
      const jwe = (await sdk.nextCReq()).split('.');
      const ct = Buffer.from(jwe[3] as string, 'base64url');
      ct[0] = (ct[0] as number) ^ 1;
      jwe[3] = ct.toString('base64url');
      const tampered = erro(await h.protocol.appChallenge(jwe.join('.')));
      expect(tampered).to.include({ errorCode: '302', threeDSServerTransID: ares.threeDSServerTransID, sdkTransID: sdk.sdkTransID });
      const foreign = await new CompactEncrypt(Buffer.from('{}'))
        .setProtectedHeader({ alg: 'dir', enc: 'A128GCM', kid: ares.acsTransID })
        .encrypt(new Uint8Array(16));
      expect(erro(await h.protocol.appChallenge(foreign)).errorCode).to.equal('302');
      const rsa = `${Buffer.from(JSON.stringify({ alg: 'RSA-OAEP', enc: 'A128GCM', kid: ares.acsTransID })).toString('base64url')}.a.b.c.d`;
      expect(erro(await h.protocol.appChallenge(rsa)).errorCode).to.equal('302');
      expect(erro(await h.protocol.appChallenge('not a jwe')).errorCode).to.equal('302');
      expect(erro(await h.protocol.appChallenge('')).errorCode).to.equal('101');
      // None of them was accepted, so the conversation still expects counter 000.
      sdk.sdkCounterStoA = 0;
      expectEcho(await cres(h.protocol, sdk), sdk, '000');
    });

    it('a counter that is not the expected one: Erro 302, and the conversation goes on', async () => {
      const sdk = new TestSdk();
      await begin(h, sdk, '4000000000004001');
      await cres(h.protocol, sdk);
      sdk.sdkCounterStoA = 5;
      const e = erro(await h.protocol.appChallenge(await sdk.nextCReq({ challengeDataEntry: '1234' })));
      expect(e.errorCode).to.equal('302');
      expect(e.errorDetail).to.match(/sdkCounterStoA: expected 001, got 005/);
      sdk.sdkCounterStoA = 0;
      expect(erro(await h.protocol.appChallenge(await sdk.nextCReq())).errorCode).to.equal('302');
      sdk.sdkCounterStoA = 1;
      expect((await cres(h.protocol, sdk, { challengeDataEntry: '1234' })).transStatus).to.equal('Y');
    });

    it('invalid CReqs: 201 for missing elements, 203 for bad ones, 101 for another message, 305 for other IDs', async () => {
      const sdk = new TestSdk();
      const { ares } = await begin(h, sdk, '4000000000004001');
      const send = async (edit: (c: Record<string, unknown>) => void) => {
        const c = sdk.buildCReq();
        sdk.sdkCounterStoA = 0;
        edit(c);
        return erro(await h.protocol.appChallenge(await sdk.encryptCReq(c)));
      };
      expect(await send((c) => delete c.sdkTransID)).to.include({ errorCode: '201', errorDetail: 'sdkTransID: is required' });
      expect(await send((c) => delete c.sdkCounterStoA)).to.include({ errorCode: '201' });
      expect(await send((c) => (c.sdkCounterStoA = 0))).to.include({ errorCode: '203' });
      expect(await send((c) => (c.messageVersion = 'two'))).to.include({ errorCode: '203' });
      expect(await send((c) => (c.challengeCancel = '99'))).to.include({ errorCode: '203' });
      expect(await send((c) => (c.challengeDataEntry = { code: 1 }))).to.include({ errorCode: '203' });
      expect(await send((c) => (c.messageType = 'RReq'))).to.include({ errorCode: '101' });
      expect(await send((c) => (c.threeDSServerTransID = randomUUID()))).to.include({ errorCode: '305' });
      expect(await send((c) => (c.sdkTransID = randomUUID()))).to.include({ errorCode: '305' });
      // Unknown keys are ignored.
      const ok = await cres(h.protocol, sdk, {
        messageExtension: [{ name: 'x', id: 'y', criticalityIndicator: false, data: {} }],
        whitelistingDataEntry: 'N',
      });
      expect(ok.acsTransID).to.equal(ares.acsTransID);
    });

    it('a CReq after completion: Erro 305; after the deadline: Erro 402 and results N (reason 14)', async () => {
      const sdk = new TestSdk();
      await begin(h, sdk, '4000000000004001');
      await cres(h.protocol, sdk);
      await cres(h.protocol, sdk, { challengeDataEntry: '1234' });
      const after = erro(await h.protocol.appChallenge(await sdk.nextCReq({ challengeDataEntry: '1234' })));
      expect(after).to.include({ errorCode: '305', errorDetail: 'the challenge is already completed' });

      const late = new TestSdk();
      const { ares } = await begin(h, late, '4000000000004001');
      await cres(h.protocol, late);
      h.clock.now += 601_000;
      expect(erro(await h.protocol.appChallenge(await late.nextCReq({ challengeDataEntry: '1234' }))).errorCode).to.equal('402');
      const fin = await h.protocol.final({ threeDSServerTransID: ares.threeDSServerTransID }, h.ctx);
      expect(fin.transStatus).to.equal('N');
      expect(fin.resultsRequest).to.include({ transStatusReason: '14' });
      expect(erro(await h.protocol.appChallenge(await late.nextCReq())).errorCode).to.equal('402');
    });

    it('an Erro posted by the SDK ends the challenge with results U; JSON that is not an Erro is 101', async () => {
      const sdk = new TestSdk();
      const { ares } = await begin(h, sdk, '4000000000004001');
      await cres(h.protocol, sdk);
      const report = {
        messageType: 'Erro',
        messageVersion: '2.2.0',
        threeDSServerTransID: ares.threeDSServerTransID,
        acsTransID: ares.acsTransID,
        sdkTransID: sdk.sdkTransID,
        errorCode: '402',
        errorComponent: 'C',
        errorDescription: 'Transaction timed out',
        errorDetail: 'the cardholder did not answer',
        errorMessageType: 'CRes',
      };
      expect(await h.protocol.appChallenge(report)).to.deep.equal({ type: 'ack' });
      const fin = await h.protocol.final({ threeDSServerTransID: ares.threeDSServerTransID }, h.ctx);
      expect(fin.transStatus).to.equal('U');
      expect(fin.resultsRequest).to.include({ challengeCancel: '06' });
      expect(erro(await h.protocol.appChallenge(await sdk.nextCReq({ challengeDataEntry: '1234' }))).errorCode).to.equal('305');
      expect(
        erro(await h.protocol.appChallenge({ ...report, acsTransID: randomUUID(), threeDSServerTransID: randomUUID() })).errorCode,
      ).to.equal('301');
      expect(erro(await h.protocol.appChallenge({ messageType: 'CReq' })).errorCode).to.equal('101');
    });

    it('pushes the results of an app challenge like any other', async () => {
      const pushed: unknown[] = [];
      const fetchImpl = (async (_url: string, init: RequestInit) => {
        pushed.push(JSON.parse(String(init.body)));
        return new Response('{}', { status: 200 });
      }) as typeof fetch;
      const hp = harness({ fetchImpl, extra: { crypto: svc.crypto } });
      try {
        const sdk = new TestSdk();
        const { ares } = await begin(
          hp,
          sdk,
          '4000000000004010',
          (b) => (b.merchant.resultsResponseNotificationUrl = 'http://127.0.0.1:9/results'),
        );
        await cres(hp.protocol, sdk);
        await cres(hp.protocol, sdk, { oobContinue: true });
        await hp.protocol.idle();
        expect(pushed).to.have.length(1);
        expect(pushed[0]).to.include({ threeDSServerTransID: ares.threeDSServerTransID, transStatus: 'Y' });
      } finally {
        await hp.protocol.close();
      }
    });

    it('an SDK key whose coordinate lost its leading zero still agrees on the key', async () => {
      let sdk = new TestSdk();
      while (Buffer.from(sdk.ephemPubKey.x, 'base64url')[0] !== 0) sdk = new TestSdk();
      const short = { ...sdk.ephemPubKey, x: Buffer.from(sdk.ephemPubKey.x, 'base64url').subarray(1).toString('base64url') };
      const r = await h.protocol.authenticate(
        sdkAReq(sdk, '4000000000004001', (b) => (b.sdkInformation.sdkEphemPubKey = short)),
        h.ctx,
      );
      const a = r.authenticationResponse;
      const verified = await sdk.verifySignedContent(a.acsSignedContent as string);
      expect(verified.payload.sdkEphemPubKey).to.deep.equal(short);
      Object.assign(sdk, {
        acsTransID: a.acsTransID,
        threeDSServerTransID: a.threeDSServerTransID,
        sessionKey: sdk.deriveSessionKey(verified.payload.acsEphemPubKey),
      });
      await cres(h.protocol, sdk);
      expect((await cres(h.protocol, sdk, { challengeDataEntry: '1234' })).transStatus).to.equal('Y');
    });

    it('the hook refuses an SDK key that is not a P-256 point with Erro 203', async () => {
      const hook = appChallengeHook(svc.crypto);
      const err = await expectRejection(
        hook.prepare({
          threeDSServerTransID: randomUUID(),
          acsTransID: randomUUID(),
          acsReferenceNumber: 'issuer1',
          acsURL: 'http://acs.test/challenge',
          messageVersion: '2.2.0',
          sdkTransID: randomUUID(),
          sdkEphemPubKey: {
            kty: 'EC',
            crv: 'P-256',
            x: Buffer.alloc(32, 1).toString('base64url'),
            y: Buffer.alloc(32, 2).toString('base64url'),
          },
          ui: { acsUiType: '01' } as never,
        }),
        AppError,
      );
      expect(err.spec.emvCode).to.equal('203');
      expect(err.detail).to.match(/^sdkEphemPubKey/);
    });

    it('without the crypto service, /challenge answers Erro instead of failing', async () => {
      const plain = harness();
      try {
        const sdk = new TestSdk();
        const r = await plain.protocol.authenticate(sdkAReq(sdk, '4000000000004001'), plain.ctx);
        expect(r.authenticationResponse.acsSignedContent).to.equal(undefined);
        const jwe = await new CompactEncrypt(Buffer.from('{}'))
          .setProtectedHeader({ alg: 'dir', enc: 'A128GCM', kid: r.authenticationResponse.acsTransID })
          .encrypt(new Uint8Array(16));
        expect(erro(await plain.protocol.appChallenge(jwe)).errorCode).to.equal('305');
      } finally {
        await plain.protocol.close();
      }
    });

    it('4019 (acs-no-answer): every CReq of the transaction is held unanswered for protocol.hangMaxMs; others answer', async () => {
      h.config.current = cryptoConfig({ HANG_MAX_MS: '1234' });
      const sdk = new TestSdk();
      const { ares } = await begin(h, sdk, '4000000000004019');
      const creq = await sdk.nextCReq({});
      expect(await h.protocol.appChallenge(creq)).to.deep.equal({ type: 'no-answer', maxMs: 1234 });
      // Even a CReq that would not decrypt: the ACS is silent before it reads anything.
      const garbage = await new CompactEncrypt(Buffer.from('{}'))
        .setProtectedHeader({ alg: 'dir', enc: 'A128GCM', kid: ares.acsTransID })
        .encrypt(new Uint8Array(16));
      expect((await h.protocol.appChallenge(garbage)).type).to.equal('no-answer');
      // Nothing moved: the challenge is open, the counters unused.
      const rec = await h.protocol.load(ares.threeDSServerTransID);
      expect(rec?.challenge?.status).to.equal('open');
      expect(rec?.app?.sdkCounterStoA).to.equal(0);
      const other = new TestSdk();
      await begin(h, other, '4000000000004001');
      expect((await h.protocol.appChallenge(await other.nextCReq({}))).type).to.equal('cres');
    });

    it('4015 (no-acs-url): acsSignedContent without acsURL, signed as ever; the ACS itself still answers', async () => {
      const sdk = new TestSdk();
      const { verified } = await begin(h, sdk, '4000000000004015');
      expect(verified.payload).to.not.have.property('acsURL');
      expect(verified.payload).to.include.keys('acsEphemPubKey', 'sdkEphemPubKey', 'acsTransID', 'acsRefNumber');
      expect((await cres(h.protocol, sdk)).challengeCompletionInd).to.equal('N');
    });
  });
});
