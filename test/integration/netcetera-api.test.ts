// The Netcetera-shaped API end to end (SPEC §16): the built server runs as a process tree, a client that
// writes and reads exactly as Hyperswitch's Netcetera connector does (test/helpers/hyperswitch-client.ts)
// runs frictionless, 3DS Method, browser challenge, decoupled and app challenge flows against it, the
// browser's part is played over HTTP on the product's ACS page, the app's by the independent test SDK on
// /challenge, and a local shop receives the CRes at its return URL and the results webhook.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import {
  type AuthenticationInput,
  type AuthnResponse,
  browserChallenge,
  type Card,
  type ChallengeParams,
  checkout,
  HyperswitchNetceteraClient,
  type PreAuthn,
  readResultsWebhook,
  threeDSMethod,
  type WebhookOutcome,
} from '../helpers/hyperswitch-client.js';
import { TestSdk } from '../helpers/sdk.js';
import { freePort, type RunningServer, startServer } from '../helpers/server.js';
import { type Receiver, startReceiver } from '../protocol/receiver.js';

describe('Netcetera-shaped API: a Hyperswitch-shaped client against the built server', function () {
  this.timeout(30_000);
  let server: RunningServer | undefined;
  let client: HyperswitchNetceteraClient;
  let shop: Receiver;
  let hooks: Receiver;
  let dataDir = '';
  let flows = 0;
  /** Transactions that end with the ARes: Netcetera pushes results only after a challenge or a decoupled authentication. */
  const noResults: string[] = [];

  before(async function () {
    this.timeout(60_000);
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'm3ds-netcetera-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    shop = await startReceiver();
    hooks = await startReceiver();
    server = await startServer({ workers: 2, env: { PORT: String(port), PUBLIC_URL: base, DATA_DIR: dataDir, DECOUPLED_DELAY_MS: '300' } });
    client = new HyperswitchNetceteraClient(base);
  });

  after(async () => {
    await server?.stop();
    await shop?.close();
    await hooks?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const cardOf = (number: string, network: Card['network'] = 'Visa'): Card => ({
    number,
    expiryMonth: '11',
    expiryYear: '2029',
    cvc: '737',
    network,
  });

  async function versioning(card: Card): Promise<PreAuthn> {
    const v = await client.versioning(card);
    expect(v.status, JSON.stringify(v.body)).to.equal(200);
    if (v.read.kind !== 'ok') throw new Error(`versioning: ${v.read.message}`);
    return v.read;
  }

  async function authentication(p: PreAuthn, card: Card, over: Partial<AuthenticationInput> = {}): Promise<AuthnResponse> {
    const input = checkout(p, card.number, {
      card,
      returnUrl: shop.url('/payments/return'),
      webhookUrl: hooks.url('/webhooks/merchant/netcetera'),
      ...over,
    });
    const a = await client.authentication(input);
    if (a.read.kind !== 'ok') throw new Error(`authentication answered ${a.status}: ${JSON.stringify(a.body)}`);
    expect(a.status).to.equal(200);
    expect(a.body).to.not.have.property('errorDetails');
    return a.read;
  }

  /** The webhook for this transaction, as the connector reads it (it keys webhooks by threeDSServerTransID). */
  async function webhook(id: string, timeoutMs = 10_000): Promise<WebhookOutcome> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = hooks.received.find((r) => (r.body as { threeDSServerTransID?: string }).threeDSServerTransID === id);
      if (hit) {
        expect(hit.method).to.equal('POST');
        expect(hit.contentType).to.match(/^application\/json/);
        return readResultsWebhook(hit.body);
      }
      if (Date.now() > deadline) throw new Error(`no results webhook for ${id} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  function challengeOf(a: AuthnResponse): ChallengeParams {
    // The connector's rule: a challenge exactly when acsChallengeMandated is Y.
    if (a.flow.type !== 'challenge') throw new Error(`expected a challenge, got ${JSON.stringify(a)}`);
    return a.flow.params;
  }

  for (const [pan, network, eci] of [
    ['4000400040004000', 'Visa', '05'],
    ['5100000000004000', 'Mastercard', '02'],
    ['340000000004000', 'AmericanExpress', '05'],
  ] as const) {
    it(`frictionless ${network}: Y, ECI ${eci}, no challenge, no webhook`, async () => {
      const card = cardOf(pan, network);
      const p = await versioning(card);
      expect(p.messageVersion).to.equal('2.3.1');
      const a = await authentication(p, card);
      expect(a).to.deep.include({ flow: { type: 'frictionless' }, transStatus: 'Y', eci });
      expect(a.authenticationValue).to.have.length(28);
      noResults.push(p.threeDSServerTransID);
      flows++;
    });
  }

  it('not enrolled: no card range, version 0.0.0, the client stops', async () => {
    expect(await versioning(cardOf('9000400040004000'))).to.include({ messageVersion: '0.0.0' });
    flows++;
  });

  it('TRA exemption on 4007: I, challenge code 05', async () => {
    const card = cardOf('4000400040004007');
    const a = await authentication(await versioning(card), card, { traExemption: true });
    expect(a).to.deep.include({ transStatus: 'I', challengeCode: '05', flow: { type: 'frictionless' } });
    flows++;
  });

  it('3DS Method on 4014: the hidden iframe runs it, threeDSCompInd Y, then Y', async () => {
    const card = cardOf('4000400040004014');
    const p = await versioning(card);
    expect(p.threeDSMethodURL).to.be.a('string');
    const m = await threeDSMethod(p.threeDSMethodURL as string, p.threeDSMethodData as string);
    expect(m.status).to.equal(204);
    const a = await authentication(p, card, { methodCompInd: 'Y' });
    expect(a).to.deep.include({ transStatus: 'Y', flow: { type: 'frictionless' } });
    flows++;
  });

  it('browser challenge on 4001: the code on the ACS page, the CRes at the return URL, the webhook Y', async () => {
    const card = cardOf('4000400040004001');
    const p = await versioning(card);
    const a = await authentication(p, card);
    expect(a.transStatus).to.equal('C');
    const params = challengeOf(a);
    const posted = await browserChallenge(params, '1234');
    expect(posted.action).to.equal(shop.url('/payments/return'));
    const cres = JSON.parse(Buffer.from(posted.fields.cres as string, 'base64url').toString('utf8'));
    expect(cres).to.include({ messageType: 'CRes', transStatus: 'Y', threeDSServerTransID: p.threeDSServerTransID });
    const hook = await webhook(p.threeDSServerTransID);
    expect(hook).to.include({ transStatus: 'Y', eci: '05' });
    expect(hook.authenticationValue).to.have.length(28);
    expect(hook.resultsRequest).to.include({ messageType: 'RReq', acsTransID: params.acsTransId });
    expect(hook.resultsResponse).to.include({ messageType: 'RRes', resultsStatus: '01' });
    // The CRes the shop received decodes through the API too.
    const res = await fetch(`${client.base}/3ds/challenge-response`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ base64EncodedCRes: posted.fields.cres }),
    });
    expect(res.status).to.equal(200);
    expect(((await res.json()) as { challengeResponse: unknown }).challengeResponse).to.deep.equal(cres);
    flows++;
  });

  it('forced challenge on a frictionless card (indicator 04 as a list at 2.3.1), code 1234: webhook Y', async () => {
    const card = cardOf('4000400040004000');
    const p = await versioning(card);
    const a = await authentication(p, card, { forceChallenge: true });
    expect(a).to.include({ transStatus: 'C', challengeCode: '04' });
    await browserChallenge(challengeOf(a), '1234');
    expect(await webhook(p.threeDSServerTransID)).to.include({ transStatus: 'Y' });
    flows++;
  });

  it('decoupled on 4006 (threeDSRequestorDecReqInd Y): D, nothing to open, the webhook brings Y', async () => {
    const card = cardOf('4000400040004006');
    const p = await versioning(card);
    const a = await authentication(p, card, { decoupledRequest: 'Y' });
    expect(a).to.deep.include({ transStatus: 'D', flow: { type: 'frictionless' } });
    expect(await webhook(p.threeDSServerTransID)).to.include({ transStatus: 'Y', eci: '05' });
    flows++;
  });

  it('4006 exactly as the connector sends it today (no decoupled request): a code challenge, webhook Y', async () => {
    const card = cardOf('4000400040004006');
    const p = await versioning(card);
    const a = await authentication(p, card);
    expect(a.transStatus).to.equal('C');
    await browserChallenge(challengeOf(a), '1234');
    expect(await webhook(p.threeDSServerTransID)).to.include({ transStatus: 'Y' });
    flows++;
  });

  it('app challenge on 4001: the SDK gets the signed content, talks JWE to /challenge, the webhook brings Y', async () => {
    const card = cardOf('4000400040004001');
    const p = await versioning(card);
    const sdk = new TestSdk({ enc: 'A128CBC-HS256' });
    const a = await authentication(p, card, {
      deviceChannel: 'app',
      methodCompInd: 'U',
      sdk: {
        sdkAppId: sdk.sdkAppID,
        sdkEncData: 'eyJhbGciOiJSU0EtT0FFUC0yNTYiLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0.a.b.c.d',
        sdkEphemPubKey: { ...sdk.ephemPubKey },
        sdkMaxTimeout: 15,
        sdkReferenceNumber: sdk.sdkReferenceNumber,
        sdkTransId: sdk.sdkTransID,
      },
    });
    const params = challengeOf(a);
    // What Hyperswitch hands its mobile SDK: acs_signed_content, acs_trans_id, three_dsserver_trans_id.
    await sdk.startChallenge({
      acsSignedContent: params.acsSignedContent as string,
      acsTransID: params.acsTransId as string,
      threeDSServerTransID: params.threeDSServerTransId,
      messageVersion: p.messageVersion,
    });
    const exchange = async (fields: Record<string, unknown>) => {
      const res = await fetch(sdk.acsURL as string, {
        method: 'POST',
        headers: { 'content-type': 'application/jose; charset=UTF-8' },
        body: await sdk.nextCReq(fields),
      });
      expect(res.status).to.equal(200);
      return sdk.decryptCRes(await res.text());
    };
    expect(await exchange({ challengeNoEntry: 'Y' })).to.include({ challengeCompletionInd: 'N', acsUiType: '01' });
    expect(await exchange({ challengeDataEntry: '1234' })).to.include({ challengeCompletionInd: 'Y', transStatus: 'Y' });
    const hook = await webhook(p.threeDSServerTransID);
    expect(hook).to.include({ transStatus: 'Y' });
    expect(hook.resultsRequest).to.include({ sdkTransID: sdk.sdkTransID });
    flows++;
  });

  it('Directory Server error on 4012: the connector reads a 502 error with component D', async () => {
    const card = cardOf('4000400040004012');
    const p = await versioning(card);
    const a = await client.authentication(checkout(p, card.number, { card, returnUrl: shop.url('/r'), webhookUrl: hooks.url('/h') }));
    expect(a.read).to.include({ kind: 'error', statusCode: 502, code: '405' });
    expect(a.body).to.have.nested.property('errorDetails.errorComponent', 'D');
    flows++;
  });

  it('ran every flow (12), and pushed no results for a frictionless one', () => {
    expect(flows).to.equal(12);
    const pushed = hooks.received.map((r) => (r.body as { threeDSServerTransID?: string }).threeDSServerTransID);
    expect(pushed.filter((id) => id !== undefined && noResults.includes(id))).to.deep.equal([]);
    expect(noResults).to.have.length(3);
  });
});
