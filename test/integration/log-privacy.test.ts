// SPEC §10: PANs masked, and codes, keys, CVCs never logged. A real server at the most verbose level
// runs a flow for every test card (browser, with wrong and right codes; an app challenge with its keys),
// then every line it wrote, on stdout and stderr, from primary and workers, is scanned.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { TestSdk } from '../helpers/sdk.js';
import { ROOT, type RunningServer, startServer } from '../helpers/server.js';

const OTP = '246813';
const WRONG = '975310';
const CVC = '9137';
const LAST4 = [
  '4000',
  '4001',
  '4002',
  '4003',
  '4004',
  '4005',
  '4006',
  '4007',
  '4008',
  '4009',
  '4010',
  '4011',
  '4012',
  '4013',
  '4014',
  // Broken-response cards (4019, whose ACS never answers, is covered by acs-no-answer.test.ts).
  '4015',
  '4016',
  '4017',
  '4018',
  '4999',
];
const pan = (last4: string) => `411111111111${last4}`;

describe('log privacy (integration)', function () {
  this.timeout(90_000);
  let server: RunningServer;
  let base: string;
  const fixture = JSON.parse(readFileSync(path.join(ROOT, '../shared/fixtures/authenticate-browser.json'), 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;

  // Every request carries its own X-Request-ID, so the scan can wait for each one's access line.
  const sent: string[] = [];
  const requestId = () => {
    const id = `privacy-${sent.length + 1}`;
    sent.push(id);
    return id;
  };
  const post = async (p: string, body: unknown) => {
    const r = await fetch(`${base}${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId() },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json().catch(() => ({}))) as Record<string, unknown> };
  };
  const form = (p: string, fields: Record<string, string>) =>
    fetch(`${base}${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': requestId() },
      body: new URLSearchParams(fields),
      redirect: 'manual',
    });

  before(async () => {
    server = await startServer({
      workers: 2,
      env: { LOG_LEVEL: 'trace', PROTOCOL_OTP: OTP, SLOW_RESPONSE_MS: '50', DECOUPLED_DELAY_MS: '50' },
    });
    base = server.url('');
  });
  after(async () => server.stop());

  it('runs every test card and an app challenge without a PAN, code, key or CVC in any log line', async () => {
    for (const last4 of LAST4) {
      const v = await post('/3ds/version', { cardNumber: pan(last4) });
      expect(v.status).to.equal(200);
      const areq = structuredClone(fixture);
      areq.threeDSServerTransID = v.body.threeDSServerTransID as never;
      areq.cardholderAccount = { ...areq.cardholderAccount, acctNumber: pan(last4), cardSecurityCode: CVC };
      const a = await post('/3ds/authenticate', areq);
      expect([200, 502]).to.include(a.status);
      if (a.body.transStatus === 'C') {
        const open = await form('/processor/mock/acs/trigger-otp', {
          creq: a.body.base64EncodedChallengeRequest as string,
          threeDSSessionData: 'sess-1',
        });
        expect(open.status).to.equal(200);
        const id = v.body.threeDSServerTransID as string;
        await form('/processor/mock/acs/verify-otp', { threeDSServerTransID: id, otp: WRONG });
        await form('/processor/mock/acs/verify-otp', { threeDSServerTransID: id, otp: OTP });
      }
      await post('/3ds/final', { threeDSServerTransID: v.body.threeDSServerTransID });
    }
    // An app challenge: ephemeral keys, a session key, encrypted CReqs carrying the code.
    const sdk = new TestSdk({ enc: 'A128GCM' });
    const v = await post('/3ds/version', { cardNumber: pan('4001') });
    const areq = structuredClone(fixture);
    Object.assign(areq, {
      threeDSServerTransID: v.body.threeDSServerTransID,
      deviceChannel: '01',
      sdkTransID: sdk.sdkTransID,
      sdkInformation: sdk.sdkInformation(),
    });
    delete areq.browserInformation;
    areq.cardholderAccount = { ...areq.cardholderAccount, acctNumber: pan('4001'), cardSecurityCode: CVC };
    const a = await post('/3ds/authenticate', areq);
    expect(a.status).to.equal(200);
    const ares = a.body.authenticationResponse as Record<string, string>;
    await sdk.startChallenge({
      acsSignedContent: ares.acsSignedContent as string,
      acsTransID: ares.acsTransID as string,
      threeDSServerTransID: ares.threeDSServerTransID as string,
      messageVersion: ares.messageVersion as string,
    });
    const acsURL = `${base}/challenge`;
    const send = async (fields: Record<string, unknown> = {}) => {
      const r = await fetch(acsURL, {
        method: 'POST',
        headers: { 'content-type': 'application/jose', 'x-request-id': requestId() },
        body: await sdk.nextCReq(fields),
      });
      return sdk.decryptCRes(await r.text());
    };
    await send();
    await send({ challengeDataEntry: WRONG });
    const last = await send({ challengeDataEntry: OTP });
    expect(last.transStatus).to.equal('Y');
    // Everything those requests logged is in: each one's access line is written when it is finished.
    await Promise.all(sent.map((id) => server.waitForLog((l) => l.msg === 'request' && l.requestId === id)));

    const text = server.lines.map((l) => JSON.stringify(l)).join('\n') + server.stderr.join('');
    expect(sent.length).to.be.greaterThan(50);
    for (const last4 of LAST4) expect(text, `full PAN ${pan(last4)}`).to.not.include(pan(last4));
    expect(text, 'the right code').to.not.include(OTP);
    expect(text, 'a wrong code').to.not.include(WRONG);
    expect(text, 'the CVC').to.not.match(new RegExp(`cardSecurityCode|"${CVC}"`));
    expect(text, 'private keys').to.not.match(/PRIVATE KEY|"d":"|sessionKey|privateJwk/);
    expect(text, 'the signed content').to.not.include(ares.acsSignedContent as string);
    expect(text, 'the authentication value').to.not.include(String(a.body.authenticationValue ?? 'no-value-present'));
  });
});
