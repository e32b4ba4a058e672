// The QA console (SPEC §17) in a real headless Chromium against the built server: development with no
// token configured, so the console takes the token the ready line printed. A tester's session: enter
// the token, run card 4001 from the card table (the ACS page in a frame of the chosen challenge window,
// code 1234), see Y in the live list and ARes, CReq, CRes, RReq, RRes in the timeline; set an override
// (4000 → not-authenticated) in the editor and see the next 4000 answer N; the 3DS Method of 4014 in a
// hidden frame; the app-flow runner. Throughout: nothing is loaded from another origin, no CSP refusal
// or script error, the page carries its CSP, and it is usable from the keyboard at 1280 px.
// UPDATE_CONSOLE_PNG=1 writes the README's screenshot (docs/console.png, 1280×800).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, chromiumInstalled, INSTALL_HINT, launchChromium } from '../browser/chromium.js';
import { freePort, MAIN, ROOT, type RunningServer, startServer } from '../helpers/server.js';

const CODE = 'input[name="challengeDataEntry"]';
const SUBMIT = 'input[type="submit"][value="SUBMIT"]';
const ACS_FRAME = '#challenge-box iframe';
const VIEWPORT = { width: 1280, height: 800 };

describe('QA console in Chromium (/console)', function () {
  this.timeout(60_000);
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let base = '';
  let token = '';
  let dataDir = '';
  /** The 4001 transaction, for the screenshot. */
  let challengeId = '';
  const origins = new Set<string>();
  const errors: string[] = [];

  before(async function () {
    this.timeout(60_000);
    if (!chromiumInstalled()) {
      if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing; CI must install it: ${INSTALL_HINT}`);
      console.warn(`      skipping the console tests: ${CHROMIUM} not found (install it with: ${INSTALL_HINT})`);
      this.skip();
    }
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
    dataDir = mkdtempSync(path.join(tmpdir(), 'm3ds-console-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = await startServer({
      workers: 2,
      env: { NODE_ENV: 'development', ADMIN_TOKENS: '{}', PORT: String(port), PUBLIC_URL: base, DATA_DIR: dataDir, ACCESS_LOG: 'false' },
    });
    const ready = await server.waitForLog((l) => l.msg === 'ready');
    expect(ready.console).to.equal(`${base}/console`);
    token = ready.adminToken as string;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: VIEWPORT });
    // Every request of the page and of its frames, by origin (data: and about: are no network).
    context.on('request', (req) => {
      const u = new URL(req.url());
      if (u.protocol === 'http:' || u.protocol === 'https:') origins.add(u.origin);
    });
    page = await context.newPage();
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') errors.push(`${msg.location().url}: ${msg.text()}`);
    });
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(`      browser errors: ${JSON.stringify(errors)}`);
  });

  /** The text of an element, once it matches. */
  const textOf = (selector: string) => page.locator(selector).innerText();

  async function runCard(key: string, size = '03'): Promise<void> {
    await page.click('#tab-cards');
    await page.selectOption('#o-size', size);
    await page.click(`#cards-body tr[data-key="${key}"] button`);
  }

  /** The transaction the last run opened (its /3ds/final answer names it). */
  async function runTransaction(): Promise<string> {
    const final = JSON.parse(await textOf('#run-final')) as { threeDSServerTransID: string };
    return final.threeDSServerTransID;
  }

  it('serves the page with a strict CSP and security headers, its assets from its own origin', async () => {
    const res = await fetch(`${base}/console`);
    expect(res.status).to.equal(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).to.include("default-src 'none'").and.include("script-src 'self'").and.include("style-src 'self'");
    expect(csp).to.include("frame-ancestors 'none'").and.include("base-uri 'none'");
    expect(csp).to.not.include('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(res.headers.get('x-frame-options')).to.equal('DENY');
    expect(res.headers.get('cache-control')).to.equal('no-store');
    const html = await res.text();
    expect(html).to.not.match(/<script(?![^>]*\b(src="\/console\/assets\/|type="application\/json"))/, 'no inline script');
    expect(html).to.not.match(/\sstyle=|<style/, 'no inline style');
    expect(html).to.not.match(/https?:\/\/(?!127\.0\.0\.1)/, 'no other origin');
    for (const [asset, type] of [
      ['console.js', 'text/javascript'],
      ['notify.js', 'text/javascript'],
      ['console.css', 'text/css'],
    ]) {
      const a = await fetch(`${base}/console/assets/${asset}`);
      expect(a.status, asset).to.equal(200);
      expect(a.headers.get('content-type'), asset).to.match(new RegExp(`^${type}`));
      expect(a.headers.get('x-content-type-options'), asset).to.equal('nosniff');
    }
  });

  it('asks for the admin token: refuses a wrong one, opens with the one of the ready line', async () => {
    const res = await page.goto(`${base}/console`);
    expect(res?.headers()['content-security-policy']).to.include("script-src 'self'");
    await page.locator('#login').waitFor();
    expect(await page.locator('#app').isHidden()).to.equal(true);
    await page.fill('#token', 'not-the-token');
    await page.click('#login-form button[type="submit"]');
    await page.locator('#login-error', { hasText: 'not accepted' }).waitFor();
    await page.fill('#token', token);
    await page.keyboard.press('Enter');
    await page.locator('#app').waitFor();
    expect(await page.evaluate(`sessionStorage.getItem('m3ds-console-token') === ${JSON.stringify(token)}`)).to.equal(true);
    // The card table came from /__admin/scenarios.
    expect(await page.locator('#cards-body tr').count()).to.be.greaterThan(15);
  });

  it('runs card 4001 from the card table: ACS page in a 500×600 frame, code 1234 → CRes Y, final Y', async () => {
    await runCard('4001', '03');
    const frame = page.frameLocator(ACS_FRAME);
    await frame.locator(CODE).waitFor({ timeout: 10_000 });
    const box = await page.locator(ACS_FRAME).boundingBox();
    expect([box?.width, box?.height]).to.deep.equal([500, 600]);
    // A wrong code first: the page comes back with the attempts left, still in the frame.
    await frame.locator(CODE).fill('0000');
    await frame.locator(SUBMIT).click();
    await frame.locator('.notice[role="alert"]', { hasText: '2 attempts left' }).waitFor();
    await frame.locator(CODE).fill('1234');
    await frame.locator(SUBMIT).click();
    await page.locator('#run-outcome[data-status="Y"]').waitFor({ timeout: 10_000 });
    const steps = await textOf('#run-steps');
    expect(steps).to.include('ARes: transStatus C').and.include('CRes: transStatus Y');
    expect(await textOf('#run-outcome')).to.equal('Final outcome: transStatus Y · eci 05');
  });

  it('shows that transaction as Y in the live list, and its timeline: ARes, CReq, CRes, RReq, RRes (PAN masked)', async () => {
    const id = await runTransaction();
    await page.click('#tab-transactions');
    // Polled every 2 s: the row arrives (or is already there) and ends at Y.
    const row = page.locator(`#tx-body tr[data-id="${id}"][data-status="Y"]`);
    await row.waitFor({ timeout: 6000 });
    expect(await row.innerText())
      .to.include('400040******4001')
      .and.include('browser');
    await row.locator('button').click();
    await page.locator('#timeline li[data-kind="RRes"]').waitFor();
    const kinds = await page
      .locator('#timeline > li')
      .evaluateAll((lis: { dataset: { kind?: string } }[]) => lis.map((li) => li.dataset.kind));
    for (const k of ['AReq', 'ARes', 'CReq', 'CRes', 'RReq', 'RRes']) expect(kinds, k).to.include(k);
    expect(await textOf('#detail-summary')).to.include(id);
    await page.click('#detail-expand');
    const trail = await textOf('#timeline');
    expect(trail).to.include('400040******4001').and.not.include('4000400040004001');
    expect(trail).to.include('"transStatus": "Y"');
    challengeId = id;
  });

  it('sets an override in the editor (4000 → not-authenticated): the next 4000 answers N; removed, Y again', async () => {
    await page.click('#tab-overrides');
    await page.fill('#ov-key', '4000');
    await page.selectOption('#ov-scenario', '4002');
    await page.click('#ov-form button[type="submit"]');
    const row = page.locator('#ov-body tr[data-key="4000"]');
    await row.waitFor();
    expect(await row.innerText())
      .to.include('not-authenticated')
      .and.include('console');

    await runCard('4000');
    await page.locator('#run-outcome[data-status="N"]').waitFor({ timeout: 10_000 });
    expect(await textOf('#run-steps')).to.include('ARes: transStatus N · reason 01');
    const id = await runTransaction();
    await page.click('#tab-transactions');
    const listed = page.locator(`#tx-body tr[data-id="${id}"][data-status="N"]`);
    await listed.waitFor({ timeout: 6000 });
    expect(await listed.innerText()).to.include('override');

    await page.click('#tab-overrides');
    await page.click('#ov-body tr[data-key="4000"] button');
    await row.waitFor({ state: 'detached' });
    expect(await page.locator('#ov-empty').isVisible()).to.equal(true);
    await runCard('4000');
    await page.locator('#run-outcome[data-status="Y"]').waitFor({ timeout: 10_000 });
  });

  it('runs the 3DS Method of 4014 in a hidden frame (threeDSCompInd Y → frictionless Y)', async () => {
    await runCard('4014');
    await page.locator('#run-outcome[data-status="Y"]').waitFor({ timeout: 15_000 });
    expect(await textOf('#run-steps'))
      .to.include('3DS Method completed: threeDSCompInd Y')
      .and.include('ARes: transStatus Y');
  });

  it('runs an app flow on the server-side SDK: 4001 with 1234 → CRes Y, final Y; listed as an app flow', async () => {
    await page.click('#tab-app');
    await page.selectOption('#a-card', '4000400040004001');
    await page.fill('#a-answer', '1234');
    await page.click('#app-form button[type="submit"]');
    await page.locator('#app-outcome', { hasText: 'transStatus Y' }).waitFor({ timeout: 10_000 });
    const kinds = await page
      .locator('#app-steps > li')
      .evaluateAll((lis: { dataset: { kind?: string } }[]) => lis.map((li) => li.dataset.kind));
    expect(kinds).to.deep.equal(['version', 'ARes', 'CReq', 'CRes', 'CReq', 'CRes', 'final']);
    const id = (await textOf('#app-state')).match(/Transaction ([0-9a-f-]{36})/)?.[1];
    await page.click('#tab-transactions');
    await page.selectOption('#f-flow', 'app');
    await page.locator(`#tx-body tr[data-id="${id}"][data-status="Y"]`).waitFor({ timeout: 6000 });
    await page.click('#filters button[type="reset"]');
  });

  it('is usable from the keyboard at 1280 px: arrow keys move between the tabs, focus is visible, nothing scrolls sideways', async () => {
    await page.click('#tab-transactions');
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate('document.activeElement.id')).to.equal('tab-cards');
    expect(await page.locator('#panel-cards').isVisible()).to.equal(true);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.id')).to.equal('o-size');
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).to.equal('solid');
    // A card's Run button, reached and pressed with the keyboard.
    await page.locator('#cards-body tr[data-key="4005"] button').focus();
    await page.keyboard.press('Enter');
    await page.locator('#run-outcome[data-status="A"]').waitFor({ timeout: 10_000 });
    for (const tab of ['transactions', 'cards', 'app', 'overrides']) {
      await page.click(`#tab-${tab}`);
      expect(await page.evaluate('document.documentElement.scrollWidth'), tab).to.be.at.most(VIEWPORT.width);
    }
    // Every button and form field has an accessible name.
    const unnamed = await page.evaluate(`[...document.querySelectorAll('button, input:not([type=hidden]), select')]
      .filter((e) => !(e.getAttribute('aria-label') || e.labels?.length || e.textContent.trim())).map((e) => e.id || e.outerHTML.slice(0, 60))`);
    expect(unnamed).to.deep.equal([]);
  });

  it('shows the timeline of the 4001 challenge next to the list (docs/console.png with UPDATE_CONSOLE_PNG=1)', async () => {
    await page.click('#tab-transactions');
    await page.locator(`#tx-body tr[data-id="${challengeId}"] button`).click();
    await page.locator('#timeline li[data-kind="CRes"]').waitFor();
    await page.click('#detail-collapse');
    await page.locator('#timeline li[data-kind="ARes"] details').evaluate((d: { open: boolean }) => {
      d.open = true;
    });
    // Six runs so far, the last one (4005) seen by the next poll.
    await page.locator('#tx-body tr:nth-child(6)').waitFor({ timeout: 5000 });
    if (process.env.UPDATE_CONSOLE_PNG === '1') await page.screenshot({ path: path.join(ROOT, 'docs/console.png') });
  });

  it('loaded nothing from another origin and logged no CSP refusal or script error', () => {
    expect([...origins]).to.deep.equal([base]);
    // The one answer the page was meant to get wrong: the wrong token, refused.
    const expected = (e: string) => /\/__admin\/scenarios: Failed to load resource: .* 401 /.test(e);
    expect(errors.filter(expected)).to.have.length(1);
    expect(errors.filter((e) => !expected(e))).to.deep.equal([]);
  });
});
