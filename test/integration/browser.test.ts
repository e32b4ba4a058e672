// The browser challenge end to end in a real headless Chromium (SPEC §4, §5): the built server runs as
// a process tree, a small shop serves a checkout page that uses globalpayments-3ds (a browser-side 3DS
// library payment pages ship) to run the 3DS Method in a hidden iframe and the challenge in a visible
// one, and the test answers the ACS page as a cardholder would.
import { existsSync } from 'node:fs';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { CHALLENGE_IFRAME, Checkout, insideViewport, measureCodeEntry, VIEWPORT } from '../browser/checkout-driver.js';
import { CHROMIUM, chromiumInstalled, INSTALL_HINT, launchChromium } from '../browser/chromium.js';
import type { WindowSizeCode } from '../browser/merchant-backend.js';
import { type Merchant, startMerchant } from '../browser/merchant-server.js';
import { freePort, MAIN, type RunningServer, startServer } from '../helpers/server.js';

type Json = Record<string, unknown>;

const CODE = 'input[name="challengeDataEntry"]';
const SUBMIT = 'input[type="submit"][value="SUBMIT"]';
// EMV challengeWindowSize → the iframe's viewport; 05 is the whole page.
const WINDOW: Record<WindowSizeCode, { width: number; height: number }> = {
  '01': { width: 250, height: 400 },
  '02': { width: 390, height: 400 },
  '03': { width: 500, height: 600 },
  '04': { width: 600, height: 400 },
  '05': VIEWPORT,
};

function decode(b64url: string | undefined): Json {
  return JSON.parse(Buffer.from(b64url ?? '', 'base64url').toString('utf8')) as Json;
}

