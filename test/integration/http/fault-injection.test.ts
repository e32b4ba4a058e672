// Fault injection in the real worker, on the real clock (the unit tests record delays instead of waiting):
// an X-Mock-Delay answer never comes before its delay, on the lean path (a 3DS route) and on Express's.
import { expect } from 'chai';
import { type RunningServer, startServer } from '../../helpers/server.js';

describe('fault injection in a worker (integration)', function () {
  this.timeout(30_000);
  let server: RunningServer | undefined;
  after(async () => server?.stop());

  it('answers a delayed request no sooner than its X-Mock-Delay, on both adapters', async () => {
    const s = await startServer({ workers: 1, env: { FAULT_HEADERS_ENABLED: 'true' } });
    server = s;
    const timed = async (path: string, init: RequestInit) => {
      const start = performance.now();
      const res = await fetch(s.url(path), init);
      await res.arrayBuffer();
      return { status: res.status, ms: performance.now() - start };
    };
    const lean = await timed('/3ds/version', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Mock-Delay': '300' },
      body: JSON.stringify({ cardNumber: '4000400040004000' }),
    });
    expect(lean.status).to.equal(200);
    expect(lean.ms).to.be.at.least(299);
    const express = await timed('/health', { headers: { 'X-Mock-Delay': '300' } });
    // Operator routes are never delayed.
    expect(express.status).to.equal(200);
    const notFound = await timed('/nowhere', { headers: { 'X-Mock-Delay': '250' } });
    expect(notFound.status).to.equal(404);
    expect(notFound.ms).to.be.at.least(249);
  });
});
