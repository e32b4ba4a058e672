// The results push (src/protocol/transaction/results-push.ts), driven through the protocol: results are
// recorded by a decoupled authentication or a challenge, and the receiver counts what arrives.
import { expect } from 'chai';
import { browserAReq, counterValue, harness, testConfig } from '../helpers.js';
import { startReceiver } from '../receiver.js';

describe('protocol/transaction/results-push', () => {
  it('POSTs the outcome to resultsResponseNotificationUrl, retrying after a 500', async () => {
    const rx = await startReceiver([500, 200]);
    try {
      const h = harness({
        config: testConfig((c) => {
          c.notifications.backoffMs = 5;
          c.protocol.decoupledDelayMs = 0;
        }),
      });
      const body = browserAReq('4000400040004006', (b) => {
        b.merchant.resultsResponseNotificationUrl = rx.url();
        b.threeDSRequestor.threeDSRequestorDecReqInd = 'Y';
      });
      await h.protocol.authenticate(body, h.ctx);
      await h.protocol.final({ threeDSServerTransID: body.threeDSServerTransID }, h.ctx);
      await rx.waitFor(2);
      await h.protocol.idle();
      expect(rx.received).to.have.length(2);
      const got = rx.received[1];
      expect(got?.contentType).to.equal('application/json');
      expect(got?.body).to.include({ threeDSServerTransID: body.threeDSServerTransID, transStatus: 'Y', eci: '05' });
      expect(got?.body).to.have.nested.property('resultsRequest.messageType', 'RReq');
      expect(got?.body).to.have.nested.property('resultsResponse.messageType', 'RRes');
      expect(await counterValue(h.metrics, 'results_push_total', { outcome: 'retry' })).to.equal(1);
      expect(await counterValue(h.metrics, 'results_push_total', { outcome: 'success' })).to.equal(1);
      await h.protocol.close();
    } finally {
      await rx.close();
    }
  });

  it('pushes once per transition even when several reads race to materialize it', async () => {
    const rx = await startReceiver([200]);
    try {
      const h = harness({ config: testConfig((c) => (c.protocol.decoupledDelayMs = 0)) });
      const body = browserAReq('4000400040004006', (b) => {
        b.merchant.resultsResponseNotificationUrl = rx.url();
        b.threeDSRequestor.threeDSRequestorDecReqInd = 'Y';
      });
      await h.protocol.authenticate(body, h.ctx);
      const id = body.threeDSServerTransID;
      await Promise.all([h.protocol.load(id), h.protocol.load(id), h.protocol.final({ threeDSServerTransID: id }, h.ctx)]);
      await h.protocol.idle();
      expect(rx.received).to.have.length(1);
      await h.protocol.close();
    } finally {
      await rx.close();
    }
  });

  it('the decoupled timer of the worker pushes without any read', async () => {
    const rx = await startReceiver([200]);
    try {
      const h = harness({ config: testConfig((c) => (c.protocol.decoupledDelayMs = 20)) });
      // The clock must pass the due time when the timer fires: let the harness clock follow real time.
      const start = Date.now();
      const t0 = h.clock.now;
      Object.defineProperty(h.clock, 'now', { get: () => t0 + (Date.now() - start) });
      const body = browserAReq('4000400040004006', (b) => {
        b.merchant.resultsResponseNotificationUrl = rx.url();
        b.threeDSRequestor.threeDSRequestorDecReqInd = 'Y';
      });
      await h.protocol.authenticate(body, h.ctx);
      await rx.waitFor(1);
      expect(rx.received[0]?.body).to.include({ transStatus: 'Y' });
      await h.protocol.close();
    } finally {
      await rx.close();
    }
  });

  it('does not follow redirects, respects the host allow-list and the switch', async () => {
    const rx = await startReceiver([302], { location: 'http://127.0.0.1:1/elsewhere' });
    try {
      const run = async (edit: Parameters<typeof testConfig>[0]) => {
        const h = harness({
          config: testConfig((c) => {
            c.protocol.decoupledDelayMs = 0;
            edit?.(c);
          }),
        });
        const body = browserAReq('4000400040004006', (b) => {
          b.merchant.resultsResponseNotificationUrl = rx.url();
          b.threeDSRequestor.threeDSRequestorDecReqInd = 'Y';
        });
        await h.protocol.authenticate(body, h.ctx);
        await h.protocol.load(body.threeDSServerTransID);
        await h.protocol.idle();
        await h.protocol.close();
        return h;
      };
      const redirected = await run(undefined);
      expect(rx.received).to.have.length(1);
      expect(await counterValue(redirected.metrics, 'results_push_total', { outcome: 'redirect' })).to.equal(1);
      const blocked = await run((c) => (c.notifications.allowedHosts = ['merchant.example']));
      expect(await counterValue(blocked.metrics, 'results_push_total', { outcome: 'blocked' })).to.equal(1);
      const off = await run((c) => (c.notifications.enabled = false));
      expect(await counterValue(off.metrics, 'results_push_total', { outcome: 'disabled' })).to.equal(1);
      expect(rx.received).to.have.length(1);
      const allowed = await run((c) => (c.notifications.allowedHosts = ['127.0.0.1']));
      expect(await counterValue(allowed.metrics, 'results_push_total', { outcome: 'redirect' })).to.equal(1);
      expect(rx.received).to.have.length(2);
    } finally {
      await rx.close();
    }
  });

  it('gives up after `tries` failures', async () => {
    const rx = await startReceiver([503]);
    try {
      const h = harness({
        config: testConfig((c) => {
          c.protocol.decoupledDelayMs = 0;
          c.notifications.backoffMs = 1;
          c.notifications.tries = 3;
        }),
      });
      const body = browserAReq('4000400040004006', (b) => {
        b.merchant.resultsResponseNotificationUrl = rx.url();
        b.threeDSRequestor.threeDSRequestorDecReqInd = 'Y';
      });
      await h.protocol.authenticate(body, h.ctx);
      await h.protocol.load(body.threeDSServerTransID);
      await h.protocol.idle();
      expect(rx.received).to.have.length(3);
      expect(await counterValue(h.metrics, 'results_push_total', { outcome: 'failed' })).to.equal(1);
      await h.protocol.close();
    } finally {
      await rx.close();
    }
  });
});
