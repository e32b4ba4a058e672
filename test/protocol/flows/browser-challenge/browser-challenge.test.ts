import { expect } from 'chai';
import { AppError } from '../../../../src/errors.js';
import type { AcsResult } from '../../../../src/protocol/flows/browser-challenge/browser-challenge.js';
import { expectRejection } from '../../../helpers/expect-error.js';
import { browserAReq, harness, testConfig } from '../../helpers.js';

function cresOf(r: AcsResult): Record<string, unknown> {
  if (r.type !== 'post') throw new Error(`expected a post, got ${r.type}`);
  return JSON.parse(Buffer.from(r.fields.cres as string, 'base64url').toString('utf8'));
}

async function started(last4 = '4001', edit?: Parameters<typeof browserAReq>[1]) {
  const h = harness({ config: testConfig((c) => (c.notifications.enabled = false)) });
  const body = browserAReq(`400040004000${last4}`, edit);
  const r = await h.protocol.authenticate(body, h.ctx);
  const creq = r.base64EncodedChallengeRequest as string;
  return {
    h,
    id: body.threeDSServerTransID as string,
    acsTransID: r.authenticationResponse.acsTransID,
    creq,
    creqJson: JSON.stringify(r.challengeRequest),
  };
}

describe('protocol/flows/browser-challenge', () => {
  it('opens from base64url, padded base64 and raw JSON CReqs', async () => {
    const { h, id, creq, creqJson } = await started();
    const padded = Buffer.from(creqJson).toString('base64');
    for (const form of [creq, padded, padded.replace(/=+$/, ''), ` ${creq}\n`, creqJson]) {
      const r = await h.protocol.openChallenge({ creq: form }, h.ctx);
      expect(r.type, form).to.equal('challenge');
      if (r.type === 'challenge')
        expect(r.view).to.include({
          threeDSServerTransID: id,
          attemptsLeft: 3,
          windowSize: '03',
          submitUrl: 'http://acs.test:8080/processor/mock/acs/verify-otp',
        });
    }
    const legacySpelling = JSON.stringify({
      messageType: 'CReq',
      threeDsServerTransId: id,
      challengeWindowSize: '01',
      messageVersion: '2.2.0',
    });
    const r = await h.protocol.openChallenge({ creq: legacySpelling }, h.ctx);
    expect(r.type === 'challenge' && r.view.windowSize).to.equal('01');
  });

  it('refuses broken CReqs and transactions without a challenge', async () => {
    const { h, id } = await started();
    expect((await expectRejection(h.protocol.openChallenge({}, h.ctx), AppError)).spec.emvCode).to.equal('201');
    expect((await expectRejection(h.protocol.openChallenge({ creq: '!!!' }, h.ctx), AppError)).detail).to.contain('creq');
    expect((await expectRejection(h.protocol.openChallenge({ creq: '{"threeDSServerTransID":1' }, h.ctx), AppError)).spec.emvCode).to.equal(
      '203',
    );
    expect(
      (
        await expectRejection(
          h.protocol.openChallenge({ creq: JSON.stringify({ messageType: 'CRes', threeDSServerTransID: id }) }, h.ctx),
          AppError,
        )
      ).spec.emvCode,
    ).to.equal('101');
    expect(
      (
        await expectRejection(
          h.protocol.openChallenge({ creq: JSON.stringify({ threeDSServerTransID: '8a880dc0-d2d2-4067-bcb1-b08d1690b26e' }) }, h.ctx),
          AppError,
        )
      ).spec.emvCode,
    ).to.equal('301');
    const wrongAcs = await expectRejection(
      h.protocol.openChallenge(
        { creq: JSON.stringify({ threeDSServerTransID: id, acsTransID: '8a880dc0-d2d2-4067-bcb1-b08d1690b26e' }) },
        h.ctx,
      ),
      AppError,
    );
    expect(wrongAcs.detail).to.contain('acsTransID');
    const fr = browserAReq('4000400040004000');
    await h.protocol.authenticate(fr, h.ctx);
    expect(
      (
        await expectRejection(
          h.protocol.openChallenge({ creq: JSON.stringify({ threeDSServerTransID: fr.threeDSServerTransID }) }, h.ctx),
          AppError,
        )
      ).spec.emvCode,
    ).to.equal('305');
  });

  it('EMV completion: results recorded first, then the CRes is posted with threeDSSessionData', async () => {
    const { h, id, acsTransID, creq } = await started();
    await h.protocol.openChallenge({ creq, threeDSSessionData: 'c2Vzc2lvbg' }, h.ctx);
    const wrong = await h.protocol.submitChallenge({ threeDSServerTransID: id, value: '9999' }, h.ctx);
    expect(wrong.type === 'challenge' && wrong.view).to.include({ attemptsLeft: 2, notice: 'wrong' });
    const done = await h.protocol.submitChallenge({ threeDSServerTransID: id, value: '1234' }, h.ctx);
    expect(done.type).to.equal('post');
    if (done.type !== 'post') return;
    expect(done.action).to.equal('http://127.0.0.1:9901/3ds/notify');
    expect(done.fields.threeDSSessionData).to.equal('c2Vzc2lvbg');
    expect(done.fields.cres).to.match(/^[A-Za-z0-9_-]+$/);
    expect(cresOf(done)).to.deep.equal({
      threeDSServerTransID: id,
      acsTransID,
      messageType: 'CRes',
      messageVersion: '2.2.0',
      transStatus: 'Y',
      challengeCompletionInd: 'Y',
    });
    const f = await h.protocol.final({ threeDSServerTransID: id }, h.ctx);
    expect(f).to.include({ transStatus: 'Y', eci: '05' });
    expect(f.resultsRequest).to.include({ interactionCounter: '02', authenticationType: '02' });
    // acsRenderingType is an app element: a browser RReq has none (Annex A Device Channel column, SPEC §15).
    expect(f.resultsRequest).to.not.have.property('acsRenderingType');
    // A double submit shows the same completion again instead of failing.
    const again = await h.protocol.submitChallenge({ threeDSServerTransID: id, value: '1234' }, h.ctx);
    expect(cresOf(again).transStatus).to.equal('Y');
  });

  it('attempts exhausted: N, with a CRes N', async () => {
    const { h, id, creq } = await started();
    await h.protocol.openChallenge({ creq }, h.ctx);
    await h.protocol.submitChallenge({ threeDSServerTransID: id, value: '1' }, h.ctx);
    await h.protocol.submitChallenge({ threeDSServerTransID: id, value: '2' }, h.ctx);
    const last = await h.protocol.submitChallenge({ threeDSServerTransID: id, value: '3' }, h.ctx);
    expect(cresOf(last).transStatus).to.equal('N');
    const f = await h.protocol.final({ threeDSServerTransID: id }, h.ctx);
    expect(f).to.include({ transStatus: 'N', eci: '07' });
    expect(f).to.not.have.property('transStatusReason');
    expect(f.resultsRequest).to.include({ transStatusReason: '01' });
  });

  it('cancel: results U with challengeCancel 01, CRes N; resend keeps the attempts', async () => {
    const { h, id, creq } = await started();
    await h.protocol.openChallenge({ creq }, h.ctx);
    const resent = await h.protocol.submitChallenge({ threeDSServerTransID: id, action: 'resend' }, h.ctx);
    expect(resent.type === 'challenge' && resent.view).to.include({ notice: 'resent', attemptsLeft: 3, resendsLeft: 2 });
    const cancelled = await h.protocol.submitChallenge({ threeDSServerTransID: id, action: 'cancel' }, h.ctx);
    expect(cresOf(cancelled).transStatus).to.equal('N');
    const f = await h.protocol.final({ threeDSServerTransID: id }, h.ctx);
    expect(f.transStatus).to.equal('U');
    // U always with a reason (SPEC §15): 26, the cardholder did not complete the authentication.
    expect(f.resultsRequest).to.include({ challengeCancel: '01', transStatusReason: '26' });
    expect(
      (await expectRejection(h.protocol.submitChallenge({ threeDSServerTransID: id, action: 'explode' }, h.ctx), AppError)).detail,
    ).to.contain('action');
  });

  it('the existing mock’s completion: raw JSON CReq → 302 to the notificationURL with the outcome', async () => {
    const { h, id, creqJson } = await started();
    await h.protocol.openChallenge({ creq: creqJson }, h.ctx);
    const r = await h.protocol.submitChallenge({ threeDSServerTransID: id, value: '1234' }, h.ctx);
    expect(r.type).to.equal('redirect');
    if (r.type !== 'redirect') return;
    const u = new URL(r.location);
    expect(u.origin + u.pathname).to.equal('http://127.0.0.1:9901/3ds/notify');
    expect(u.searchParams.get('transStatus')).to.equal('Y');
    expect(u.searchParams.get('threeDSServerTransID')).to.equal(id);
    expect(u.searchParams.get('eci')).to.equal('05');
    expect(u.searchParams.get('authenticationValue')).to.have.length(28);
  });

  it('verify-otp without a page first completes the existing mock’s way', async () => {
    const { h, id } = await started();
    const r = await h.protocol.submitChallenge({ threeDSServerTransID: id, value: '1234' }, h.ctx);
    expect(r.type).to.equal('redirect');
  });

  it('redirectUrl: same origin as notificationURL or allow-listed only (no open redirect)', async () => {
    const { h, id, creq } = await started();
    const evil = await expectRejection(h.protocol.openChallenge({ creq, redirectUrl: 'https://evil.example/steal' }, h.ctx), AppError);
    expect(evil.kind).to.equal('REDIRECT_NOT_ALLOWED');
    expect(evil.spec.status).to.equal(400);
    expect((await expectRejection(h.protocol.openChallenge({ creq, redirectUrl: 'javascript:alert(1)' }, h.ctx), AppError)).kind).to.equal(
      'REDIRECT_NOT_ALLOWED',
    );
    expect(
      (
        await expectRejection(
          h.protocol.submitChallenge({ threeDSServerTransID: id, value: '1234', redirectUrl: '//evil.example' }, h.ctx),
          AppError,
        )
      ).kind,
    ).to.equal('REDIRECT_NOT_ALLOWED');
    const open = await h.protocol.openChallenge({ creq, redirectUrl: 'http://127.0.0.1:9901/back?x=1' }, h.ctx);
    expect(open.type === 'challenge' && open.view.formOrigins).to.deep.equal(['http://acs.test:8080', 'http://127.0.0.1:9901']);
    const r = await h.protocol.submitChallenge({ threeDSServerTransID: id, value: '1234' }, h.ctx);
    expect(r.type === 'redirect' && r.location).to.match(/^http:\/\/127\.0\.0\.1:9901\/back\?x=1&transStatus=Y&/);

    const listed = await started('4001');
    listed.h.config.current = testConfig((c) => (c.security.allowedRedirectOrigins = ['https://shop.example']));
    await listed.h.protocol.openChallenge({ creq: listed.creq, redirectUrl: 'https://shop.example/done' }, listed.h.ctx);
    const lr = await listed.h.protocol.submitChallenge({ threeDSServerTransID: listed.id, value: '1234' }, listed.h.ctx);
    expect(lr.type === 'redirect' && lr.location).to.match(/^https:\/\/shop\.example\/done\?transStatus=Y/);
  });

  it('select, OOB and HTML UIs', async () => {
    const single = await started('4008');
    const s = await single.h.protocol.openChallenge({ creq: single.creq }, single.h.ctx);
    expect(s.type === 'challenge' && s.view.ui.kind).to.equal('single-select');
    expect(
      cresOf(await single.h.protocol.submitChallenge({ threeDSServerTransID: single.id, value: '02' }, single.h.ctx)).transStatus,
    ).to.equal('Y');

    const multi = await started('4009');
    await multi.h.protocol.openChallenge({ creq: multi.creq }, multi.h.ctx);
    const partly = await multi.h.protocol.submitChallenge({ threeDSServerTransID: multi.id, value: ['01'] }, multi.h.ctx);
    expect(partly.type).to.equal('challenge');
    expect(
      cresOf(await multi.h.protocol.submitChallenge({ threeDSServerTransID: multi.id, value: ['03', '01'] }, multi.h.ctx)).transStatus,
    ).to.equal('Y');

    const oob = await started('4010');
    await oob.h.protocol.openChallenge({ creq: oob.creq }, oob.h.ctx);
    expect(
      cresOf(await oob.h.protocol.submitChallenge({ threeDSServerTransID: oob.id, action: 'oob-continue' }, oob.h.ctx)).transStatus,
    ).to.equal('Y');
    expect((await oob.h.protocol.final({ threeDSServerTransID: oob.id }, oob.h.ctx)).resultsRequest).to.include({
      authenticationType: '03',
    });

    const html = await started('4011');
    await html.h.protocol.openChallenge({ creq: html.creq }, html.h.ctx);
    expect(
      cresOf(await html.h.protocol.submitChallenge({ threeDSServerTransID: html.id, value: '1234' }, html.h.ctx)).transStatus,
    ).to.equal('Y');
  });

  it('a challenge past its deadline completes N (reason 14) when the cardholder comes back', async () => {
    const { h, id, creq } = await started();
    await h.protocol.openChallenge({ creq }, h.ctx);
    h.clock.now += 600_000;
    const r = await h.protocol.submitChallenge({ threeDSServerTransID: id, value: '1234' }, h.ctx);
    expect(cresOf(r).transStatus).to.equal('N');
    const f = await h.protocol.final({ threeDSServerTransID: id }, h.ctx);
    expect(f.transStatus).to.equal('N');
    expect(f.resultsRequest).to.include({ transStatusReason: '14' });
  });

  it('concurrent submits decide once', async () => {
    const { h, id, creq } = await started();
    await h.protocol.openChallenge({ creq }, h.ctx);
    const results = await Promise.all([
      h.protocol.submitChallenge({ threeDSServerTransID: id, value: '1234' }, h.ctx),
      h.protocol.submitChallenge({ threeDSServerTransID: id, action: 'cancel' }, h.ctx),
      h.protocol.submitChallenge({ threeDSServerTransID: id, value: '1234' }, h.ctx),
    ]);
    const statuses = new Set(results.map((r) => cresOf(r).transStatus));
    expect(statuses.size).to.equal(1);
    const f = await h.protocol.final({ threeDSServerTransID: id }, h.ctx);
    expect(f.transStatus).to.equal([...statuses][0] === 'Y' ? 'Y' : 'U');
  });

  it('uses the configured code', async () => {
    const { h, id, creq } = await started();
    h.config.current = testConfig((c) => {
      c.notifications.enabled = false;
      c.protocol.otp = '987654';
    });
    await h.protocol.openChallenge({ creq }, h.ctx);
    expect((await h.protocol.submitChallenge({ threeDSServerTransID: id, value: '1234' }, h.ctx)).type).to.equal('challenge');
    expect(cresOf(await h.protocol.submitChallenge({ threeDSServerTransID: id, value: '987654' }, h.ctx)).transStatus).to.equal('Y');
  });

  it('4019 (acs-no-answer): the page and every form post are held unanswered for protocol.hangMaxMs; nothing changes', async () => {
    const { h, id, creq, creqJson } = await started('4019');
    h.config.current = testConfig((c) => (c.protocol.hangMaxMs = 4321));
    for (const form of [creq, creqJson]) {
      expect(await h.protocol.openChallenge({ creq: form, threeDSSessionData: 'x' }, h.ctx)).to.deep.equal({
        type: 'no-answer',
        maxMs: 4321,
      });
    }
    for (const input of [{ value: '1234' }, { action: 'cancel' }, { action: 'resend' }]) {
      expect((await h.protocol.submitChallenge({ threeDSServerTransID: id, ...input }, h.ctx)).type).to.equal('no-answer');
    }
    const rec = await h.protocol.load(id);
    expect(rec?.challenge).to.include({ status: 'open', failures: 0 });
    expect(rec?.challenge).to.not.have.property('completion');
    expect(rec?.results).to.equal(undefined);
    // The challenge still times out like any other: N, reason 14, in final.
    h.clock.now += 601_000;
    const fin = await h.protocol.final({ threeDSServerTransID: id }, h.ctx);
    expect(fin.resultsRequest).to.include({ transStatus: 'N', transStatusReason: '14' });
  });
});
