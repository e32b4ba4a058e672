import { expect } from 'chai';
import { AppError } from '../../../../src/errors.js';
import { expectRejection } from '../../../helpers/expect-error.js';
import { browserAReq, harness, testConfig } from '../../helpers.js';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('protocol/flows/three-ds-method', () => {
  it('records the method and answers the notification post; 4014 then goes frictionless', async () => {
    const h = harness();
    const v = await h.protocol.version({ cardNumber: '4000400040004014' }, h.ctx);
    const id = v.threeDSServerTransID;
    const r = await h.protocol.threeDSMethod(
      { threeDSMethodData: b64({ threeDSServerTransID: id, threeDSMethodNotificationURL: 'https://shop.example/method' }) },
      h.ctx,
    );
    expect(r.action).to.equal('https://shop.example/method');
    expect(JSON.parse(Buffer.from(r.fields.threeDSMethodData, 'base64url').toString())).to.deep.equal({ threeDSServerTransID: id });
    expect(r.fields.threeDSMethodData).to.not.contain('=');
    const a = await h.protocol.authenticate(
      browserAReq('4000400040004014', (b) => {
        b.threeDSServerTransID = id;
        b.threeDSCompInd = 'Y';
      }),
      h.ctx,
    );
    expect(a.transStatus).to.equal('Y');
  });

  it('4014 without the method (or with threeDSCompInd N) is a code challenge', async () => {
    const h = harness();
    const a = await h.protocol.authenticate(
      browserAReq('4000400040004014', (b) => (b.threeDSCompInd = 'Y')),
      h.ctx,
    );
    expect(a.transStatus).to.equal('C');
    const v = await h.protocol.version({ cardNumber: '4000400040004014' }, h.ctx);
    await h.protocol.threeDSMethod(
      { threeDSMethodData: b64({ threeDSServerTransID: v.threeDSServerTransID, threeDSMethodNotificationURL: 'https://shop.example/m' }) },
      h.ctx,
    );
    const n = await h.protocol.authenticate(
      browserAReq('4000400040004014', (b) => (b.threeDSServerTransID = v.threeDSServerTransID)),
      h.ctx,
    );
    expect(n.transStatus).to.equal('C');
  });

  it('opens the transaction when no version call wrote one, and takes padded base64', async () => {
    const h = harness();
    const id = '0b8cfd6c-3c61-4d8b-a6b4-25b5b9e1c0aa';
    const data = Buffer.from(JSON.stringify({ threeDSServerTransID: id, threeDSMethodNotificationURL: 'http://127.0.0.1/m' })).toString(
      'base64',
    );
    await h.protocol.threeDSMethod({ threeDSMethodData: data }, h.ctx);
    expect((await h.protocol.load(id))?.threeDSMethodSeenAt).to.be.a('number');
  });

  it('refuses bad method data', async () => {
    const h = harness({ config: testConfig((c) => (c.protocol.requireVersionCall = true)) });
    const cases: [unknown, string][] = [
      [undefined, '201'],
      ['***', '203'],
      [b64({ threeDSMethodNotificationURL: 'https://shop.example' }), '201'],
      [b64({ threeDSServerTransID: 'x', threeDSMethodNotificationURL: 'https://shop.example' }), '203'],
      [b64({ threeDSServerTransID: '0b8cfd6c-3c61-4d8b-a6b4-25b5b9e1c0aa', threeDSMethodNotificationURL: 'javascript:alert(1)' }), '203'],
      [b64({ threeDSServerTransID: '0b8cfd6c-3c61-4d8b-a6b4-25b5b9e1c0aa', threeDSMethodNotificationURL: 'https://shop.example' }), '301'],
    ];
    for (const [data, code] of cases) {
      const err = await expectRejection(
        h.protocol.threeDSMethod({ threeDSMethodData: data }, h.ctx),
        AppError,
        undefined,
        `threeDSMethod(${String(data)})`,
      );
      expect(err.spec.emvCode, String(data)).to.equal(code);
    }
  });
});
