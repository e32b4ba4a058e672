// Test card 4019 (acs-no-answer, SPEC §4) against the built server as a real process: the ACS page holds
// the CReq and closes the connection after protocol.hangMaxMs without a response while the worker keeps
// serving; and a SIGTERM drain lets held requests go at once instead of waiting out the shutdown grace
// (60 s here: the test's own timeout is far below it, so a drain that waited would fail it).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { ROOT, type RunningServer, startServer } from '../helpers/server.js';
import { rawPost } from '../http/routes/harness.js';

const FORM = 'application/x-www-form-urlencoded';

async function heldChallenge(server: RunningServer): Promise<{ id: string; acsPath: string; form: string }> {
  const body = JSON.parse(readFileSync(path.join(ROOT, 'examples/authenticate-browser.json'), 'utf8'));
  body.threeDSServerTransID = randomUUID();
  body.cardholderAccount.acctNumber = '4000400040004019';
  const res = await fetch(server.url('/3ds/authenticate'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const a = (await res.json()) as { transStatus: string; acsURL: string; base64EncodedChallengeRequest: string };
  expect(a.transStatus).to.equal('C');
  return {
    id: body.threeDSServerTransID,
    acsPath: new URL(a.acsURL).pathname,
    form: new URLSearchParams({ creq: a.base64EncodedChallengeRequest }).toString(),
  };
}

describe('integration: test card 4019, an ACS that never answers (SPEC §4)', function () {
  this.timeout(20_000);
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('closes the connection without a response after protocol.hangMaxMs, and keeps serving', async () => {
    server = await startServer({ workers: 1, env: { HANG_MAX_MS: '200' } });
    const s = await heldChallenge(server);
    const p = rawPost(server.port, s.acsPath, FORM, s.form);
    await p.closed;
    expect(p.answered()).to.equal(false);
    await server.waitForLog((l) => l.msg === 'request held without an answer ended' && l.why === 'maximum reached');
    const health = await fetch(server.url('/health'));
    expect(health.status).to.equal(200);
    const fin = await fetch(server.url('/3ds/final'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ threeDSServerTransID: s.id }),
    });
    expect(fin.status).to.equal(409);
  });

  it('a SIGTERM drain lets held requests go at once: the server exits 0 long before the grace period', async () => {
    server = await startServer({ workers: 1, env: { HANG_MAX_MS: '600000', SHUTDOWN_GRACE_MS: '60000' } });
    const s = await heldChallenge(server);
    const p = rawPost(server.port, s.acsPath, FORM, s.form);
    await server.waitForLog((l) => l.msg === 'request held without an answer');
    server.signal('SIGTERM');
    const exit = await server.exited;
    await p.closed;
    expect(p.answered()).to.equal(false);
    expect(exit.code).to.equal(0);
    expect(server.lines.some((l) => l.msg === 'request held without an answer ended' && l.why === 'draining')).to.equal(true);
  });
});
