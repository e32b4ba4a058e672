// The Netcetera-shaped API over HTTP (SPEC §16): its routes on the lean dispatcher and through Express,
// `{errorDetails}` for every error these routes answer (the body stage's included) with the registry's
// status, the existing API's envelope unchanged, and a browser challenge through the product's ACS page.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import {
  authenticationBody,
  browserChallenge,
  checkout,
  readAuthentication,
  readVersioning,
  versioningBody,
} from '../../helpers/hyperswitch-client.js';
import { startReceiver } from '../../protocol/receiver.js';
import { type AppHarness, startApp } from './harness.js';

function expectDetails(res: request.Response, status: number, code: string, detail?: string) {
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  expect(res.headers['content-type']).to.match(/^application\/json/);
  expect(Object.keys(res.body)).to.deep.equal(['errorDetails']);
  expect(res.body.errorDetails).to.include({ errorCode: code, errorComponent: 'S' });
  expect(res.body.errorDetails).to.not.have.any.keys('messageType', 'error');
  if (detail) expect(res.body.errorDetails.errorDetail).to.contain(detail);
  // The connector reads it as an error, never as a success.
  expect(readAuthentication(res.status, res.body).kind).to.equal('error');
}

const card = (number: string) => ({ number, expiryMonth: '11', expiryYear: '2029', cvc: '737' });

