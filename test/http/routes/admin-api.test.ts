// The admin API (SPEC §17) over real sockets (supertest), with inspection and overrides held in-process:
// who may use it (configured named tokens; the generated development token; nothing in production
// without a token), the list with its filters and cursor, one transaction with its trail, the overrides
// and their effect on the next transaction, the reset, the audit log, and the SPEC §8 error envelope.
import { expect } from 'chai';
import request from 'supertest';
import { type App, createApp } from '../../../src/http/app.js';
import { createProtocol } from '../../../src/protocol/protocol.js';
import type { TransactionRecord } from '../../../src/protocol/transaction/record.js';
import { localInspection } from '../../../src/store/inspection/embedded-inspection.js';
import { InspectionCore } from '../../../src/store/inspection/inspection-core.js';
import { inspectionBounds } from '../../../src/store/inspection/inspection-types.js';
import { createTrailRecorder } from '../../../src/store/inspection/trail-recorder.js';
import { localOverrides } from '../../../src/store/overrides/overrides-control.js';
import { OverridesView } from '../../../src/store/overrides/overrides-view.js';
import { type TestDeps, testDeps } from '../../helpers/app-deps.js';
import { browserAReq, type MutableConfig, testConfig } from '../../protocol/helpers.js';
import { MemoryStore } from '../../protocol/memory-store.js';

const ALICE = 'alice-token-0001';
const OPS = 'ops-token-000002';

function build(edit?: (c: MutableConfig) => void, generated?: string): { app: App; deps: TestDeps } {
  const deps = testDeps();
  deps.setConfig(
    testConfig((c) => {
      c.security.adminTokens = { 'qa-alice': ALICE };
      c.security.adminToken = OPS;
      c.notifications.enabled = false;
      edit?.(c);
    }),
  );
  const view = new OverridesView();
  const inspection = localInspection(new InspectionCore(inspectionBounds(deps.config())));
  deps.protocol = createProtocol({
    config: () => deps.config(),
    store: new MemoryStore<TransactionRecord>(),
    logger: deps.logger,
    metrics: deps.metrics,
    trail: createTrailRecorder({ config: () => deps.config(), store: inspection }),
    overrides: view.lookup,
  });
  deps.admin = { inspection, overrides: localOverrides(view) };
  if (generated !== undefined) deps.generatedAdminToken = generated;
  return { app: createApp(deps), deps };
}

async function authenticate(app: App, pan: string): Promise<{ id: string; transStatus: string }> {
  const body = browserAReq(pan);
  const res = await request(app).post('/3ds/authenticate').send(body);
  return { id: body.threeDSServerTransID as string, transStatus: res.body.transStatus };
}

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

