// The 3DS Server API over HTTP: shapes, body variations, the SPEC §8 error envelope and statuses.
import { expect } from 'chai';
import request from 'supertest';
import { type Body, browserAReq } from '../../protocol/helpers.js';
import { type AppHarness, startApp } from './harness.js';

function expectErro(res: request.Response, status: number, code: string, detail?: string) {
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  expect(res.headers['content-type']).to.match(/^application\/json/);
  expect(res.body.error).to.be.a('string');
  expect(res.body.errorDetails).to.include({ messageType: 'Erro', errorCode: code });
  if (detail) expect(res.body.errorDetails.errorDetail).to.contain(detail);
}

describe('routes/api', () => {
  let app: AppHarness;
  before(async () => {
    app = await startApp((c) => (c.notifications.enabled = false));
  });
  after(() => app.close());

  describe('POST /3ds/version', () => {
    it('answers the range and a transaction ID', async () => {
      const res = await request(app.base).post('/3ds/version').send({ cardNumber: '4000400040004001' });
      expect(res.status).to.equal(200);
      expect(res.body.threeDSServerTransID).to.match(/^[0-9a-f-]{36}$/);
      expect(res.body.cardRanges).to.deep.equal([
        {
          startRange: '4000000000000000',
          endRange: '4999999999999999',
          acsStartProtocolVersion: '2.1.0',
          acsEndProtocolVersion: '2.3.1',
          acsInfoInd: ['01', '02'],
        },
      ]);
    });

    it('hands out the threeDSMethodURL from the public base URL', async () => {
      const local = await request(app.base).post('/3ds/version').send({ cardNumber: '4000400040004014' });
      expect(local.body.cardRanges[0].threeDSMethodURL).to.equal(`http://localhost:${app.port}/processor/mock/acs/3ds-method`);
      app.setConfig((c) => {
        c.notifications.enabled = false;
        c.server.publicUrl = 'https://mock-3ds.example/';
      });
      try {
        const pub = await request(app.base).post('/3ds/version').send({ cardNumber: '4000400040004014' });
        expect(pub.body.cardRanges[0].threeDSMethodURL).to.equal('https://mock-3ds.example/processor/mock/acs/3ds-method');
      } finally {
        app.setConfig((c) => (c.notifications.enabled = false));
      }
    });

    it('answers cardRanges [] outside every range', async () => {
      const res = await request(app.base).post('/3ds/version').send({ cardNumber: 9000400040004000 });
      expect(res.status).to.equal(200);
      expect(res.body.cardRanges).to.deep.equal([]);
    });

    it('refuses bad input with the SPEC §8 envelope', async () => {
      expectErro(await request(app.base).post('/3ds/version').send({ cardNumber: '12ab' }), 400, '203', 'cardNumber');
      expectErro(await request(app.base).post('/3ds/version').send({}), 400, '201', 'cardNumber');
      expectErro(await request(app.base).post('/3ds/version').send([1, 2]), 400, '101');
      expectErro(await request(app.base).post('/3ds/version').set('content-type', 'application/json').send('{"cardNumber":'), 400, '101');
      expectErro(
        await request(app.base).post('/3ds/version').set('content-type', 'text/plain').send('{"cardNumber":"4000400040004001"}'),
        415,
        '101',
      );
      expectErro(await request(app.base).post('/3ds/version').type('form').send({ cardNumber: '4000400040004001' }), 415, '101');
      expectErro(await request(app.base).post('/3ds/version'), 415, '101');
      expectErro(await request(app.base).post('/3ds/nope').send({}), 404, '101');
      const big = browserAReq('4000400040004000', (b) => (b.cardholder.cardholderName = 'x'.repeat(70_000)));
      expectErro(await request(app.base).post('/3ds/authenticate').send(big), 413, '203');
    });
  });

  describe('POST /3ds/authenticate', () => {
    it('takes the fixture body and its common variations', async () => {
      const variations: ((b: Body) => void)[] = [
        () => undefined,
        (b) => {
          b.purchase.purchaseAmount = '4599';
          b.purchase.purchaseExponent = '2';
          b.browserInformation.browserTZ = '-60';
          b.browserInformation.browserScreenHeight = '900';
          b.purchase.recurringFrequency = '30';
        },
        (b) => (b.acquirer = { acquirerBIN: '400551', acquirerMerchantID: 'MERCHANT-0001' }),
        (b) => {
          delete b.cardholder;
          delete b.deviceRenderOptions;
          delete b.threeDSRequestor;
          delete b.purchase;
          delete b.acquirer;
        },
        (b) => {
          b.messageVersion = '2.3.1';
          b.preferredProtocolVersion = '2.3.1';
          b.threeDSRequestor.threeDSRequestorChallengeInd = ['01'];
          b.unknownKey = { anything: true };
        },
      ];
      for (const edit of variations) {
        const body = browserAReq('4000400040004000', edit);
        const res = await request(app.base).post('/3ds/authenticate').send(body);
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        expect(res.body).to.include({ threeDSServerTransID: body.threeDSServerTransID, transStatus: 'Y' });
        expect(res.body.authenticationRequest).to.not.have.property('cardSecurityCode');
        expect(JSON.stringify(res.body)).to.not.contain('"737"');
      }
    });

    it('answers a retry with the same body and a conflicting repeat with 409 Erro 305', async () => {
      const body = browserAReq('4000400040004001');
      const first = await request(app.base).post('/3ds/authenticate').send(body);
      const again = await request(app.base).post('/3ds/authenticate').send(body);
      expect(again.status).to.equal(200);
      expect(again.body).to.deep.equal(first.body);
      const other = await request(app.base)
        .post('/3ds/authenticate')
        .send({ ...body, threeDSCompInd: 'Y' });
      expectErro(other, 409, '305');
      expect(other.body.errorDetails.threeDSServerTransID).to.equal(body.threeDSServerTransID);
    });

    it('names missing and invalid elements (201, 203)', async () => {
      expectErro(
        await request(app.base)
          .post('/3ds/authenticate')
          .send(browserAReq('4000400040004000', (b) => delete b.cardholderAccount)),
        400,
        '201',
        'acctNumber',
      );
      expectErro(
        await request(app.base)
          .post('/3ds/authenticate')
          .send(browserAReq('4000400040004000', (b) => (b.purchase.purchaseAmount = 'ten'))),
        400,
        '203',
        'purchaseAmount',
      );
      const e = await request(app.base)
        .post('/3ds/authenticate')
        .send(browserAReq('4000400040004000', (b) => (b.deviceChannel = '07')));
      expectErro(e, 400, '203', 'deviceChannel');
      expect(e.body.errorDetails).to.include({ errorComponent: 'S', errorMessageType: 'AReq' });
    });

    it('4012 answers the Directory Server Erro with 502 (component D, 405)', async () => {
      const body = browserAReq('4000400040004012');
      const res = await request(app.base).post('/3ds/authenticate').send(body);
      expectErro(res, 502, '405');
      expect(res.body.errorDetails).to.include({ errorComponent: 'D', threeDSServerTransID: body.threeDSServerTransID });
    });

    it('enforced unsupported version: Erro 102; unknown ID under requireVersionCall: 404 Erro 301', async () => {
      const v = await request(app.base)
        .post('/3ds/authenticate')
        .send(
          browserAReq('5155010000004000', (b) =>
            Object.assign(b, { preferredProtocolVersion: '2.3.1', enforcePreferredProtocolVersion: true }),
          ),
        );
      expectErro(v, 400, '102');
      app.setConfig((c) => {
        c.notifications.enabled = false;
        c.protocol.requireVersionCall = true;
      });
      try {
        expectErro(await request(app.base).post('/3ds/authenticate').send(browserAReq('4000400040004000')), 404, '301');
      } finally {
        app.setConfig((c) => (c.notifications.enabled = false));
      }
    });
  });

  describe('POST /3ds/results and /3ds/final', () => {
    it('final: frictionless outcome, 409 while pending, 404 Erro 301 unknown', async () => {
      const fr = browserAReq('4000400040004005');
      const a = await request(app.base).post('/3ds/authenticate').send(fr);
      const f = await request(app.base).post('/3ds/final').send({ threeDSServerTransID: fr.threeDSServerTransID });
      expect(f.status).to.equal(200);
      expect(f.body).to.deep.equal({
        threeDSServerTransID: fr.threeDSServerTransID,
        transStatus: 'A',
        eci: '06',
        authenticationValue: a.body.authenticationValue,
      });
      const ch = browserAReq('4000400040004001');
      await request(app.base).post('/3ds/authenticate').send(ch);
      const pending = await request(app.base).post('/3ds/final').send({ threeDSServerTransID: ch.threeDSServerTransID });
      expectErro(pending, 409, '305', 'not completed');
      expectErro(
        await request(app.base).post('/3ds/final').send({ threeDSServerTransID: '5b1dc4a8-6d0e-4a43-9b25-8e0f1f4b7c11' }),
        404,
        '301',
      );
      expectErro(await request(app.base).post('/3ds/final').send({ threeDSServerTransID: 'x' }), 400, '203');
    });

    it('results: the RRes, then final with resultsRequest/resultsResponse; mismatched IDs refused', async () => {
      const ch = browserAReq('4000400040004001');
      const a = (await request(app.base).post('/3ds/authenticate').send(ch)).body.authenticationResponse;
      const rreq = {
        threeDSServerTransID: ch.threeDSServerTransID,
        acsTransID: a.acsTransID,
        dsTransID: a.dsTransID,
        sdkTransID: null,
        messageType: 'RReq',
        messageVersion: '2.2.0',
        messageCategory: '01',
        transStatus: 'Y',
        eci: '05',
        authenticationValue: 'AAABBEg0VhI0VniQEjRWAAAAAAA=',
        authenticationMethod: '02',
        authenticationType: '02',
        interactionCounter: '01',
        acsRenderingType: { acsInterface: '02', acsUiTemplate: '01' },
      };
      expectErro(
        await request(app.base)
          .post('/3ds/results')
          .send({ ...rreq, dsTransID: a.acsTransID }),
        400,
        '305',
        'dsTransID',
      );
      const r = await request(app.base).post('/3ds/results').send(rreq);
      expect(r.status).to.equal(200);
      expect(r.body).to.deep.equal({
        messageType: 'RRes',
        messageVersion: '2.2.0',
        threeDSServerTransID: ch.threeDSServerTransID,
        acsTransID: a.acsTransID,
        dsTransID: a.dsTransID,
        resultsStatus: '01',
      });
      const f = await request(app.base).post('/3ds/final').send({ threeDSServerTransID: ch.threeDSServerTransID });
      expect(f.body).to.include({ transStatus: 'Y', eci: '05', authenticationValue: rreq.authenticationValue });
      expect(f.body.resultsResponse).to.deep.equal(r.body);
      expectErro(
        await request(app.base)
          .post('/3ds/results')
          .send({ ...rreq, transStatus: 'N', eci: '07' }),
        409,
        '305',
      );
    });
  });

  describe('metrics', () => {
    it('counts transactions by flow and status, without IDs in labels', async () => {
      const metrics = await app.deps.metrics.registry.getSingleMetricAsString('threeds_transactions_total');
      expect(metrics).to.match(/threeds_transactions_total\{flow="browser",trans_status="Y"\} \d+/);
      expect(metrics).to.not.match(/[0-9a-f]{8}-[0-9a-f]{4}/);
    });
  });
});