describe('routes/netcetera', () => {
  let app: AppHarness;
  before(async () => {
    app = await startApp((c) => (c.notifications.enabled = false));
  });
  after(() => app.close());

  it('POST /3ds/versioning and its versioned paths answer the card ranges', async () => {
    for (const path of ['/3ds/versioning', '/3ds/v3/versioning', '/3ds/v4/versioning', '/3DS/Versioning/']) {
      const res = await request(app.base)
        .post(path)
        .send(versioningBody(card('4000400040004000')));
      expect(res.status, path).to.equal(200);
      expect(readVersioning(res.status, res.body), path).to.include({ kind: 'ok', messageVersion: '2.3.1' });
    }
  });

  it('answers errors as {errorDetails} with the status of the error registry', async () => {
    expectDetails(await request(app.base).post('/3ds/versioning').send({ schemeId: 'Visa' }), 400, '201', 'cardholderAccountNumber');
    // Refused by the body stage, before the route runs: still this API's shape.
    const malformed = await request(app.base).post('/3ds/authentication').set('content-type', 'application/json').send('{"deviceChannel":');
    expectDetails(malformed, 400, '101');
    expectDetails(await request(app.base).post('/3ds/authentication').set('content-type', 'text/plain').send('hello'), 415, '101');
    expectDetails(await request(app.base).post('/3ds/challenge-response').send({}), 400, '201', 'base64EncodedCRes');
    const unknown = Buffer.from(
      JSON.stringify({
        messageType: 'CRes',
        threeDSServerTransID: '3c6d5b0e-0000-4000-8000-000000000002',
        acsTransID: '3c6d5b0e-0000-4000-8000-000000000003',
      }),
    ).toString('base64');
    expectDetails(await request(app.base).post('/3ds/challenge-response').send({ base64EncodedCRes: unknown }), 404, '301');
    // Express carries the paths only its matching accepts: the same shape there.
    expectDetails(await request(app.base).post('/3ds/versioning/').send({ cardholderAccountNumber: 'x' }), 400, '203');
  });

  it('relays a Directory Server Erro as 502 with component D', async () => {
    const v = readVersioning(
      200,
      (
        await request(app.base)
          .post('/3ds/versioning')
          .send(versioningBody(card('4000400040004012')))
      ).body,
    );
    if (v.kind !== 'ok') throw new Error('versioning failed');
    const body = authenticationBody(
      checkout(v, '4000400040004012', { returnUrl: 'https://shop.test/return', webhookUrl: 'https://shop.test/hook' }),
    );
    const res = await request(app.base).post('/3ds/authentication').send(body);
    expect(res.status).to.equal(502);
    expect(res.body.errorDetails).to.include({ errorCode: '405', errorComponent: 'D', errorMessageType: 'AReq' });
    expect(readAuthentication(res.status, res.body)).to.include({ kind: 'error', code: '405', statusCode: 502 });
  });

  it('X-Mock-Scenario selects the outcome of /3ds/authentication; an unknown one is {errorDetails} 203', async () => {
    const v = readVersioning(
      200,
      (
        await request(app.base)
          .post('/3ds/versioning')
          .send(versioningBody(card('4000400040004000')))
      ).body,
    );
    if (v.kind !== 'ok') throw new Error('versioning failed');
    const body = authenticationBody(
      checkout(v, '4000400040004000', { returnUrl: 'https://shop.test/return', webhookUrl: 'https://shop.test/hook' }),
    );
    const res = await request(app.base).post('/3ds/authentication').set('X-Mock-Scenario', 'challenge-otp').send(body);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ transStatus: 'C', acsChallengeMandated: 'Y' });
    expect(readAuthentication(res.status, res.body).kind).to.not.equal('error');
    expectDetails(
      await request(app.base)
        .post('/3ds/authentication')
        .set('X-Mock-Scenario', 'nope')
        .send({ ...body, threeDSServerTransID: randomUUID() }),
      400,
      '203',
      'X-Mock-Scenario: "nope" is no scenario',
    );
  });

  it('relays the ACS error card (4018) as 502 with component A', async () => {
    const v = readVersioning(
      200,
      (
        await request(app.base)
          .post('/3ds/versioning')
          .send(versioningBody(card('4000400040004018')))
      ).body,
    );
    if (v.kind !== 'ok') throw new Error('versioning failed');
    const body = authenticationBody(
      checkout(v, '4000400040004018', { returnUrl: 'https://shop.test/return', webhookUrl: 'https://shop.test/hook' }),
    );
    const res = await request(app.base).post('/3ds/authentication').send(body);
    expect(res.status).to.equal(502);
    expect(res.body.errorDetails).to.include({ errorCode: '405', errorComponent: 'A', errorMessageType: 'AReq' });
  });

  it('leaves the existing API its own envelope', async () => {
    const res = await request(app.base).post('/3ds/version').send({ cardNumber: '12ab' });
    expect(res.status).to.equal(400);
    expect(res.body.error).to.be.a('string');
    expect(res.body.errorDetails).to.include({ messageType: 'Erro', errorCode: '203' });
  });

  it('acknowledges the 3DS Method notification with 204', async () => {
    const res = await request(app.base).post('/3ds/3ds-method-notification').type('form').send({ threeDSMethodData: 'e30' });
    expect(res.status).to.equal(204);
  });

  it('runs a browser challenge on the ACS page: the CRes reaches notificationURL, challenge-response decodes it', async () => {
    app.setConfig((c) => {
      c.notifications.enabled = false;
      c.server.publicUrl = app.base;
    });
    const shop = await startReceiver();
    try {
      const v = readVersioning(
        200,
        (
          await request(app.base)
            .post('/3ds/versioning')
            .send(versioningBody(card('4000400040004001')))
        ).body,
      );
      if (v.kind !== 'ok') throw new Error('versioning failed');
      const body = authenticationBody(checkout(v, '4000400040004001', { returnUrl: shop.url('/return'), webhookUrl: shop.url('/hook') }));
      const res = await request(app.base).post('/3ds/authentication').send(body);
      expect(res.status).to.equal(200);
      expect(res.body).to.not.have.property('errorDetails');
      const read = readAuthentication(res.status, res.body);
      if (read.kind !== 'ok' || read.flow.type !== 'challenge') throw new Error(`expected a challenge: ${JSON.stringify(res.body)}`);
      const posted = await browserChallenge(read.flow.params, '1234');
      expect(posted.action).to.equal(shop.url('/return'));
      expect(Object.keys(posted.fields)).to.deep.equal(['cres']);
      await shop.waitFor(1);
      const cres = posted.fields.cres as string;
      const decoded = await request(app.base).post('/3ds/challenge-response').send({ base64EncodedCRes: cres });
      expect(decoded.status).to.equal(200);
      expect(decoded.body).to.deep.include({ threeDSServerTransID: v.threeDSServerTransID, base64EncodedCRes: cres });
      expect(decoded.body.challengeResponse).to.include({ messageType: 'CRes', transStatus: 'Y', acsTransID: read.flow.params.acsTransId });
    } finally {
      app.setConfig((c) => (c.notifications.enabled = false));
      await shop.close();
    }
  });
});
