// Drives the shop's checkout page in Chromium the way a cardholder does: type the card, press Pay,
// answer the ACS page inside the challenge iframe. Records every form POST the page and its frames
// send, so tests can see what the library put on the wire.
import type { Browser, BrowserContext, Frame, FrameLocator, Page } from 'playwright-core';
import type { WindowSizeCode } from './merchant-backend.js';
import type { Merchant } from './merchant-server.js';

export interface PostedForm {
  url: string;
  fromMainFrame: boolean;
  fields: Record<string, string>;
}

export interface CheckoutResult {
  serverTransactionId?: string;
  methodRan?: boolean;
  status?: string;
  emv?: { transStatus?: string; transStatusReason?: string };
  challenged?: boolean;
  event?: string;
  cres?: Record<string, unknown>;
  sessionData?: string;
  error?: unknown;
}

export interface FrameRecord {
  display: string;
  inChallengeBox: boolean;
}

export interface PayOptions {
  pan: string;
  size?: WindowSizeCode;
  runMethod?: boolean;
  claimMethod?: boolean;
  driver?: 'library' | 'native';
}

export const VIEWPORT = { width: 1024, height: 768 };
export const CHALLENGE_IFRAME = '#challenge iframe';

export class Checkout {
  readonly posts: PostedForm[] = [];
  /** Uncaught exceptions and console errors (CSP refusals among them) of the page and its frames. */
  readonly errors: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.on('pageerror', (err) => this.errors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') this.errors.push(`${msg.location().url}: ${msg.text()}`);
    });
    page.on('request', (req) => {
      const type = req.headers()['content-type'] ?? '';
      if (req.method() !== 'POST' || !type.startsWith('application/x-www-form-urlencoded')) return;
      this.posts.push({
        url: req.url(),
        fromMainFrame: req.frame() === page.mainFrame(),
        fields: Object.fromEntries(new URLSearchParams(req.postData() ?? '')),
      });
    });
  }

  static async open(browser: Browser, merchant: Merchant): Promise<Checkout> {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    const checkout = new Checkout(context, page);
    await page.goto(merchant.url('/checkout'));
    return checkout;
  }

  async pay(o: PayOptions): Promise<void> {
    const p = this.page;
    await p.fill('#card-number', o.pan);
    await p.selectOption('#window-size', o.size ?? '05');
    await p.setChecked('#run-method', o.runMethod ?? true);
    await p.setChecked('#claim-method', o.claimMethod ?? false);
    await p.selectOption('#driver', o.driver ?? 'library');
    await p.click('#pay');
  }

  /** The ACS page inside the challenge iframe, for clicks and typing. */
  acs(): FrameLocator {
    return this.page.frameLocator(CHALLENGE_IFRAME);
  }

  /** The challenge iframe's Frame once the ACS form is in it (for evaluate and screenshots). */
  async acsFrame(): Promise<Frame> {
    await this.acs().locator('form[name="cardholderInput"]').waitFor({ timeout: 10_000 });
    const handle = await this.page.locator(CHALLENGE_IFRAME).elementHandle();
    const frame = await handle?.contentFrame();
    if (!frame) throw new Error('challenge iframe has no frame');
    return frame;
  }

  async result(timeoutMs = 15_000): Promise<CheckoutResult> {
    await this.page.waitForFunction('window.checkoutResult !== undefined', undefined, { timeout: timeoutMs });
    return (await this.page.evaluate('window.checkoutResult')) as CheckoutResult;
  }

  async frames(): Promise<FrameRecord[]> {
    return (await this.page.evaluate('window.checkoutFrames')) as FrameRecord[];
  }

  postsTo(url: string): PostedForm[] {
    return this.posts.filter((p) => p.url === url || p.url.startsWith(`${url}?`));
  }

  close(): Promise<void> {
    return this.context.close();
  }
}

export interface Box {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

export interface CodeEntryLayout {
  viewport: { width: number; height: number };
  scroll: { x: number; y: number };
  /** Whether the document is larger than the frame's viewport (a scroll bar would be needed). */
  overflows: boolean;
  bodyClass: string;
  input: Box;
  submit: Box;
}

// A string, not a function: the test tsconfig has no DOM lib, and this runs inside the ACS frame.
const MEASURE = `(() => {
  const box = (s) => { const r = document.querySelector(s).getBoundingClientRect(); return { top: r.top, left: r.left, bottom: r.bottom, right: r.right }; };
  const d = document.documentElement;
  return {
    viewport: { width: window.innerWidth, height: window.innerHeight },
    scroll: { x: window.scrollX, y: window.scrollY },
    overflows: d.scrollHeight > d.clientHeight || d.scrollWidth > d.clientWidth,
    bodyClass: document.body.className,
    input: box('input[name="challengeDataEntry"]'),
    submit: box('input[type="submit"][value="SUBMIT"]'),
  };
})()`;

export async function measureCodeEntry(frame: Frame): Promise<CodeEntryLayout> {
  return (await frame.evaluate(MEASURE)) as CodeEntryLayout;
}

export function insideViewport(b: Box, v: { width: number; height: number }): boolean {
  return b.top >= 0 && b.left >= 0 && b.bottom <= v.height && b.right <= v.width && b.bottom > b.top && b.right > b.left;
}