describe('browser: challenge flows in Chromium through globalpayments-3ds', function () {
  this.timeout(30_000);
  let server: RunningServer | undefined;
  let merchant: Merchant | undefined;
  let browser: Browser | undefined;
  let mock = '';
  let shots = '';
  let checkout: Checkout | undefined;

  before(async function () {
    this.timeout(60_000);
    if (!chromiumInstalled()) {
      if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing; CI must install it: ${INSTALL_HINT}`);
      console.warn(`      skipping the browser tests: ${CHROMIUM} not found (install it with: ${INSTALL_HINT})`);
      this.skip();
    }
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
    const port = await freePort();
    mock = `http://127.0.0.1:${port}`;
    server = await startServer({ workers: 2, env: { PORT: String(port), PUBLIC_URL: mock } });
    merchant = await startMerchant(mock);
    browser = await launchChromium();
    shots = await mkdtemp(path.join(tmpdir(), 'm3ds-browser-'));
  });

  after(async () => {
    await browser?.close();
    await merchant?.close();
    await server?.stop();
    if (shots) console.log(`      screenshots: ${shots}`);
  });

  beforeEach(async () => {
    checkout = await Checkout.open(browser as Browser, merchant as Merchant);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && checkout) {
      console.log(
        `      browser errors: ${JSON.stringify(checkout.errors)}; status: ${await checkout.page.textContent('#status').catch(() => '?')}`,
      );
    }
    await checkout?.close();
    checkout = undefined;
  });

  const shop = (): Merchant => merchant as Merchant;
  const page = (): Checkout => checkout as Checkout;
  const acsURL = (): string => `${mock}/processor/mock/acs/trigger-otp`;

  async function final(id: string | undefined): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${mock}/3ds/final`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ threeDSServerTransID: id }),
    });
    return { status: res.status, body: (await res.json()) as Json };
  }

  function areqOf(id: string | undefined): Json {
    const a = shop().backend.areqs.find((x) => x.threeDSServerTransID === id);
    if (!a) throw new Error(`no AReq sent for ${id}`);
    return a;
  }

  function notificationOf(id: string | undefined) {
    return shop().challengeNotifications.filter((n) => n.cres?.threeDSServerTransID === id);
  }

  // Chromium ignores `autofocus` in a cross-origin iframe (where the ACS page always runs) and says so
  // on the console; anything else there (a CSP refusal, an uncaught error) fails the test.
  const KNOWN = /Blocked autofocusing on a <input> element in a cross-origin subframe/;
  function expectNoBrowserErrors(): void {
    expect(page().errors.filter((e) => !KNOWN.test(e))).to.deep.equal([]);
  }

  async function enterCode(code: string): Promise<void> {
    const acs = page().acs();
    await acs.locator(CODE).fill(code);
    await acs.locator(SUBMIT).click();
  }

  it('4014: the 3DS Method runs in the hidden iframe, the ACS records it, threeDSCompInd Y → frictionless Y', async () => {
    await page().pay({ pan: '4000400040004014' });
    const r = await page().result();
    expect(r.error).to.equal(undefined);
    expect(r).to.include({ methodRan: true, challenged: false, status: 'AUTHENTICATION_SUCCESSFUL' });
    expect(r.emv?.transStatus).to.equal('Y');
    const id = r.serverTransactionId;

    const method = page().postsTo(`${mock}/processor/mock/acs/3ds-method`);
    expect(method).to.have.length(1);
    expect(method[0]?.fromMainFrame, 'posted into a frame').to.equal(false);
    expect(decode(method[0]?.fields.threeDSMethodData)).to.deep.equal({
      threeDSServerTransID: id,
      threeDSMethodNotificationURL: shop().url('/3ds/method-notification'),
    });
    // The ACS's answer page posted threeDSMethodData back to the shop, inside the hidden frame.
    expect(shop().methodNotifications.map((n) => n.data)).to.deep.include({ threeDSServerTransID: id });
    const frames = await page().frames();
    expect(frames[0]).to.deep.equal({ display: 'none', inChallengeBox: false });
    expect(
      frames.filter((f) => f.inChallengeBox),
      'no challenge frame',
    ).to.have.length(0);
    expect(page().postsTo(acsURL())).to.have.length(0);

    expect(areqOf(id).threeDSCompInd).to.equal('Y');
    const f = await final(id);
    expect(f.status).to.equal(200);
    expect(f.body).to.include({ threeDSServerTransID: id, transStatus: 'Y', eci: '05' });
    expectNoBrowserErrors();
  });

  it('4014 without the 3DS Method: threeDSCompInd Y alone is not enough → challenge; 1234 → Y', async () => {
    await page().pay({ pan: '4000400040004014', runMethod: false, claimMethod: true });
    await page().acsFrame();
    await enterCode('1234');
    const r = await page().result();
    expect(r).to.include({ methodRan: false, challenged: true, status: 'CHALLENGE_REQUIRED' });
    expect(page().postsTo(`${mock}/processor/mock/acs/3ds-method`)).to.have.length(0);
    expect(areqOf(r.serverTransactionId).threeDSCompInd).to.equal('Y');
    expect(r.cres).to.include({ transStatus: 'Y' });
    expect((await final(r.serverTransactionId)).body).to.include({ transStatus: 'Y', eci: '05' });
    expectNoBrowserErrors();
  });

  it('4001: the challenge iframe posts creq to the acsURL, is sized per challengeWindowSize, and 1234 → CRes Y at the notificationURL', async () => {
    await page().pay({ pan: '4000400040004001', size: '03' });
    const frame = await page().acsFrame();
    const layout = await measureCodeEntry(frame);
    expect(layout.viewport).to.deep.equal(WINDOW['03']);
    expect(layout.bodyClass).to.contain('w03');

    const posted = page().postsTo(acsURL());
    expect(posted).to.have.length(1);
    // globalpayments-3ds posts the CReq alone: it has no threeDSSessionData parameter.
    expect(Object.keys(posted[0]?.fields ?? {})).to.deep.equal(['creq']);
    const creq = decode(posted[0]?.fields.creq);
    expect(creq).to.include({ messageType: 'CReq', challengeWindowSize: '03' });
    const id = creq.threeDSServerTransID as string;

    await enterCode('1234');
    const r = await page().result();
    expect(r).to.include({ serverTransactionId: id, challenged: true, event: 'challengeNotification' });
    expect(r.cres).to.include({ messageType: 'CRes', threeDSServerTransID: id, transStatus: 'Y', challengeCompletionInd: 'Y' });
    expect(r.cres?.acsTransID).to.equal(creq.acsTransID);

    const notes = notificationOf(id);
    expect(notes).to.have.length(1);
    expect(notes[0]?.rawCres).to.match(/^[A-Za-z0-9_-]+$/, 'base64url without padding');
    expect(notes[0]?.cres).to.deep.equal(r.cres);
    expect(notes[0]?.threeDSSessionData, 'none came in, none goes back').to.equal(undefined);

    const f = await final(id);
    expect(f.status).to.equal(200);
    expect(f.body).to.include({ transStatus: 'Y', eci: '05' });
    expect((f.body.resultsRequest as Json).transStatus).to.equal('Y');
    expectNoBrowserErrors();
  });

  for (const size of ['01', '02', '03', '04', '05'] as const) {
    it(`4001, challengeWindowSize ${size}: the code entry and SUBMIT are fully visible without scrolling`, async () => {
      await page().pay({ pan: '4000400040004001', size });
      const frame = await page().acsFrame();
      const layout = await measureCodeEntry(frame);
      expect(layout.viewport, 'iframe viewport').to.deep.equal(WINDOW[size]);
      expect(layout.bodyClass).to.contain(`w${size}`);
      expect(layout.scroll).to.deep.equal({ x: 0, y: 0 });
      expect(insideViewport(layout.input, layout.viewport), `code input ${JSON.stringify(layout.input)}`).to.equal(true);
      expect(insideViewport(layout.submit, layout.viewport), `submit ${JSON.stringify(layout.submit)}`).to.equal(true);
      if (size === '01' || size === '05') {
        const file = path.join(shots, `challenge-${size}.png`);
        await page().page.locator(CHALLENGE_IFRAME).screenshot({ path: file });
        expect((await stat(file)).size).to.be.greaterThan(0);
      }
      await enterCode('1234');
      expect((await page().result()).cres).to.include({ transStatus: 'Y' });
      expectNoBrowserErrors();
    });
  }

  it('4001: a wrong code shows the page again with the attempts left; then 1234 → Y', async () => {
    await page().pay({ pan: '4000400040004001', size: '02' });
    await page().acsFrame();
    await enterCode('0000');
    const notice = page().acs().locator('p.notice');
    await notice.waitFor();
    expect(await notice.textContent()).to.contain('2 attempts left');
    expect(await page().page.evaluate('window.checkoutResult')).to.equal(undefined);
    await enterCode('1234');
    const r = await page().result();
    expect(r.cres).to.include({ transStatus: 'Y' });
    expect((await final(r.serverTransactionId)).body).to.include({ transStatus: 'Y' });
    expectNoBrowserErrors();
  });

  it('4001: cancel → CRes N, results U with challengeCancel 01', async () => {
    await page().pay({ pan: '4000400040004001', size: '04' });
    await page().acsFrame();
    await page().acs().locator('form[name="cancelForm"] button[value="cancel"]').click();
    const r = await page().result();
    expect(r.cres).to.include({ transStatus: 'N', challengeCompletionInd: 'Y' });
    const f = await final(r.serverTransactionId);
    expect(f.body).to.include({ transStatus: 'U' });
    expect((f.body.resultsRequest as Json).challengeCancel).to.equal('01');
    expectNoBrowserErrors();
  });

  it('4008: single select, the right option → Y', async () => {
    await page().pay({ pan: '4000400040004008', size: '03' });
    await page().acsFrame();
    const acs = page().acs();
    await acs.locator('input[name="challengeDataEntry"][value="02"]').check();
    await acs.locator(SUBMIT).click();
    const r = await page().result();
    expect(r.cres).to.include({ transStatus: 'Y' });
    expect((await final(r.serverTransactionId)).body).to.include({ transStatus: 'Y', eci: '05' });
    expectNoBrowserErrors();
  });

  it('4010: out of band, continue after approval → Y', async () => {
    await page().pay({ pan: '4000400040004010', size: '03' });
    await page().acsFrame();
    await page().acs().locator('form[name="cardholderInput"] input[type="submit"]').click();
    const r = await page().result();
    expect(r.cres).to.include({ transStatus: 'Y' });
    expect((await final(r.serverTransactionId)).body).to.include({ transStatus: 'Y', eci: '05' });
    expectNoBrowserErrors();
  });

  // Not the library: it cannot send threeDSSessionData, so the page posts the EMV form itself here.
  it('page-native EMV posts: threeDSSessionData comes back unchanged with the CRes', async () => {
    await page().pay({ pan: '4000400040004001', size: '02', driver: 'native' });
    await page().acsFrame();
    await enterCode('1234');
    const r = await page().result();
    expect(r.cres).to.include({ transStatus: 'Y' });
    const posted = page().postsTo(acsURL());
    expect(posted[0]?.fields.threeDSSessionData).to.equal(r.sessionData);
    const notes = notificationOf(r.serverTransactionId);
    expect(notes).to.have.length(1);
    expect(notes[0]?.threeDSSessionData).to.equal(r.sessionData);
    expectNoBrowserErrors();
  });
});
