// The QA console's server side (SPEC §17), in process: where the console exists (exactly where the admin
// API does), the page's CSP and headers, the assets, the notification page (escaping, what it passes
// on), GET /__admin/scenarios (the card table) and POST /__admin/app-flow (the server-side SDK, with
// the real crypto service). The page itself runs in Chromium in test/integration/console.test.ts.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import request from 'supertest';
import { loadAcsCredentials } from '../../../src/crypto/acs-credentials.js';
import { type CryptoService, createCryptoService } from '../../../src/crypto/crypto-service.js';
import { type App, createApp } from '../../../src/http/app.js';
import { cardFor, cardTable } from '../../../src/http/console/card-table.js';
import { clientScript, consoleCsp } from '../../../src/http/routes/console.js';
import { appFlowInput } from '../../../src/http/routes/console-api.js';
import { notifyFields, notifyPage } from '../../../src/http/views/console/notify-page.js';
import { createProtocol, type Protocol } from '../../../src/protocol/protocol.js';
import type { TransactionRecord } from '../../../src/protocol/transaction/record.js';
import { localInspection } from '../../../src/store/inspection/embedded-inspection.js';
import { InspectionCore } from '../../../src/store/inspection/inspection-core.js';
import { inspectionBounds } from '../../../src/store/inspection/inspection-types.js';
import { createTrailRecorder } from '../../../src/store/inspection/trail-recorder.js';
import { localOverrides } from '../../../src/store/overrides/overrides-control.js';
import { OverridesView } from '../../../src/store/overrides/overrides-view.js';
import { tempDirs, withSigning } from '../../crypto/fixtures.js';
import { type TestDeps, testDeps } from '../../helpers/app-deps.js';
import { ROOT } from '../../helpers/server.js';
import { type MutableConfig, testConfig } from '../../protocol/helpers.js';
import { MemoryStore } from '../../protocol/memory-store.js';

const TOKEN = 'console-token-0001';
const auth = { Authorization: `Bearer ${TOKEN}` };

interface Built {
  app: App;
  deps: TestDeps;
  protocol: Protocol;
}

function build(edit?: (c: MutableConfig) => void, opts: { admin?: boolean; generated?: string; crypto?: CryptoService } = {}): Built {
  const deps = testDeps();
  const config = testConfig((c) => {
    c.security.adminToken = TOKEN;
    c.notifications.enabled = false;
    c.server.publicUrl = 'http://mock.test:8080';
    edit?.(c);
  });
  deps.setConfig(config);
  const view = new OverridesView();
  const inspection = localInspection(new InspectionCore(inspectionBounds(deps.config())));
  const protocol = createProtocol({
    config: () => deps.config(),
    store: new MemoryStore<TransactionRecord>(),
    logger: deps.logger,
    metrics: deps.metrics,
    trail: createTrailRecorder({ config: () => deps.config(), store: inspection }),
    overrides: view.lookup,
    ...(opts.crypto && { crypto: opts.crypto }),
  });
  deps.protocol = protocol;
  if (opts.admin !== false) deps.admin = { inspection, overrides: localOverrides(view) };
  if (opts.generated !== undefined) deps.generatedAdminToken = opts.generated;
  return { app: createApp(deps), deps, protocol };
}

const noToken = (env: 'development' | 'test' | 'production') => (c: MutableConfig) => {
  c.env = env;
  c.security.adminToken = '';
  c.security.adminTokens = {};
};

