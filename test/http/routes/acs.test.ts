// The ACS browser pages over HTTP: every UI, both completion modes, wrong codes, exhausted attempts,
// cancel, resend, CReq encodings, headers (CSP nonce, no-store), window sizes, XSS and open redirects.
import { expect } from 'chai';
import request from 'supertest';
import { type Body, browserAReq } from '../../protocol/helpers.js';
import { type AppHarness, form, formsOf, hiddenValue, logged, pathOf, rawPost, startApp } from './harness.js';

interface Started {
  id: string;
  acsTransID: string;
  creq: string;
  creqJson: string;
  acsPath: string;
}

async function challenge(app: AppHarness, pan: string, edit?: (b: Body) => void): Promise<Started> {
  const body = browserAReq(pan, edit);
  const res = await request(app.base).post('/3ds/authenticate').send(body);
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  expect(res.body.transStatus).to.equal('C');
  return {
    id: body.threeDSServerTransID,
    acsTransID: res.body.authenticationResponse.acsTransID,
    creq: res.body.base64EncodedChallengeRequest,
    creqJson: JSON.stringify(res.body.challengeRequest),
    acsPath: pathOf(res.body.acsURL),
  };
}

function open(app: AppHarness, s: Started, fields: Record<string, string> = {}, query = '') {
  return request(app.base)
    .post(`${s.acsPath}${query}`)
    .type('form')
    .send({ creq: s.creq, ...fields });
}

function post(app: AppHarness, action: string, fields: Record<string, string>) {
  return request(app.base).post(pathOf(action)).type('form').send(fields);
}

/** Submits the code form of a page with `code`. */
function submitCode(app: AppHarness, page: string, code: string) {
  const f = form(page, 'cardholderInput');
  return post(app, f.action, { threeDSServerTransID: hiddenValue(f, 'threeDSServerTransID') as string, challengeDataEntry: code });
}