describe('routes/api: choosing the scenario of one transaction (SPEC §4)', () => {
  let app: AppHarness;
  before(async () => {
    app = await startApp((c) => (c.notifications.enabled = false));
  });
  after(() => app.close());
  afterEach(() => app.setConfig((c) => (c.notifications.enabled = false)));

  const scenarioExt = (scenario: string) => [
    { name: 'Mock3DSScenario', id: 'M3DS-SCENARIO', criticalityIndicator: false, data: { scenario } },
  ];

  it('X-Mock-Scenario selects by code or name, on the lean path and through Express, above the extension', async () => {
    for (const [path, header, status] of [
      ['/3ds/authenticate', '4001', 'C'],
      ['/3ds/authenticate', 'rejected', 'R'],
      ['/3ds/authenticate/', 'attempt', 'A'],
      ['/3DS/Authenticate', 'challenge-otp', 'C'],
    ] as const) {
      const res = await request(app.base)
        .post(path)
        .set('X-Mock-Scenario', header)
        .send(browserAReq('4000400040004000', (b) => (b.messageExtension = scenarioExt('not-authenticated'))));
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.transStatus, `${path} ${header}`).to.equal(status);
      expect(res.body.authenticationResponse.messageExtension).to.deep.equal(scenarioExt('not-authenticated'));
    }
    const byExtension = await request(app.base)
      .post('/3ds/authenticate')
      .send(browserAReq('4000400040004000', (b) => (b.messageExtension = scenarioExt('not-authenticated'))));
    expect(byExtension.body.authenticationResponse).to.include({ transStatus: 'N', transStatusReason: '01' });
  });

  it('an unknown scenario is 400 Erro 203 naming the header (or the extension element)', async () => {
    const res = await request(app.base)
      .post('/3ds/authenticate')
      .set('X-Mock-Scenario', 'happy-path')
      .send(browserAReq('4000400040004000'));
    expectErro(res, 400, '203', 'X-Mock-Scenario: "happy-path" is no scenario');
    expect(res.body.errorDetails.errorDetail).to.contain('challenge-otp');
    const ext = await request(app.base)
      .post('/3ds/authenticate')
      .send(browserAReq('4000400040004000', (b) => (b.messageExtension = scenarioExt('4998'))));
    expectErro(ext, 400, '203', 'messageExtension[0].data.scenario');
  });

  it('with protocol.scenarioHeaderEnabled off (the production default) the header is ignored', async () => {
    app.setConfig((c) => {
      c.notifications.enabled = false;
      c.protocol.scenarioHeaderEnabled = false;
    });
    for (const header of ['4001', 'happy-path']) {
      const res = await request(app.base).post('/3ds/authenticate').set('X-Mock-Scenario', header).send(browserAReq('4000400040004000'));
      expect(res.status).to.equal(200);
      expect(res.body.transStatus).to.equal('Y');
    }
    // The extension is part of the message, not a test hook of the transport: it still counts.
    const ext = await request(app.base)
      .post('/3ds/authenticate')
      .send(browserAReq('4000400040004000', (b) => (b.messageExtension = scenarioExt('4001'))));
    expect(ext.body.transStatus).to.equal('C');
  });

  it('the header does not apply to other routes', async () => {
    const res = await request(app.base).post('/3ds/version').set('X-Mock-Scenario', 'happy-path').send({ cardNumber: '4000400040004000' });
    expect(res.status).to.equal(200);
  });

  it('broken-response cards over HTTP: 4015 has no acsURL, 4016 no dsTransID, 4018 is 502 with Erro component A', async () => {
    const noUrl = await request(app.base).post('/3ds/authenticate').send(browserAReq('4000400040004015'));
    expect(noUrl.status).to.equal(200);
    expect(noUrl.body).to.include({ transStatus: 'C' }).and.not.have.property('acsURL');
    expect(noUrl.body.authenticationResponse).to.not.have.property('acsURL');
    const noDs = await request(app.base)
      .post('/3ds/authenticate')
      .set('X-Mock-Scenario', 'no-ds-trans-id')
      .send(browserAReq('4000400040004000'));
    expect(noDs.body.authenticationResponse).to.include({ transStatus: 'Y' }).and.not.have.property('dsTransID');
    const acs = await request(app.base).post('/3ds/authenticate').send(browserAReq('4000400040004018'));
    expectErro(acs, 502, '405', 'the ACS answered Erro 405');
    expect(acs.body.errorDetails).to.include({ errorComponent: 'A', errorDescription: 'System failure at the ACS' });
  });
});