describe('http/routes/console (/console, /__admin/scenarios, /__admin/app-flow)', () => {
  describe('where it exists', () => {
    const paths = [
      ['get', '/console'],
      ['get', '/console/assets/console.css'],
      ['post', '/console/notify'],
      ['get', '/__admin/scenarios'],
    ] as const;

    it('exists exactly where the admin API does: 404 in test and production without a token, and without an admin surface', async () => {
      for (const env of ['test', 'production'] as const) {
        const { app } = build(noToken(env), { generated: 'generated-token-01' });
        for (const [m, p] of paths) {
          const res = await request(app)[m](p).set({ Authorization: 'Bearer generated-token-01' });
          expect(res.status, `${env} ${p}`).to.equal(404);
          expect(res.body.errorDetails.errorCode).to.equal('101');
        }
      }
      const { app } = build(undefined, { admin: false });
      for (const [m, p] of paths) expect((await request(app)[m](p).set(auth)).status, p).to.equal(404);
    });

    it('is served in development with the generated token, and wherever a token is configured', async () => {
      const dev = build(noToken('development'), { generated: 'generated-token-01' });
      expect((await request(dev.app).get('/console')).status).to.equal(200);
      expect((await request(dev.app).get('/__admin/scenarios')).status).to.equal(401);
      expect((await request(dev.app).get('/__admin/scenarios').set({ Authorization: 'Bearer generated-token-01' })).status).to.equal(200);
      const prod = build((c) => {
        c.env = 'production';
      });
      expect((await request(prod.app).get('/console')).status).to.equal(200);
      const res = await request(prod.app).get('/__admin/scenarios');
      expect(res.status).to.equal(401);
      expect(res.headers['www-authenticate']).to.match(/^Bearer/);
    });
  });

  describe('the page and its assets', () => {
    it('sends the page with a CSP of its own origin (plus the public URL for the frames) and no inline code', async () => {
      const { app } = build();
      const res = await request(app).get('/console').expect(200);
      expect(res.headers['content-type']).to.equal('text/html; charset=utf-8');
      expect(res.headers['content-security-policy']).to.equal(consoleCsp('http://mock.test:8080'));
      expect(res.headers['content-security-policy'])
        .to.include("script-src 'self';")
        .and.include("frame-src 'self' http://mock.test:8080;");
      expect(res.headers).to.include({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-store',
        'cross-origin-resource-policy': 'same-origin',
      });
      expect(res.text).to.include('<script type="module" src="/console/assets/console.js"></script>');
      expect(res.text).to.include('<link rel="stylesheet" href="/console/assets/console.css">');
      expect(res.text).to.not.match(/<script>|<style|\sstyle=|\son[a-z]+=/);
      expect(res.text).to.include('http://mock.test:8080');
      // Every form field has its label.
      for (const m of res.text.matchAll(/<(?:input|select) id="([^"]+)"/g)) expect(res.text, m[1]).to.include(`for="${m[1]}"`);
    });

    it('is a control path: never faulted (X-Mock-Error) nor rate limited, like /__admin', async () => {
      const { app } = build((c) => {
        c.faults.headersEnabled = true;
      });
      expect((await request(app).get('/console').set('X-Mock-Error', '503')).status).to.equal(200);
      expect((await request(app).get('/__admin/scenarios').set(auth).set('X-Mock-Error', '503')).status).to.equal(200);
      for (const p of ['/console', '/console/notify', '/console/assets/console.js']) expect(app.live().isControlPath(p), p).to.equal(true);
      expect(app.live().isControlPath('/consoles')).to.equal(false);
    });

    it('takes the public URL from the request port when none is configured', () => {
      expect(consoleCsp('not a url')).to.include("frame-src 'self';");
    });

    it('serves the stylesheet and the compiled scripts with their types; anything else is 404', async () => {
      const { app } = build();
      const css = await request(app).get('/console/assets/console.css').expect(200);
      expect(css.headers['content-type']).to.equal('text/css; charset=utf-8');
      expect(css.headers['x-content-type-options']).to.equal('nosniff');
      expect(css.text).to.include(':focus-visible');
      for (const bad of ['/console/assets/app.js', '/console/assets/..%2Fconsole-page.js', '/console/nothing'])
        expect((await request(app).get(bad)).status, bad).to.equal(404);
    });

    it('serves every module of the client folder (a module left off the list would break the page)', async () => {
      const { app } = build();
      const modules = (await readdir(path.join(ROOT, 'src/http/views/console/client'))).filter((f) => f.endsWith('.ts'));
      expect(modules).to.include.members(['console.ts', 'notify.ts']);
      for (const m of modules) {
        const res = await request(app).get(`/console/assets/${m.replace(/\.ts$/, '.js')}`);
        if (res.status === 200) {
          expect(res.headers['content-type'], m).to.equal('text/javascript; charset=utf-8');
          continue;
        }
        // `npm test` runs this suite before the build: a listed module not built yet is a 404 that says so,
        // where a name off the list is "no console asset".
        expect(res.status, m).to.equal(404);
        expect(res.text, m).to.include('is not built');
      }
    });

    it('reads a compiled script once, from dist/ when the module runs from src/; a missing one is an Error', async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'm3ds-console-'));
      try {
        const src = path.join(dir, 'src/http/views/console/client');
        const dist = path.join(dir, 'dist/http/views/console/client');
        await Promise.all([src, dist].map((d) => mkdir(d, { recursive: true })));
        await writeFile(path.join(dist, 'console.js'), 'export {};');
        expect(clientScript('console.js', pathToFileURL(`${src}/`))).to.equal('export {};');
        const missing = clientScript('notify.js', pathToFileURL(`${src}/`));
        expect(missing).to.be.instanceOf(Error);
        expect((missing as Error).message).to.include('npm run build');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('the notification page', () => {
    it('passes the CRes on to the console in an escaped data block, under its own CSP (framed by the console only)', async () => {
      const { app } = build();
      const res = await request(app)
        .post('/console/notify')
        .type('form')
        .send({ cres: 'eyJ0cmFuc1N0YXR1cyI6IlkifQ', threeDSSessionData: '</script><script>alert(1)</script>', other: 'x' })
        .expect(200);
      expect(res.headers['content-security-policy']).to.equal(
        "default-src 'none'; script-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
      );
      expect(res.headers['x-frame-options']).to.equal('SAMEORIGIN');
      expect(res.text).to.include('<script type="module" src="/console/assets/notify.js"></script>');
      const data = /<script type="application\/json" id="m3ds-notify">(.*)<\/script><\/body>/.exec(res.text)?.[1] ?? '';
      expect(data).to.not.include('<');
      expect(JSON.parse(data)).to.deep.equal({
        kind: 'cres',
        fields: { cres: 'eyJ0cmFuc1N0YXR1cyI6IlkifQ', threeDSSessionData: '</script><script>alert(1)</script>' },
      });
    });

    it("tells the 3DS Method's report from a CRes, and keeps only known, bounded string fields", () => {
      expect(notifyPage(notifyFields({ threeDSMethodData: 'abc' }))).to.include('"kind":"method"');
      expect(notifyFields({ cres: 'x'.repeat(20_000), transStatus: 'N', threeDSSessionData: ['a'], a: 'b' })).to.deep.equal({
        transStatus: 'N',
      });
      expect(notifyFields('cres=abc')).to.deep.equal({});
      expect(notifyPage({})).to.include('"kind":"other"');
    });
  });

  describe('GET /__admin/scenarios', () => {
    it('lists every key of the scenario table with a card number that selects it', async () => {
      const { app } = build((c) => {
        c.protocol.scenarios = { ...c.protocol.scenarios, '5100000000009999': { name: 'pan-entry', transStatus: 'R', reason: '11' } };
      });
      const res = await request(app).get('/__admin/scenarios').set(auth).expect(200);
      const rows = res.body.scenarios as { key: string; name?: string; cardNumber?: string; scenario: { transStatus: string } }[];
      expect(rows[0]).to.deep.equal({
        key: '4000',
        name: 'frictionless',
        cardNumber: '4000400040004000',
        scenario: { name: 'frictionless', transStatus: 'Y' },
      });
      expect(rows.find((r) => r.key === '4001')?.cardNumber).to.equal('4000400040004001');
      expect(rows.at(-2)).to.deep.include({ key: '5100000000009999', cardNumber: '5100000000009999' });
      const def = rows.at(-1);
      expect(def?.key).to.equal('default');
      expect(rows.some((r) => r.key === def?.cardNumber?.slice(-4))).to.equal(false);
    });

    it('builds card numbers inside the configured ranges', () => {
      const mc = [
        {
          scheme: 'mastercard',
          start: '5100000000000000',
          end: '5599999999999999',
          startVersion: '2.1.0',
          endVersion: '2.3.1',
          priority: 0,
        },
      ];
      expect(cardFor('4001', mc)).to.equal('5100000000004001');
      expect(cardFor('4001', [])).to.equal(undefined);
      const rows = cardTable(
        testConfig((c) => {
          c.protocol.ranges = mc;
        }),
      );
      expect(rows.find((r) => r.key === '4002')?.cardNumber).to.equal('5100000000004002');
    });
  });

  describe('POST /__admin/app-flow (the server plays the 3DS SDK)', () => {
    const tmp = tempDirs();
    let crypto: CryptoService;
    let built: Built;

    before(async () => {
      const config = withSigning(testConfig(), { dataDir: await tmp.make() });
      await loadAcsCredentials({ config });
      const d = testDeps();
      crypto = await createCryptoService({ config, logger: d.logger, metrics: d.metrics, workers: 1, cores: 1 });
      built = build(
        (c) => {
          c.protocol.signing = config.protocol.signing;
        },
        { crypto },
      );
    });

    after(async () => {
      await built?.protocol.close();
      await crypto?.close();
      await tmp.cleanup();
    });

    const run = (body: unknown) =>
      request(built.app)
        .post('/__admin/app-flow')
        .set(auth)
        .send(body as object);

    for (const enc of ['A128CBC-HS256', 'A128GCM'] as const) {
      it(`completes a text challenge with the right code (${enc}), every message masked`, async () => {
        const res = await run({ cardNumber: '4000400040004001', answer: '1234', enc, messageVersion: '2.3.1' }).expect(200);
        expect(res.body).to.include({ transStatus: 'C', challengeStatus: 'Y' });
        expect(res.body.steps.map((s: { kind: string }) => s.kind)).to.deep.equal([
          'version',
          'ARes',
          'CReq',
          'CRes',
          'CReq',
          'CRes',
          'final',
        ]);
        expect(res.body.final).to.include({ transStatus: 'Y', eci: '05' });
        expect(res.text).to.not.include('4000400040004001');
        expect(res.text).to.not.include('1234"');
        const detail = await request(built.app).get(`/__admin/transactions/${res.body.threeDSServerTransID}`).set(auth).expect(200);
        expect(detail.body.summary).to.include({ flow: 'app', status: 'Y' });
      });
    }

    it('answers each UI its way: single select, multi select, out of band, HTML; a wrong code ends N; a cancel U', async () => {
      const cases: [string, string, string][] = [
        ['4008', '02', 'Y'],
        ['4009', '01,03', 'Y'],
        ['4010', '', 'Y'],
        ['4011', '1234', 'Y'],
        ['4001', '9999', 'N'],
      ];
      for (const [last4, answer, status] of cases) {
        const res = await run({ cardNumber: `400040004000${last4}`, answer }).expect(200);
        expect(res.body.challengeStatus, last4).to.equal(status);
      }
      const cancel = await run({ cardNumber: '4000400040004001', cancel: true }).expect(200);
      expect(cancel.body.challengeStatus).to.equal('N');
      expect(cancel.body.final).to.include({ transStatus: 'U' });
    });

    it('reports an Erro, a silent ACS and a frictionless card as steps, not as failures of the route', async () => {
      const ds = await run({ cardNumber: '4000400040004012' }).expect(200);
      expect(ds.body.transStatus).to.equal('E');
      expect(ds.body.steps[1]).to.include({ kind: 'Erro' });
      expect(ds.body.steps[1].message.errorDetails).to.include({ errorCode: '405', errorComponent: 'D' });
      const silent = await run({ cardNumber: '4000400040004019' }).expect(200);
      expect(silent.body.steps.map((s: { kind: string }) => s.kind)).to.deep.equal(['version', 'ARes', 'CReq', 'note', 'final']);
      expect(silent.body.final.errorDetails.errorCode).to.equal('305');
      const y = await run({ cardNumber: '4000400040004000' }).expect(200);
      expect(y.body.steps.map((s: { kind: string }) => s.kind)).to.deep.equal(['version', 'ARes', 'final']);
    });

    it('refuses a bad body (400, 415) and a missing token (401)', async () => {
      expect((await run({})).status).to.equal(400);
      expect((await run({ cardNumber: '4000' })).body.errorDetails.errorDetail).to.match(/^cardNumber/);
      expect((await run({ cardNumber: '4000400040004001', enc: 'A256GCM' })).status).to.equal(400);
      expect((await request(built.app).post('/__admin/app-flow').set(auth).type('form').send('cardNumber=1')).status).to.equal(415);
      expect((await request(built.app).post('/__admin/app-flow').send({ cardNumber: '4000400040004001' })).status).to.equal(401);
      expect(() => appFlowInput({ cardNumber: '4000400040004001', cancel: 'yes' })).to.throw(/cancel/);
      expect(appFlowInput({ cardNumber: '4000400040004001' })).to.deep.equal({
        cardNumber: '4000400040004001',
        answer: '',
        cancel: false,
        messageVersion: '2.2.0',
        enc: 'A128CBC-HS256',
      });
    });
  });
});