/** True when any tag of the page has an on* attribute (values are skipped: they are quoted and escaped). */
function hasInlineHandler(page: string): boolean {
  for (const tag of page.matchAll(/<[a-zA-Z][^\s>]*((?:\s+[a-zA-Z-]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    for (const a of (tag[1] as string).matchAll(/\s([a-zA-Z-]+)(?:="[^"]*")?/g)) if (/^on/i.test(a[1] as string)) return true;
  }
  return false;
}

function cresOf(page: string): Record<string, unknown> {
  const f = form(page, 'autoPost');
  return JSON.parse(Buffer.from(hiddenValue(f, 'cres') as string, 'base64url').toString('utf8'));
}

describe('routes/acs', () => {
  let app: AppHarness;
  before(async () => {
    app = await startApp((c) => (c.notifications.enabled = false));
  });
  after(() => app.close());

  it('renders the code page with the selectors automation uses, CSP nonce and no-store', async () => {
    const s = await challenge(app, '4000400040004001');
    const res = await open(app, s, { threeDSSessionData: 'c2Vzc2lvbi0x' });
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/^text\/html/);
    expect(res.headers['cache-control']).to.equal('no-store');
    const csp = res.headers['content-security-policy'] as string;
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    expect(nonce).to.be.a('string');
    expect(csp).to.contain(`style-src 'nonce-${nonce}'`);
    expect(csp).to.contain("default-src 'none'");
    expect(csp).to.contain('frame-ancestors *');
    expect(csp).to.contain(`form-action http://localhost:${app.port}`);
    expect(res.headers).to.not.have.property('x-frame-options');
    const page = res.text;
    expect(page).to.contain(`<style nonce="${nonce}">`);
    expect(page).to.contain(`<script nonce="${nonce}">`);
    expect(page).to.match(/<form name="cardholderInput"[^>]*>/);
    expect(page).to.match(/<input[^>]*name="challengeDataEntry"/);
    expect(page).to.match(/<input type="submit" value="SUBMIT">/);
    expect(hasInlineHandler(page)).to.equal(false);
    expect(hasInlineHandler('<img src="x" onerror="y">')).to.equal(true);
    expect(page).to.contain('class="w03"');
    expect(page).to.contain('Test Shop');
    expect(page).to.contain('45.99 CHF');
    expect(page).to.contain('400040******4001');
    expect(page).to.not.contain('4000400040004001');
    const again = await open(app, s);
    expect(again.headers['content-security-policy']).to.not.equal(csp);
  });

  it('EMV completion: wrong code, then right code → results recorded, page posts cres + threeDSSessionData', async () => {
    const s = await challenge(app, '4000400040004001');
    const page = (await open(app, s, { threeDSSessionData: 'c2Vzc2lvbi0x' })).text;
    const wrong = await submitCode(app, page, '0000');
    expect(wrong.status).to.equal(200);
    expect(wrong.text).to.contain('2 attempts left');
    const done = await submitCode(app, wrong.text, '1234');
    expect(done.status).to.equal(200);
    const f = form(done.text, 'autoPost');
    expect(f.action).to.equal('http://127.0.0.1:9901/3ds/notify');
    expect(hiddenValue(f, 'threeDSSessionData')).to.equal('c2Vzc2lvbi0x');
    expect(hiddenValue(f, 'cres')).to.match(/^[A-Za-z0-9_-]+$/);
    expect(cresOf(done.text)).to.deep.equal({
      threeDSServerTransID: s.id,
      acsTransID: s.acsTransID,
      messageType: 'CRes',
      messageVersion: '2.2.0',
      transStatus: 'Y',
      challengeCompletionInd: 'Y',
    });
    expect(done.headers['content-security-policy']).to.contain('form-action http://127.0.0.1:9901');
    expect(done.text).to.match(/<script nonce="[^"]+">document\.getElementById\('m3ds-post'\)\.submit\(\);<\/script>/);
    expect(done.text).to.contain('<noscript>');
    const fin = await request(app.base).post('/3ds/final').send({ threeDSServerTransID: s.id });
    expect(fin.body).to.include({ transStatus: 'Y', eci: '05' });
  });

  it('attempts exhausted → N; cancel → U / CRes N; resend keeps attempts', async () => {
    const s = await challenge(app, '4000400040004001');
    let page = (await open(app, s)).text;
    for (let i = 0; i < 2; i++) page = (await submitCode(app, page, `99${i}`)).text;
    expect(page).to.contain('1 attempt left');
    const last = await submitCode(app, page, '999');
    expect(cresOf(last.text).transStatus).to.equal('N');
    expect((await request(app.base).post('/3ds/final').send({ threeDSServerTransID: s.id })).body).to.include({
      transStatus: 'N',
      eci: '07',
    });

    const c = await challenge(app, '4000400040004001');
    const cp = (await open(app, c)).text;
    const resendForm = form(cp, 'resendForm');
    const resent = await post(app, resendForm.action, { threeDSServerTransID: c.id, action: 'resend' });
    expect(resent.text).to.contain('A new code has been sent.');
    expect(resent.text).to.contain('Attempts left: 3');
    const cancelForm = form(resent.text, 'cancelForm');
    expect(cancelForm.fields.find((x) => x.name === 'action')?.value).to.equal('cancel');
    const cancelled = await post(app, cancelForm.action, { threeDSServerTransID: c.id, action: 'cancel' });
    expect(cresOf(cancelled.text).transStatus).to.equal('N');
    const fin = await request(app.base).post('/3ds/final').send({ threeDSServerTransID: c.id });
    expect(fin.body.transStatus).to.equal('U');
    expect(fin.body.resultsRequest.challengeCancel).to.equal('01');
  });

  it('the existing mock’s way: raw JSON creq, verify-otp with otp → 302 with the outcome', async () => {
    const s = await challenge(app, '5200000000004001');
    const page = await request(app.base).post(s.acsPath).type('form').send({ creq: s.creqJson });
    expect(page.status).to.equal(200);
    expect(page.headers['content-security-policy']).to.contain('http://127.0.0.1:9901');
    const res = await request(app.base)
      .post('/processor/mock/acs/verify-otp')
      .type('form')
      .send({ otp: '1234', threeDSServerTransID: s.id });
    expect(res.status).to.equal(302);
    const loc = new URL(res.headers.location as string);
    expect(loc.origin + loc.pathname).to.equal('http://127.0.0.1:9901/3ds/notify');
    expect(loc.searchParams.get('transStatus')).to.equal('Y');
    expect(loc.searchParams.get('threeDSServerTransID')).to.equal(s.id);
    expect(loc.searchParams.get('eci')).to.equal('02');
    expect(loc.searchParams.get('authenticationValue')).to.match(/^kB/);
    const fin = await request(app.base).post('/3ds/final').send({ threeDSServerTransID: s.id });
    expect(fin.body.authenticationValue).to.equal(loc.searchParams.get('authenticationValue'));
  });

  it('the existing mock’s way with ?redirectUrl= on the acsURL', async () => {
    const s = await challenge(app, '4000400040004001');
    const redirectUrl = 'http://127.0.0.1:9901/return?order=42';
    const page = await open(app, s, {}, `?redirectUrl=${encodeURIComponent(redirectUrl)}`);
    expect(page.status).to.equal(200);
    const res = await submitCode(app, page.text, '1234');
    expect(res.status).to.equal(302);
    expect(res.headers.location).to.match(/^http:\/\/127\.0\.0\.1:9901\/return\?order=42&transStatus=Y&threeDSServerTransID=/);
  });

  it('accepts the creq as base64url, padded base64, unpadded base64 and raw JSON', async () => {
    const s = await challenge(app, '4000400040004001');
    const b64 = Buffer.from(s.creqJson).toString('base64');
    for (const creq of [s.creq, b64, b64.replace(/=+$/, ''), s.creqJson]) {
      const res = await request(app.base).post(s.acsPath).type('form').send({ creq });
      expect(res.status, creq).to.equal(200);
      expect(res.text).to.contain('name="cardholderInput"');
    }
    const bad = await request(app.base).post(s.acsPath).type('form').send({ creq: '%%%' });
    expect(bad.status).to.equal(400);
    expect(bad.body.errorDetails).to.include({ errorCode: '203', errorMessageType: 'CReq' });
    const none = await request(app.base).post(s.acsPath).type('form').send({});
    expect(none.body.errorDetails.errorCode).to.equal('201');
    const unknown = await request(app.base)
      .post(s.acsPath)
      .type('form')
      .send({ creq: JSON.stringify({ threeDSServerTransID: '5b1dc4a8-6d0e-4a43-9b25-8e0f1f4b7c11' }) });
    expect(unknown.status).to.equal(404);
  });

  it('fits every challenge window size', async () => {
    for (const size of ['01', '02', '03', '04', '05']) {
      const s = await challenge(app, '4000400040004001', (b) => (b.browserInformation.challengeWindowSize = size));
      const page = (await open(app, s)).text;
      expect(page).to.contain(`class="w${size}"`);
    }
    const css = (await open(app, await challenge(app, '4000400040004001'))).text;
    expect(css).to.contain('.w01 main{max-width:250px');
  });

  it('single select, multi select, OOB and issuer HTML pages', async () => {
    const single = await challenge(app, '4000400040004008');
    const sp = (await open(app, single)).text;
    expect(sp).to.match(/type="radio" name="challengeDataEntry" value="02"/);
    const sw = await post(app, form(sp, 'cardholderInput').action, { threeDSServerTransID: single.id, challengeDataEntry: '01' });
    expect(sw.text).to.contain('That answer is not right.');
    const sr = await post(app, form(sp, 'cardholderInput').action, { threeDSServerTransID: single.id, challengeDataEntry: '02' });
    expect(cresOf(sr.text).transStatus).to.equal('Y');

    const multi = await challenge(app, '4000400040004009');
    const mp = (await open(app, multi)).text;
    expect(mp).to.match(/type="checkbox" name="select-01"/);
    const mr = await post(app, form(mp, 'cardholderInput').action, {
      threeDSServerTransID: multi.id,
      'select-01': '01',
      'select-03': '03',
    });
    expect(cresOf(mr.text).transStatus).to.equal('Y');

    const oob = await challenge(app, '4000400040004010');
    const op = (await open(app, oob)).text;
    const of = form(op, 'cardholderInput');
    expect(hiddenValue(of, 'action')).to.equal('oob-continue');
    const or = await post(app, of.action, { threeDSServerTransID: oob.id, action: 'oob-continue' });
    expect(cresOf(or.text).transStatus).to.equal('Y');

    const htmlUi = await challenge(app, '4000400040004011');
    const hp = (await open(app, htmlUi)).text;
    expect(hp).to.contain('Mock Issuer Bank');
    expect(hp).to.contain('class="w03 issuer"');
    expect(cresOf((await submitCode(app, hp, '1234')).text).transStatus).to.equal('Y');
  });

  it('refuses an open redirect (trigger-otp and verify-otp) without redirecting', async () => {
    const s = await challenge(app, '4000400040004001');
    for (const target of ['https://evil.example/phish', '//evil.example', 'javascript:alert(1)', 'http://127.0.0.1:9902/x']) {
      const res = await open(app, s, {}, `?redirectUrl=${encodeURIComponent(target)}`);
      expect(res.status, target).to.equal(400);
      expect(res.headers).to.not.have.property('location');
      expect(res.body.errorDetails.errorDetail).to.contain('redirectUrl');
    }
    const v = await request(app.base)
      .post(`/processor/mock/acs/verify-otp?redirectUrl=${encodeURIComponent('https://evil.example/')}`)
      .type('form')
      .send({ otp: '1234', threeDSServerTransID: s.id });
    expect(v.status).to.equal(400);
    expect(v.headers).to.not.have.property('location');
    // Nothing was decided by the refused attempt.
    expect((await request(app.base).post('/3ds/final').send({ threeDSServerTransID: s.id })).status).to.equal(409);
    app.setConfig((c) => {
      c.notifications.enabled = false;
      c.security.allowedRedirectOrigins = ['https://shop.example'];
    });
    try {
      const ok = await request(app.base)
        .post(`/processor/mock/acs/verify-otp?redirectUrl=${encodeURIComponent('https://shop.example/back')}`)
        .type('form')
        .send({ otp: '1234', threeDSServerTransID: s.id });
      expect(ok.status).to.equal(302);
      expect(ok.headers.location).to.match(/^https:\/\/shop\.example\/back\?transStatus=Y/);
    } finally {
      app.setConfig((c) => (c.notifications.enabled = false));
    }
  });

  it('escapes every reflected value (XSS attempts)', async () => {
    const evil = `"><script>alert(1)</script><img src=x onerror=alert(2)>'\``;
    const s = await challenge(app, '4000400040004001', (b) => {
      b.merchant.merchantName = evil;
      b.merchant.notificationURL = `http://127.0.0.1:9901/n?q=${encodeURIComponent(evil)}&x="><script>alert(3)</script>`;
    });
    const page = await open(app, s, { threeDSSessionData: evil });
    expect(page.status).to.equal(200);
    for (const text of [page.text]) {
      expect(text).to.not.contain('<script>alert');
      expect(text).to.not.contain('<img src=x');
      expect(text).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
    const done = await submitCode(app, page.text, '1234');
    expect(done.status).to.equal(200);
    expect(done.text).to.not.contain('<script>alert');
    expect(hasInlineHandler(done.text)).to.equal(false);
    expect(hasInlineHandler(page.text)).to.equal(false);
    const f = form(done.text, 'autoPost');
    expect(hiddenValue(f, 'threeDSSessionData')).to.equal(evil);
    expect(f.action.startsWith('http://127.0.0.1:9901/n?q=')).to.equal(true);
    // A submitted value is never reflected raw either.
    const t = await challenge(app, '4000400040004001');
    const tp = (await open(app, t)).text;
    const wrong = await submitCode(app, tp, evil);
    expect(wrong.text).to.not.contain('<script>alert');
    // Every form on every page keeps to our own hidden fields.
    for (const fm of formsOf(wrong.text)) for (const fld of fm.fields) expect(fld.value ?? '').to.not.contain('<script>');
  });

  it('refuses a challenge post for a frictionless or unknown transaction, and unknown actions', async () => {
    const fr = browserAReq('4000400040004000');
    await request(app.base).post('/3ds/authenticate').send(fr);
    const r1 = await request(app.base)
      .post('/processor/mock/acs/verify-otp')
      .type('form')
      .send({ otp: '1234', threeDSServerTransID: fr.threeDSServerTransID });
    expect(r1.status).to.equal(400);
    expect(r1.body.errorDetails.errorCode).to.equal('305');
    const r2 = await request(app.base)
      .post('/processor/mock/acs/verify-otp')
      .type('form')
      .send({ otp: '1234', threeDSServerTransID: '5b1dc4a8-6d0e-4a43-9b25-8e0f1f4b7c11' });
    expect(r2.status).to.equal(404);
    const r3 = await request(app.base).post('/processor/mock/acs/verify-otp').type('form').send({ otp: '1234' });
    expect(r3.body.errorDetails.errorCode).to.equal('201');
    const r4 = await request(app.base).post('/processor/mock/acs/verify-otp').set('content-type', 'text/plain').send('otp=1234');
    expect(r4.status).to.equal(400);
  });
});

describe('routes/acs: test card 4019, an ACS that never answers the CReq (SPEC §4)', () => {
  const FORM = 'application/x-www-form-urlencoded';
  const HELD = /"msg":"request held without an answer"/;
  let app: AppHarness | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('a client that gives up: the server lets the request go and keeps serving', async () => {
    app = await startApp((c) => (c.notifications.enabled = false));
    const s = await challenge(app, '4000400040004019');
    const p = rawPost(app.port, s.acsPath, FORM, new URLSearchParams({ creq: s.creq }).toString());
    expect(await logged(app.deps.logLines, HELD)).to.contain('"maxMs":60000');
    p.client.destroy();
    await p.closed;
    await logged(app.deps.logLines, /"why":"client left"/);
    expect(p.answered()).to.equal(false);
    const other = await challenge(app, '4000400040004001');
    expect((await open(app, other)).status).to.equal(200);
  });

  it('protocol.hangMaxMs: the page and the form posts close without a response; final says why; others are served', async () => {
    app = await startApp((c) => {
      c.notifications.enabled = false;
      c.protocol.hangMaxMs = 25;
    });
    const s = await challenge(app, '4000400040004019');
    const posts: [string, string][] = [
      [s.acsPath, new URLSearchParams({ creq: s.creq, threeDSSessionData: 'c2Vzc2lvbi0x' }).toString()],
      [`${s.acsPath}?redirectUrl=http%3A%2F%2F127.0.0.1%3A9901%2Freturn`, new URLSearchParams({ creq: s.creqJson }).toString()],
      ['/processor/mock/acs/verify-otp', new URLSearchParams({ threeDSServerTransID: s.id, otp: '1234' }).toString()],
      ['/processor/mock/acs/verify-otp', new URLSearchParams({ threeDSServerTransID: s.id, action: 'cancel' }).toString()],
    ];
    for (const [path, body] of posts) {
      const p = rawPost(app.port, path, FORM, body);
      await p.closed;
      expect(p.answered(), path).to.equal(false);
    }
    expect(app.deps.logLines.filter((l) => l.includes('"why":"maximum reached"'))).to.have.length(posts.length);
    const fin = await request(app.base).post('/3ds/final').send({ threeDSServerTransID: s.id });
    expect(fin.status).to.equal(409);
    expect(fin.body.errorDetails.errorDetail).to.contain('the ACS never answers the CReq');
    const other = await challenge(app, '4000400040004001');
    expect((await open(app, other)).status).to.equal(200);
  });

  it('a draining worker (releaseHeld) lets held requests go at once and drops later ones; the rest is served', async () => {
    app = await startApp((c) => (c.notifications.enabled = false));
    const s = await challenge(app, '4000400040004019');
    const body = new URLSearchParams({ creq: s.creq }).toString();
    const p = rawPost(app.port, s.acsPath, FORM, body);
    await logged(app.deps.logLines, HELD);
    app.app.releaseHeld();
    await p.closed;
    expect(p.answered()).to.equal(false);
    expect(await logged(app.deps.logLines, /"why":"draining"/)).to.contain('"route":"/processor/mock/acs/trigger-otp"');
    const late = rawPost(app.port, s.acsPath, FORM, body);
    await late.closed;
    expect(late.answered()).to.equal(false);
    const other = await challenge(app, '4000400040004001');
    expect((await open(app, other)).status).to.equal(200);
  });
});
