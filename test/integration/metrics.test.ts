// SPEC §10 from outside: /metrics, aggregated over the workers, carries every declared series after real
// traffic, with route templates and no transaction IDs or card numbers in any label.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { METRIC_DECLS } from '../../src/metrics.js';
import { ROOT, type RunningServer, startServer } from '../helpers/server.js';

describe('metrics (integration)', function () {
  this.timeout(60_000);
  let server: RunningServer;
  before(async () => {
    server = await startServer({ workers: 2, env: { ACCESS_LOG: 'false' } });
  });
  after(async () => server.stop());

  it('exposes every declared series, aggregated, without IDs or PANs in labels', async () => {
    const fixture = JSON.parse(readFileSync(path.join(ROOT, '../shared/fixtures/authenticate-browser.json'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    const post = (p: string, body: unknown) =>
      fetch(server.url(p), {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'close' },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    for (const last4 of ['4000', '4002', '4001', '4005']) {
      const pan = `400040004000${last4}`;
      const v = await post('/3ds/version', { cardNumber: pan });
      const areq = {
        ...fixture,
        threeDSServerTransID: v.body.threeDSServerTransID,
        cardholderAccount: { ...fixture.cardholderAccount, acctNumber: pan },
      };
      expect((await post('/3ds/authenticate', areq)).status).to.equal(200);
      await post('/3ds/final', { threeDSServerTransID: v.body.threeDSServerTransID });
    }
    await fetch(server.url('/no/such/route/123e4567-e89b-42d3-a456-426614174000'));
    const res = await fetch(server.url('/metrics'));
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/text\/plain/);
    const text = await res.text();
    for (const m of METRIC_DECLS) expect(text, m.name).to.include(`# HELP ${m.name} `);
    expect(text).to.match(/http_requests_total\{method="POST",route="\/3ds\/authenticate",status_code="200"\} 4/);
    expect(text).to.match(/threeds_transactions_total\{flow="browser",trans_status="Y"\} [1-9]/);
    expect(text).to.match(/threeds_transactions_total\{flow="browser",trans_status="N"\} [1-9]/);
    expect(text).to.match(/route="unmatched"/);
    expect(text).to.match(/^process_cpu_user_seconds_total [0-9.e+-]+$/m);
    expect(text).to.match(/^workers_alive 2$/m);
    expect(text).to.match(/^config_last_reload_successful 1$/m);
    const labels = text
      .split('\n')
      .filter((l) => !l.startsWith('#') && l.includes('{'))
      .map((l) => l.slice(l.indexOf('{'), l.lastIndexOf('}') + 1));
    for (const l of labels) {
      expect(l, 'no UUID in labels').to.not.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}/i);
      expect(l, 'no card number in labels').to.not.match(/[0-9]{13,19}/);
    }
  });
});
