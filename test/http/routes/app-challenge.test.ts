// POST /challenge over real sockets (SPEC §6): the independent TestSdk runs version → authenticate →
// challenge against createApp(deps) with the real crypto service and the real tiered store (L1 over the
// in-process embedded L2, so the acsTransID index is the store's own). Checks the media types, the Erro
// answers (HTTP 200, application/json, EMV Erro not the API envelope) and /3ds/final afterwards.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { loadAcsCredentials } from '../../../src/crypto/acs-credentials.js';
import { type CryptoService, createCryptoService } from '../../../src/crypto/crypto-service.js';
import { createApp } from '../../../src/http/app.js';
import { createProtocol, type Protocol } from '../../../src/protocol/protocol.js';
import { isFinalRecord, type TransactionRecord } from '../../../src/protocol/transaction/record.js';
import { createStore } from '../../../src/store/create-store.js';
import type { TransactionStore } from '../../../src/store/store.js';
import { tempDirs, withSigning } from '../../crypto/fixtures.js';
import { testDeps } from '../../helpers/app-deps.js';
import { type SdkEnc, TestSdk } from '../../helpers/sdk.js';
import { appAReq, testConfig } from '../../protocol/helpers.js';
import { logged, rawPost } from './harness.js';

describe('routes: POST /challenge', () => {
  const tmp = tempDirs();
  let server: http.Server;
  let base: string;
  let store: TransactionStore<TransactionRecord>;
  let protocol: Protocol;
  let crypto: CryptoService;
  let deps: ReturnType<typeof testDeps>;

  before(async () => {
    deps = testDeps();
    const config = withSigning(
      testConfig((c) => {
        c.notifications.enabled = false;
      }),
      { dataDir: await tmp.make() },
    );
    deps.setConfig(config);
    store = await createStore<TransactionRecord>({ config, logger: deps.logger, metrics: deps.metrics, isImmutable: isFinalRecord });
    await loadAcsCredentials({ config });
    crypto = await createCryptoService({ config, logger: deps.logger, metrics: deps.metrics, workers: 1, cores: 1 });
    protocol = createProtocol({ config: () => deps.config(), store, logger: deps.logger, metrics: deps.metrics, crypto });
    deps.protocol = protocol;
    server = http.createServer(createApp(deps));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await protocol.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await crypto.close();
    await store.close();
    await tmp.cleanup();
  });

  const postJson = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      body: (res.status === 204 ? undefined : await res.json()) as Record<string, unknown>,
    };
  };

  const postChallenge = async (body: string, contentType = 'application/jose; charset=UTF-8') => {
    const res = await fetch(`${base}/challenge`, { method: 'POST', headers: { 'content-type': contentType }, body });
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      cache: res.headers.get('cache-control'),
      text: await res.text(),
    };
  };

  /** version → app authenticate; the SDK verifies acsSignedContent against this server's certificate. */
  async function begin(pan: string, enc: SdkEnc) {
    const sdk = new TestSdk({ enc });
    const v = await postJson('/3ds/version', { cardNumber: pan });
    const body = appAReq(pan, (b) => {
      b.threeDSServerTransID = v.body.threeDSServerTransID;
      b.sdkTransID = sdk.sdkTransID;
      b.sdkInformation = sdk.sdkInformation();
    });
    const a = await postJson('/3ds/authenticate', body);
    expect(a.status).to.equal(200);
    const ares = a.body.authenticationResponse as Record<string, string>;
    const verified = await sdk.startChallenge({
      acsSignedContent: ares.acsSignedContent as string,
      acsTransID: ares.acsTransID as string,
      threeDSServerTransID: ares.threeDSServerTransID as string,
      messageVersion: ares.messageVersion as string,
    });
    expect(verified.payload.acsURL).to.equal(`${base.replace('127.0.0.1', 'localhost')}/challenge`);
    return { sdk, ares };
  }

  async function cres(sdk: TestSdk, fields: Record<string, unknown> = {}, contentType?: string) {
    const r = await postChallenge(await sdk.nextCReq(fields), contentType);
    expect(r.status, r.text).to.equal(200);
    expect(r.type).to.match(/^application\/jose/);
    expect(r.cache).to.equal('no-store');
    return sdk.decryptCRes(r.text);
  }

  for (const enc of ['A128CBC-HS256', 'A128GCM'] as const) {
    it(`completes a text challenge over HTTP (${enc}) and /3ds/final reports it`, async () => {
      const { sdk, ares } = await begin('4000000000004001', enc);
      const first = await cres(sdk, { challengeNoEntry: 'Y' });
      expect(first).to.include({ acsUiType: '01', challengeCompletionInd: 'N', acsCounterAtoS: '000', sdkTransID: sdk.sdkTransID });
      const wrong = await cres(sdk, { challengeDataEntry: '0000' }, 'application/jwe');
      expect(wrong.challengeInfoText).to.contain('2 attempts left');
      const last = await cres(sdk, { challengeDataEntry: '1234' }, 'text/plain');
      expect(last).to.include({ challengeCompletionInd: 'Y', transStatus: 'Y', acsCounterAtoS: '002' });
      const fin = await postJson('/3ds/final', { threeDSServerTransID: ares.threeDSServerTransID });
      expect(fin.body).to.include({ transStatus: 'Y', eci: '05' });
      const byIndex = await store.getByAcsTransID(ares.acsTransID as string);
      expect(byIndex?.value.final).to.equal(true);
    });
  }

  it('completes an OOB challenge (A128GCM)', async () => {
    const { sdk } = await begin('5100000000004010', 'A128GCM');
    expect((await cres(sdk)).acsUiType).to.equal('04');
    expect(await cres(sdk, { oobContinue: true })).to.include({ transStatus: 'Y', challengeCompletionInd: 'Y' });
  });

  it('answers Erro messages as application/json with HTTP 200, not the API envelope', async () => {
    const { sdk, ares } = await begin('4000000000004001', 'A128GCM');
    const unknown = await postChallenge(await sdk.encryptCReq(sdk.buildCReq(), { kid: '00000000-0000-4000-8000-000000000000' }));
    expect(unknown.status).to.equal(200);
    expect(unknown.type).to.match(/^application\/json/);
    const e = JSON.parse(unknown.text) as Record<string, unknown>;
    expect(e).to.include({ messageType: 'Erro', errorCode: '301', errorComponent: 'A', errorMessageType: 'CReq' });
    expect(e).to.not.have.property('error');
    const garbage = JSON.parse((await postChallenge('eyJhbGciOiJkaXIifQ.x.y')).text) as Record<string, unknown>;
    expect(garbage.errorCode).to.equal('302');
    sdk.sdkCounterStoA = 7;
    const counter = JSON.parse((await postChallenge(await sdk.nextCReq())).text) as Record<string, unknown>;
    expect(counter).to.include({
      errorCode: '302',
      threeDSServerTransID: ares.threeDSServerTransID,
      acsTransID: ares.acsTransID,
      sdkTransID: sdk.sdkTransID,
    });
  });

  it('records the results U when the SDK posts an Erro (204)', async () => {
    const { sdk, ares } = await begin('4000000000004009', 'A128CBC-HS256');
    await cres(sdk);
    const report = await postJson('/challenge', {
      messageType: 'Erro',
      messageVersion: ares.messageVersion,
      threeDSServerTransID: ares.threeDSServerTransID,
      acsTransID: ares.acsTransID,
      sdkTransID: sdk.sdkTransID,
      errorCode: '203',
      errorComponent: 'C',
      errorDescription: 'Data element not in the required format',
      errorDetail: 'acsUiType',
      errorMessageType: 'CRes',
    });
    expect(report.status).to.equal(204);
    const fin = await postJson('/3ds/final', { threeDSServerTransID: ares.threeDSServerTransID });
    expect(fin.body).to.include({ transStatus: 'U' });
    const after = JSON.parse((await postChallenge(await sdk.nextCReq({ challengeDataEntry: '01,03' }))).text) as Record<string, unknown>;
    expect(after.errorCode).to.equal('305');
  });

  it('refuses other media types with 415', async () => {
    const res = await postChallenge('creq=abc', 'application/x-www-form-urlencoded');
    expect(res.status).to.equal(415);
  });

  describe('test card 4019: the ACS never answers the CReq (SPEC §4)', () => {
    const JOSE = 'application/jose; charset=UTF-8';
    const port = () => Number(new URL(base).port);
    let config: ReturnType<typeof deps.config>;
    before(() => {
      config = deps.config();
    });
    afterEach(() => deps.setConfig(config));

    it('a client that gives up: the request is let go, and the next challenge is answered', async () => {
      const { sdk } = await begin('4000000000004019', 'A128GCM');
      const p = rawPost(port(), '/challenge', JOSE, await sdk.nextCReq({}));
      await logged(deps.logLines, /"msg":"request held without an answer".*"route":"\/challenge"/);
      p.client.destroy();
      await p.closed;
      await logged(deps.logLines, /"why":"client left"/);
      expect(p.answered()).to.equal(false);
      const other = await begin('4000000000004001', 'A128GCM');
      expect((await cres(other.sdk)).acsUiType).to.equal('01');
    });

    it('protocol.hangMaxMs: the connection closes without a response; /3ds/final says why it is pending', async () => {
      deps.setConfig({ ...config, protocol: { ...config.protocol, hangMaxMs: 25 } });
      const { sdk, ares } = await begin('4000000000004019', 'A128CBC-HS256');
      const p = rawPost(port(), '/challenge', JOSE, await sdk.nextCReq({}));
      await p.closed;
      expect(p.answered()).to.equal(false);
      const fin = await postJson('/3ds/final', { threeDSServerTransID: ares.threeDSServerTransID });
      expect(fin.status).to.equal(409);
      expect((fin.body.errorDetails as Record<string, string>).errorDetail).to.contain('test card acs-no-answer');
      const other = await begin('4000000000004001', 'A128CBC-HS256');
      expect((await cres(other.sdk)).acsCounterAtoS).to.equal('000');
    });
  });
});
