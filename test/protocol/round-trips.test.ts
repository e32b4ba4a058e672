// Store round trips per step of a browser challenge (DESIGN §4: a read that can only say "absent" is a
// wasted round trip; a read followed by a compare-and-set writes against the version read). Counted on
// the test store, which counts every read and write it serves.
import { expect } from 'chai';
import { AppError } from '../../src/errors.js';
import { expectRejection } from '../helpers/expect-error.js';
import { browserAReq, harness, testConfig } from './helpers.js';

describe('protocol: store round trips of a browser challenge', () => {
  it('version 0, authenticate 1 (create first), ACS page 2, code 2, final 1', async () => {
    const h = harness({ config: testConfig((c) => (c.notifications.enabled = false)) });
    const trips = () => {
      const n = { reads: h.store.reads, writes: h.store.writes };
      h.store.reads = 0;
      h.store.writes = 0;
      return n;
    };
    const pan = '4000400040004001';
    const v = await h.protocol.version({ cardNumber: pan }, h.ctx);
    expect(trips(), 'version').to.deep.equal({ reads: 0, writes: 0 });
    const body = browserAReq(pan, (b) => (b.threeDSServerTransID = v.threeDSServerTransID));
    const ares = await h.protocol.authenticate(body, h.ctx);
    expect(ares.transStatus).to.equal('C');
    expect(trips(), 'authenticate').to.deep.equal({ reads: 0, writes: 1 });
    const page = await h.protocol.openChallenge({ creq: ares.base64EncodedChallengeRequest, threeDSSessionData: 's' }, h.ctx);
    expect(page.type).to.equal('challenge');
    expect(trips(), 'ACS page').to.deep.equal({ reads: 1, writes: 1 });
    const done = await h.protocol.submitChallenge({ threeDSServerTransID: v.threeDSServerTransID, value: '1234' }, h.ctx);
    expect(done.type).to.equal('post');
    expect(trips(), 'code').to.deep.equal({ reads: 1, writes: 1 });
    expect((await h.protocol.final({ threeDSServerTransID: v.threeDSServerTransID }, h.ctx)).transStatus).to.equal('Y');
    expect(trips(), 'final').to.deep.equal({ reads: 1, writes: 0 });
  });

  it('a repeated authenticate still gets the stored answer, and a different one the conflict, after create-first', async () => {
    const h = harness();
    const body = browserAReq('4000400040004000');
    const first = await h.protocol.authenticate(body, h.ctx);
    const again = await h.protocol.authenticate(structuredClone(body), h.ctx);
    expect(again).to.deep.equal(first);
    const changed = browserAReq('4000400040004000', (b) => {
      b.threeDSServerTransID = body.threeDSServerTransID;
      (b.purchase as Record<string, unknown>).purchaseAmount = 1;
    });
    const err = await expectRejection(h.protocol.authenticate(changed, h.ctx), AppError, 'different request');
    expect(err.spec.status).to.equal(409);
    expect(h.store.writes).to.equal(1);
  });

  it('a repeat whose own checks fail still gets the 409 of a different request (create-first does not skip it)', async () => {
    const h = harness();
    const body = browserAReq('4000400040004000');
    await h.protocol.authenticate(body, h.ctx);
    const notEnrolled = browserAReq('9000400040004000', (b) => (b.threeDSServerTransID = body.threeDSServerTransID));
    const err = await expectRejection(h.protocol.authenticate(notEnrolled, h.ctx), AppError, 'different request');
    expect(err.spec.status).to.equal(409);
    // A new transaction with that card is refused for what it is.
    const fresh = await expectRejection(h.protocol.authenticate(browserAReq('9000400040004000'), h.ctx), AppError, 'not enrolled');
    expect(fresh.spec.emvCode).to.equal('305');
  });
});
