// Every test card of SPEC §4 end to end over HTTP: version → (3DS Method) → authenticate → (challenge)
// → final, plus the results push reaching a merchant endpoint, retried after a first 500.
import { expect } from 'chai';
import request from 'supertest';
import { type Body, browserAReq } from '../../protocol/helpers.js';
import { startReceiver } from '../../protocol/receiver.js';
import { type AppHarness, form, hiddenValue, pathOf, startApp } from './harness.js';

async function versionThenAuthenticate(app: AppHarness, pan: string, edit?: (b: Body) => void) {
  const v = await request(app.base).post('/3ds/version').send({ cardNumber: pan });
  expect(v.status).to.equal(200);
  const body = browserAReq(pan, (b) => {
    b.threeDSServerTransID = v.body.threeDSServerTransID;
    edit?.(b);
  });
  const a = await request(app.base).post('/3ds/authenticate').send(body);
  return { id: v.body.threeDSServerTransID as string, version: v.body, a };
}

async function final(app: AppHarness, id: string) {
  return request(app.base).post('/3ds/final').send({ threeDSServerTransID: id });
}

/** Opens the challenge page and answers it with `fields` (plus the transaction ID). */
async function answer(app: AppHarness, a: request.Response, fields: Record<string, string>) {
  const page = await request(app.base).post(pathOf(a.body.acsURL)).type('form').send({ creq: a.body.base64EncodedChallengeRequest });
  expect(page.status).to.equal(200);
  const f = form(page.text, 'cardholderInput');
  const done = await request(app.base)
    .post(pathOf(f.action))
    .type('form')
    .send({ threeDSServerTransID: hiddenValue(f, 'threeDSServerTransID') as string, ...fields });
  expect(done.status).to.equal(200);
  return JSON.parse(Buffer.from(hiddenValue(form(done.text, 'autoPost'), 'cres') as string, 'base64url').toString('utf8'));
}

