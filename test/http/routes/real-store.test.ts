// The protocol over the real tiered store (L1 over the embedded L2, in process) instead of the test
// store: a challenge flow, a decoupled completion and a conflicting repeat, end to end over HTTP.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import request from 'supertest';
import { createApp } from '../../../src/http/app.js';
import { createProtocol, type Protocol } from '../../../src/protocol/protocol.js';
import { isFinalRecord, type TransactionRecord } from '../../../src/protocol/transaction/record.js';
import { createStore } from '../../../src/store/create-store.js';
import type { TransactionStore } from '../../../src/store/store.js';
import { testDeps } from '../../helpers/app-deps.js';
import { browserAReq, testConfig } from '../../protocol/helpers.js';
import { form, hiddenValue, pathOf } from './harness.js';

describe('routes over the real store', () => {
  let server: http.Server;
  let base: string;
  let store: TransactionStore<TransactionRecord>;
  let protocol: Protocol;

  before(async () => {
    const deps = testDeps();
    deps.setConfig(
      testConfig((c) => {
        c.notifications.enabled = false;
        c.protocol.decoupledDelayMs = 0;
      }),
    );
    store = await createStore<TransactionRecord>({
      config: deps.config(),
      logger: deps.logger,
      metrics: deps.metrics,
      isImmutable: isFinalRecord,
    });
    protocol = createProtocol({ config: () => deps.config(), store, logger: deps.logger, metrics: deps.metrics });
    deps.protocol = protocol;
    server = http.createServer(createApp(deps));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await protocol.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
  });

  it('neither echoes nor stores a CVC nested inside an echoed block', async () => {
    const body = browserAReq('4000400040004000', (b) => {
      (b.cardholderAccount as Record<string, unknown>).acctInfo = { chAccAgeInd: '01', cardSecurityCode: '123' };
      b.deviceRenderOptions = { sdkInterface: '03', nested: [{ cardSecurityCode: '456' }] };
    });
    const a = await request(base).post('/3ds/authenticate').send(body);
    expect(a.status, a.text).to.equal(200);
    expect(a.text).to.not.match(/cardSecurityCode|"123"|"456"/);
    expect(a.body.authenticationRequest.acctInfo).to.deep.equal({ chAccAgeInd: '01' });
    const rec = await store.get(body.threeDSServerTransID as string);
    expect(JSON.stringify(rec?.value)).to.not.match(/cardSecurityCode/);
  });

  it('refuses JSON nested deeper than the limit with 400 instead of exhausting the stack', async () => {
    let deep = '1';
    for (let i = 0; i < 20_000; i++) deep = `[${deep}]`;
    const raw = JSON.stringify(browserAReq('4000400040004000')).replace(/^\{/, `{"zzz":${deep},`);
    const a = await request(base).post('/3ds/authenticate').set('content-type', 'application/json').send(raw);
    expect(a.status).to.equal(400);
    expect(a.body.errorDetails.errorCode).to.equal('101');
  });

  it('refuses a notificationURL whose host could break a CSP header', async () => {
    const body = browserAReq('4000400040004001', (b) => {
      (b.merchant as Record<string, unknown>).notificationURL = 'https://m.example;sandbox/n';
    });
    const a = await request(base).post('/3ds/authenticate').send(body);
    expect(a.status).to.equal(400);
    expect(a.body.errorDetails).to.include({ errorCode: '203' });
    expect(a.body.errorDetails.errorDetail).to.match(/notificationURL/);
  });

  it('runs a code challenge to a final Y and finds the record by acsTransID', async () => {
    const v = await request(base).post('/3ds/version').send({ cardNumber: '4000400040004001' });
    const body = browserAReq('4000400040004001', (b) => (b.threeDSServerTransID = v.body.threeDSServerTransID));
    const a = await request(base).post('/3ds/authenticate').send(body);
    expect(a.status).to.equal(200);
    const page = await request(base).post(pathOf(a.body.acsURL)).type('form').send({ creq: a.body.base64EncodedChallengeRequest });
    const f = form(page.text, 'cardholderInput');
    const wrong = await request(base)
      .post(pathOf(f.action))
      .type('form')
      .send({ threeDSServerTransID: body.threeDSServerTransID, challengeDataEntry: '1' });
    expect(wrong.text).to.contain('2 attempts left');
    const done = await request(base)
      .post(pathOf(f.action))
      .type('form')
      .send({ threeDSServerTransID: body.threeDSServerTransID, challengeDataEntry: '1234' });
    const cres = JSON.parse(Buffer.from(hiddenValue(form(done.text, 'autoPost'), 'cres') as string, 'base64url').toString());
    expect(cres.transStatus).to.equal('Y');
    const fin = await request(base).post('/3ds/final').send({ threeDSServerTransID: body.threeDSServerTransID });
    expect(fin.body).to.include({ transStatus: 'Y', eci: '05' });
    const byAcs = await store.getByAcsTransID(a.body.authenticationResponse.acsTransID);
    expect(byAcs?.value.threeDSServerTransID).to.equal(body.threeDSServerTransID);
    expect(byAcs?.value.final).to.equal(true);
  });

  it('completes a decoupled authentication and refuses a conflicting repeat', async () => {
    const body = browserAReq('4000400040004006', (b) => (b.threeDSRequestor.threeDSRequestorDecReqInd = 'Y'));
    expect((await request(base).post('/3ds/authenticate').send(body)).body.transStatus).to.equal('D');
    expect((await request(base).post('/3ds/final').send({ threeDSServerTransID: body.threeDSServerTransID })).body.transStatus).to.equal(
      'Y',
    );
    const again = await request(base)
      .post('/3ds/authenticate')
      .send({ ...body, threeDSCompInd: 'Y' });
    expect(again.status).to.equal(409);
  });
});