describe('http/routes/admin-api (/__admin)', () => {
  describe('access', () => {
    it('accepts each configured token, under its name; refuses others with 401 and the SPEC §8 envelope', async () => {
      const { app } = build();
      for (const t of [ALICE, OPS]) expect((await request(app).get('/__admin/transactions').set(bearer(t))).status).to.equal(200);
      for (const h of [{}, bearer('wrong-token-0000'), { Authorization: `Basic ${ALICE}` }]) {
        const res = await request(app).get('/__admin/overrides').set(h);
        expect(res.status).to.equal(401);
        expect(res.headers['www-authenticate']).to.match(/^Bearer/);
        expect(res.body.errorDetails).to.include({ messageType: 'Erro', errorCode: '405', errorComponent: 'S' });
      }
    });

    it('does not exist without a token, in test and in production (404)', async () => {
      for (const env of ['test', 'production'] as const) {
        const { app } = build((c) => {
          c.env = env;
          c.security.adminTokens = {};
          c.security.adminToken = '';
        }, 'generated-token-1');
        const res = await request(app).get('/__admin/transactions').set(bearer('generated-token-1'));
        expect(res.status, env).to.equal(404);
        expect(res.body.errorDetails.errorCode).to.equal('101');
      }
    });

    it('in development with no token configured, takes the generated one (named "console"), for /__admin only', async () => {
      const { app, deps } = build((c) => {
        c.env = 'development';
        c.security.adminTokens = {};
        c.security.adminToken = '';
      }, 'generated-token-1');
      expect((await request(app).get('/__admin/transactions')).status).to.equal(401);
      expect((await request(app).get('/__admin/transactions').set(bearer('generated-token-1'))).status).to.equal(200);
      await request(app).delete('/__admin/overrides').set(bearer('generated-token-1')).expect(200);
      expect(deps.logLines.some((l) => l.includes('"by":"console"'))).to.equal(true);
      // /admin/reload stays with configured tokens only.
      expect((await request(app).post('/admin/reload').set(bearer('generated-token-1'))).status).to.equal(404);
    });
  });

  describe('transactions', () => {
    it('lists newest first with filters, pages by cursor, and refuses bad parameters', async () => {
      const { app } = build();
      const made = [];
      for (const last4 of ['4000', '4001', '4002', '4000', '4001']) {
        made.push(await authenticate(app, `400040004000${last4}`));
        await new Promise((r) => setTimeout(r, 3));
      }
      const all = await request(app).get('/__admin/transactions').set(bearer(ALICE)).expect(200);
      expect(all.body.items.map((s: { threeDSServerTransID: string }) => s.threeDSServerTransID)).to.deep.equal(
        made.map((m) => m.id).reverse(),
      );
      expect(all.body.next).to.equal(null);
      expect(all.body.items[0]).to.include({ last4: '4001', status: 'C', flow: 'browser', api: 'mock', maskedPan: '400040******4001' });
      expect(all.body.items[0].createdAt).to.match(/^\d{4}-\d\d-\d\dT/);

      const y = await request(app).get('/__admin/transactions?status=Y&last4=4000').set(bearer(ALICE)).expect(200);
      expect(y.body.items.map((s: { threeDSServerTransID: string }) => s.threeDSServerTransID)).to.deep.equal([made[3]?.id, made[0]?.id]);
      expect((await request(app).get('/__admin/transactions?flow=app').set(bearer(ALICE))).body.items).to.deep.equal([]);
      const future = new Date(Date.now() + 60_000).toISOString();
      expect((await request(app).get(`/__admin/transactions?since=${future}`).set(bearer(ALICE))).body.items).to.deep.equal([]);
      expect((await request(app).get(`/__admin/transactions?until=${future}&api=mock`).set(bearer(ALICE))).body.items).to.have.length(5);

      const seen: string[] = [];
      let url = '/__admin/transactions?limit=2';
      for (let i = 0; i < 5; i++) {
        const page = await request(app).get(url).set(bearer(ALICE)).expect(200);
        seen.push(...page.body.items.map((s: { threeDSServerTransID: string }) => s.threeDSServerTransID));
        if (!page.body.next) break;
        url = `/__admin/transactions?limit=2&cursor=${page.body.next}`;
      }
      expect(seen).to.deep.equal(made.map((m) => m.id).reverse());

      for (const q of ['last4=12', 'status=YY', 'flow=fax', 'api=soap', 'limit=0', 'limit=501', 'since=yesterday', 'cursor=%21%21']) {
        const res = await request(app).get(`/__admin/transactions?${q}`).set(bearer(ALICE));
        expect(res.status, q).to.equal(400);
        expect(res.body.errorDetails.errorCode, q).to.equal('203');
      }
    });

    it('shows one transaction: summary, record (no keys), and the trail with masked PANs', async () => {
      const { app } = build();
      const t = await authenticate(app, '4000400040004001');
      const res = await request(app).get(`/__admin/transactions/${t.id}`).set(bearer(ALICE)).expect(200);
      expect(res.body.summary).to.include({ threeDSServerTransID: t.id, status: 'C' });
      expect(res.body.record).to.include({ stage: 'challenge', final: false, scenario: '4001' });
      expect(res.body.record.challenge).to.include({ ui: 'text', status: 'open' });
      expect(res.body.trail.map((e: { kind: string }) => e.kind)).to.deep.equal(['AReq', 'ARes']);
      expect(res.body.trail[0].time).to.match(/Z$/);
      expect(JSON.stringify(res.body)).to.not.contain('4000400040004001').and.not.contain('cardSecurityCode');
      const missing = await request(app).get('/__admin/transactions/8a1c5d4e-0000-4000-8000-000000000000').set(bearer(ALICE));
      expect(missing.status).to.equal(404);
      expect(missing.body.errorDetails.errorCode).to.equal('301');
      expect((await request(app).get('/__admin/transactions/not%20an%20id').set(bearer(ALICE))).status).to.equal(400);
    });
  });

  describe('overrides', () => {
    it('sets, lists, reads, replaces and removes overrides, which the next transaction follows', async () => {
      const { app, deps } = build();
      expect((await authenticate(app, '4000400040004001')).transStatus).to.equal('C');
      const put = await request(app)
        .put('/__admin/overrides/4001')
        .set(bearer(ALICE))
        .send({ scenario: { transStatus: 'N', reason: '01' } });
      expect(put.status).to.equal(201);
      expect(put.body).to.include({ key: '4001', setBy: 'qa-alice' });
      expect((await authenticate(app, '4000400040004001')).transStatus).to.equal('N');
      // A full PAN beats the last 4; a configured key may be named instead of a scenario object.
      await request(app).put('/__admin/overrides/4000400040004001').set(bearer(OPS)).send({ scenario: '4000' }).expect(201);
      expect((await authenticate(app, '4000400040004001')).transStatus).to.equal('Y');
      expect((await authenticate(app, '4111111111114001')).transStatus).to.equal('N');
      const replaced = await request(app)
        .put('/__admin/overrides/4001')
        .set(bearer(ALICE))
        .send({ scenario: { transStatus: 'R', reason: '11' } });
      expect(replaced.status).to.equal(200);
      expect(replaced.body.previous.scenario).to.deep.equal({ transStatus: 'N', reason: '01' });

      const list = await request(app).get('/__admin/overrides').set(bearer(ALICE)).expect(200);
      expect(list.body.overrides.map((o: { key: string; setBy: string }) => [o.key, o.setBy])).to.have.deep.members([
        ['4001', 'qa-alice'],
        ['4000400040004001', 'admin'],
      ]);
      expect((await request(app).get('/__admin/overrides/4001').set(bearer(ALICE))).body.scenario.transStatus).to.equal('R');
      expect((await request(app).get('/__admin/overrides/4999').set(bearer(ALICE))).status).to.equal(404);

      await request(app).delete('/__admin/overrides/4000400040004001').set(bearer(ALICE)).expect(200);
      const again = await request(app).delete('/__admin/overrides/4000400040004001').set(bearer(ALICE));
      expect(again.status).to.equal(404);
      expect(again.body.error).to.match(/No scenario override/);
      expect((await request(app).delete('/__admin/overrides').set(bearer(ALICE)).expect(200)).body.removed).to.equal(1);
      expect((await authenticate(app, '4000400040004001')).transStatus).to.equal('C');

      const changes = deps.logLines.filter((l) => l.includes('"admin change"'));
      expect(changes).to.have.length(5);
      expect(changes[0]).to.contain('"by":"qa-alice"').and.contain('"action":"override.set"').and.contain('"key":"4001"');
      expect(changes[1]).to.contain('"by":"admin"').and.contain('"key":"400040…4001"');
      expect(changes.join('\n')).to.not.contain('4000400040004001');
    });

    it('refuses bad keys, bad scenarios and bodies that are not JSON', async () => {
      const { app } = build();
      const cases: [string, unknown, number][] = [
        ['/__admin/overrides/400', { scenario: { transStatus: 'Y' } }, 400],
        ['/__admin/overrides/4001', { scenario: { transStatus: 'X' } }, 400],
        ['/__admin/overrides/4001', { scenario: { transStatus: 'C' } }, 400],
        ['/__admin/overrides/4001', { scenario: '9998' }, 400],
        ['/__admin/overrides/4001', {}, 400],
      ];
      for (const [url, body, status] of cases) {
        const res = await request(app)
          .put(url)
          .set(bearer(ALICE))
          .send(body as object);
        expect(res.status, JSON.stringify(body)).to.equal(status);
        expect(res.body.errorDetails.messageType).to.equal('Erro');
      }
      const text = await request(app).put('/__admin/overrides/4001').set(bearer(ALICE)).set('content-type', 'text/plain').send('Y');
      expect(text.status).to.equal(415);
    });
  });

  it('reset clears overrides, the index and the trails; transaction records stay', async () => {
    const { app, deps } = build();
    const t = await authenticate(app, '4000400040004001');
    await request(app).put('/__admin/overrides/4002').set(bearer(ALICE)).send({ scenario: '4000' }).expect(201);
    const res = await request(app).post('/__admin/reset').set(bearer(ALICE)).expect(200);
    expect(res.body).to.deep.include({ overridesRemoved: 1, transactionsForgotten: 1, trailsRemoved: 1 });
    expect((await request(app).get('/__admin/transactions').set(bearer(ALICE))).body.items).to.deep.equal([]);
    expect((await request(app).get('/__admin/overrides').set(bearer(ALICE))).body.overrides).to.deep.equal([]);
    const detail = await request(app).get(`/__admin/transactions/${t.id}`).set(bearer(ALICE)).expect(200);
    expect(detail.body.record.stage).to.equal('challenge');
    expect(detail.body.trail).to.deep.equal([]);
    expect(deps.logLines.some((l) => l.includes('"action":"reset"') && l.includes('"by":"qa-alice"'))).to.equal(true);
  });
});