describe('routes: every test card end to end', () => {
  let app: AppHarness;
  before(async () => {
    app = await startApp((c) => {
      c.notifications.enabled = false;
      c.protocol.decoupledDelayMs = 0;
      c.protocol.slowResponseMs = 1;
    });
  });
  after(() => app.close());

  const frictionless: [string, Record<string, string>][] = [
    ['4000', { transStatus: 'Y', eci: '05' }],
    ['4002', { transStatus: 'N', transStatusReason: '01', eci: '07' }],
    ['4003', { transStatus: 'R', transStatusReason: '11', eci: '07' }],
    ['4004', { transStatus: 'U', transStatusReason: '22', eci: '07' }],
    ['4005', { transStatus: 'A', eci: '06' }],
    ['4007', { transStatus: 'Y', eci: '05' }],
    ['4013', { transStatus: 'Y', eci: '05' }],
    ['4321', { transStatus: 'Y', eci: '05' }],
  ];
  for (const [last4, want] of frictionless) {
    it(`${last4}: ${want.transStatus}`, async () => {
      const { id, a } = await versionThenAuthenticate(app, `400040004000${last4}`);
      expect(a.status).to.equal(200);
      expect(a.body.authenticationResponse).to.include(want);
      // final carries exactly the fields real 3DS Servers send: the reason stays in the ARes.
      const { transStatusReason: _reason, ...finalWant } = want;
      const f = (await final(app, id)).body;
      expect(f).to.include(finalWant);
      expect(f).to.not.have.property('transStatusReason');
    });
  }

  it('4007 with indicator 05: I', async () => {
    const { a } = await versionThenAuthenticate(app, '4000400040004007', (b) => (b.threeDSRequestor.threeDSRequestorChallengeInd = '05'));
    expect(a.body.authenticationResponse).to.include({ transStatus: 'I', acsOperatorID: 'MOCK_ACS_NEW', acsReferenceNumber: 'issuer2' });
  });

  it('4001: code challenge → Y', async () => {
    const { id, a } = await versionThenAuthenticate(app, '4000400040004001');
    expect(a.body).to.include({ transStatus: 'C', acsChallengeMandated: 'Y' });
    expect((await answer(app, a, { challengeDataEntry: '1234' })).transStatus).to.equal('Y');
    expect((await final(app, id)).body).to.include({ transStatus: 'Y', eci: '05' });
  });

  it('4006 with threeDSRequestorDecReqInd Y: decoupled → results Y', async () => {
    const { id, a } = await versionThenAuthenticate(app, '4000400040004006', (b) => (b.threeDSRequestor.threeDSRequestorDecReqInd = 'Y'));
    expect(a.body.authenticationResponse).to.include({ transStatus: 'D', acsDecConInd: 'Y' });
    const f = await final(app, id);
    expect(f.status).to.equal(200);
    expect(f.body).to.include({ transStatus: 'Y', eci: '05' });
  });

  it('4008: single select → Y', async () => {
    const { id, a } = await versionThenAuthenticate(app, '4000400040004008');
    expect((await answer(app, a, { challengeDataEntry: '02' })).transStatus).to.equal('Y');
    expect((await final(app, id)).body.transStatus).to.equal('Y');
  });

  it('4009: multi select → Y', async () => {
    const { a } = await versionThenAuthenticate(app, '4000400040004009');
    expect((await answer(app, a, { 'select-01': '01', 'select-03': '03' })).transStatus).to.equal('Y');
  });

  it('4010: out of band → Y', async () => {
    const { a } = await versionThenAuthenticate(app, '4000400040004010');
    expect((await answer(app, a, { action: 'oob-continue' })).transStatus).to.equal('Y');
  });

  it('4011: issuer HTML → the code decides', async () => {
    const { id, a } = await versionThenAuthenticate(app, '4000400040004011');
    expect((await answer(app, a, { challengeDataEntry: '1234' })).transStatus).to.equal('Y');
    // acsRenderingType is an app element (Annex A Device Channel column): a browser RReq has none (SPEC §15).
    expect((await final(app, id)).body.resultsRequest)
      .to.include({ transStatus: 'Y' })
      .and.not.have.property('acsRenderingType');
  });

  it('4012: Directory Server Erro', async () => {
    const { id, a } = await versionThenAuthenticate(app, '4000400040004012');
    expect(a.status).to.equal(502);
    expect(a.body.errorDetails).to.include({ errorComponent: 'D', errorCode: '405' });
    expect((await final(app, id)).status).to.equal(502);
  });

  it('4014: the 3DS Method page, then frictionless Y; without it a challenge', async () => {
    const v = await request(app.base).post('/3ds/version').send({ cardNumber: '4000400040004014' });
    const id = v.body.threeDSServerTransID as string;
    const methodURL = v.body.cardRanges[0].threeDSMethodURL as string;
    const data = Buffer.from(
      JSON.stringify({ threeDSServerTransID: id, threeDSMethodNotificationURL: 'http://127.0.0.1:9901/method-done' }),
    ).toString('base64url');
    const page = await request(app.base).post(pathOf(methodURL)).type('form').send({ threeDSMethodData: data });
    expect(page.status).to.equal(200);
    expect(page.headers['content-security-policy']).to.contain('form-action http://127.0.0.1:9901');
    const f = form(page.text, 'autoPost');
    expect(f.action).to.equal('http://127.0.0.1:9901/method-done');
    expect(JSON.parse(Buffer.from(hiddenValue(f, 'threeDSMethodData') as string, 'base64url').toString())).to.deep.equal({
      threeDSServerTransID: id,
    });
    const a = await request(app.base)
      .post('/3ds/authenticate')
      .send(browserAReq('4000400040004014', (b) => Object.assign(b, { threeDSServerTransID: id, threeDSCompInd: 'Y' })));
    expect(a.body.transStatus).to.equal('Y');
    const without = await versionThenAuthenticate(app, '4000400040004014', (b) => (b.threeDSCompInd = 'Y'));
    expect(without.a.body.transStatus).to.equal('C');
    expect((await answer(app, without.a, { challengeDataEntry: '1234' })).transStatus).to.equal('Y');
    const bad = await request(app.base).post(pathOf(methodURL)).type('form').send({ threeDSMethodData: 'not base64!' });
    expect(bad.status).to.equal(400);
    // The notification URL is reflected into the page: escaped, never a script.
    const evilUrl = 'http://127.0.0.1:9901/m?x="><script>alert(1)</script>';
    const evilData = Buffer.from(JSON.stringify({ threeDSServerTransID: id, threeDSMethodNotificationURL: evilUrl })).toString('base64url');
    const evil = await request(app.base).post(pathOf(methodURL)).type('form').send({ threeDSMethodData: evilData });
    expect(evil.status).to.equal(200);
    expect(evil.text).to.not.contain('<script>alert');
    expect(form(evil.text, 'autoPost').action).to.equal(evilUrl);
    const js = Buffer.from(JSON.stringify({ threeDSServerTransID: id, threeDSMethodNotificationURL: 'javascript:alert(1)' })).toString(
      'base64url',
    );
    expect((await request(app.base).post(pathOf(methodURL)).type('form').send({ threeDSMethodData: js })).status).to.equal(400);
  });

  // Each challenge card completed both ways: the EMV auto-POST of the CRes, and the existing mock's 302.
  const challengeCards: [string, Record<string, string>][] = [
    ['4001', { challengeDataEntry: '1234' }],
    ['4008', { challengeDataEntry: '02' }],
    ['4009', { 'select-01': '01', 'select-03': '03' }],
    ['4010', { action: 'oob-continue' }],
    ['4011', { challengeDataEntry: '1234' }],
    ['4014', { challengeDataEntry: '1234' }],
  ];
  for (const [last4, fields] of challengeCards) {
    it(`${last4}: completes the existing mock's way too (raw JSON creq → verify-otp → 302)`, async () => {
      const { id, a } = await versionThenAuthenticate(app, `400040004000${last4}`);
      expect(a.body.transStatus).to.equal('C');
      const page = await request(app.base)
        .post(pathOf(a.body.acsURL))
        .type('form')
        .send({ creq: JSON.stringify(a.body.challengeRequest) });
      expect(page.status).to.equal(200);
      const res = await request(app.base)
        .post('/processor/mock/acs/verify-otp')
        .type('form')
        .send({ threeDSServerTransID: id, ...fields });
      expect(res.status).to.equal(302);
      const loc = new URL(res.headers.location as string);
      expect(loc.searchParams.get('transStatus')).to.equal('Y');
      expect(loc.searchParams.get('eci')).to.equal('05');
      expect((await final(app, id)).body.authenticationValue).to.equal(loc.searchParams.get('authenticationValue'));
    });
  }

  it('Mastercard and the 2.2.0-only range', async () => {
    const { a } = await versionThenAuthenticate(app, '5155010000004000', (b) => (b.preferredProtocolVersion = '2.3.1'));
    expect(a.body.authenticationResponse).to.include({ messageVersion: '2.2.0', eci: '02' });
    expect(a.body.authenticationValue).to.match(/^kA/);
  });
});

describe('routes: results push', () => {
  it('reaches a local receiver after a challenge, retried after a first 500', async () => {
    const rx = await startReceiver([500, 204]);
    const app = await startApp((c) => (c.notifications.backoffMs = 5));
    try {
      const body = browserAReq('4000400040004001', (b) => (b.merchant.resultsResponseNotificationUrl = rx.url('/hooks/3ds')));
      const a = await request(app.base).post('/3ds/authenticate').send(body);
      const cres = await answer(app, a, { challengeDataEntry: '1234' });
      expect(cres.transStatus).to.equal('Y');
      await rx.waitFor(2);
      expect(rx.received.map((r) => r.url)).to.deep.equal(['/hooks/3ds', '/hooks/3ds']);
      const pushed = rx.received[1]?.body as Record<string, unknown>;
      const fin = (await request(app.base).post('/3ds/final').send({ threeDSServerTransID: body.threeDSServerTransID })).body;
      expect(pushed).to.deep.equal(fin);
      expect(pushed).to.have.keys([
        'threeDSServerTransID',
        'transStatus',
        'eci',
        'authenticationValue',
        'resultsRequest',
        'resultsResponse',
      ]);
      await app.protocol.idle();
      const m = await app.deps.metrics.registry.getSingleMetricAsString('results_push_total');
      expect(m).to.contain('results_push_total{outcome="retry"} 1');
      expect(m).to.contain('results_push_total{outcome="success"} 1');
    } finally {
      await app.close();
      await rx.close();
    }
  });
});
