// docs/openapi.json and the Postman collection are generated files: the committed copies must be what
// `npm run openapi` and `npm run postman` produce now (as test/docs.test.ts checks README's tables). The
// collection is then run, folder by folder, against the real app in process with a minimal Postman
// sandbox (pm.test, pm.expect, pm.response, pm.collectionVariables): its test scripts must pass and carry
// the IDs and URLs from one request to the next, and every answer must conform to the document.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { renderOpenApi } from '../../scripts/openapi/document.js';
import { buildCollection, COLLECTION_FILE, OPENAPI_FILE, renderCollection } from '../../scripts/postman.js';
import { loadAcsCredentials } from '../../src/crypto/acs-credentials.js';
import { type CryptoService, createCryptoService } from '../../src/crypto/crypto-service.js';
import { type App, createApp } from '../../src/http/app.js';
import { createProtocol, type Protocol } from '../../src/protocol/protocol.js';
import { isFinalRecord, type TransactionRecord } from '../../src/protocol/transaction/record.js';
import { createStore } from '../../src/store/create-store.js';
import { localInspection } from '../../src/store/inspection/embedded-inspection.js';
import { InspectionCore } from '../../src/store/inspection/inspection-core.js';
import { inspectionBounds } from '../../src/store/inspection/inspection-types.js';
import { createTrailRecorder } from '../../src/store/inspection/trail-recorder.js';
import { localOverrides } from '../../src/store/overrides/overrides-control.js';
import { OverridesView } from '../../src/store/overrides/overrides-view.js';
import type { TransactionStore } from '../../src/store/store.js';
import { tempDirs, withSigning } from '../crypto/fixtures.js';
import { testDeps } from '../helpers/app-deps.js';
import { OpenApiValidator } from '../helpers/openapi.js';
import { testConfig } from '../protocol/helpers.js';

type Json = Record<string, unknown>;

interface PmRequest {
  method: string;
  header: { key: string; value: string; disabled?: boolean }[];
  body?: { mode: string; raw?: string; urlencoded?: { key: string; value: string }[] };
  url: { raw: string };
  auth?: { type: string; bearer: { key: string; value: string }[] };
}

interface PmItem {
  name: string;
  item?: PmItem[];
  request?: PmRequest;
  event?: { listen: string; script: { exec: string[] } }[];
}

const doc = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as Json;
const collection = JSON.parse(readFileSync(COLLECTION_FILE, 'utf8')) as {
  info: Json;
  item: PmItem[];
  variable: { key: string; value: string }[];
};

describe('docs/openapi.json and the Postman collection', () => {
  it('docs/openapi.json is what `npm run openapi` builds now', () => {
    expect(
      readFileSync(OPENAPI_FILE, 'utf8') === renderOpenApi(),
      'docs/openapi.json is stale: run npm run openapi && npm run postman',
    ).to.equal(true);
  });

  it('the collection is what `npm run postman` generates from the document now', () => {
    expect(
      readFileSync(COLLECTION_FILE, 'utf8') === renderCollection(doc),
      'the Postman collection is stale: run npm run postman',
    ).to.equal(true);
  });

  it('is a v2.1 collection: flows in order, requests that are operations of the document, scripts that parse', () => {
    expect(collection.info.schema).to.equal('https://schema.getpostman.com/json/collection/v2.1.0/collection.json');
    expect(collection.item.map((f) => f.name)).to.deep.equal([
      '1. Browser challenge — existing mock API',
      '2. Browser challenge — Netcetera-shaped API',
      '3. App flow',
      '4. Operations',
      '5. Admin',
    ]);
    expect(collection.item[0]?.item?.map((i) => i.name)).to.deep.equal([
      'Version',
      'Authenticate (browser)',
      'ACS page (challenge)',
      'Submit the code',
      'Final',
    ]);
    expect(collection.item[1]?.item?.map((i) => i.name).slice(0, 5)).to.deep.equal([
      'Versioning',
      'Authentication (browser)',
      'ACS page (challenge)',
      'Submit the code',
      'Challenge response',
    ]);
    const validator = new OpenApiValidator(doc);
    const documented = new Set(validator.operations().map((o) => `${o.method} ${o.path}`));
    for (const folder of collection.item) {
      for (const item of folder.item ?? []) {
        const r = item.request as PmRequest;
        const raw = r.url.raw.startsWith('{{baseUrl}}') ? r.url.raw.slice('{{baseUrl}}'.length) : '/processor/mock/acs/trigger-otp';
        const p = validator.templateOf(raw.split('?')[0]?.replace(/\{\{[^}]+\}\}/g, 'x') ?? '') ?? raw;
        expect(documented.has(`${r.method} ${p}`), `${item.name}: ${r.method} ${raw}`).to.equal(true);
        for (const e of item.event ?? [])
          expect(() => new Function('pm', e.script.exec.join('\n')), `${item.name} ${e.listen} script`).to.not.throw();
      }
    }
  });

  it("holds the base URL and every test card of README's table as collection variables", () => {
    const keys = collection.variable.map((v) => v.key);
    expect(keys).to.include.members(['baseUrl', 'cardNumber', 'otp', 'threeDSServerTransID', 'acsURL', 'creq', 'cres']);
    for (const c of doc['x-test-cards'] as { last4: string; pan: string }[]) {
      const v = collection.variable.find((x) => x.key === `card${c.last4 === 'other' ? 'Other' : c.last4}`);
      expect(v?.value, `card ${c.last4}`).to.equal(c.pan);
    }
    // The flows carry IDs and URLs forward: the scripts set them.
    const scripts = JSON.stringify(buildCollection(doc).item);
    for (const k of ['threeDSServerTransID', 'acsURL', 'creq', 'cres']) expect(scripts).to.include(`pm.collectionVariables.set('${k}'`);
  });

  describe('run against the real app (a minimal Postman sandbox)', function () {
    this.timeout(30_000);
    const tmp = tempDirs();
    const validator = new OpenApiValidator(doc);
    let app: App;
    let server: http.Server;
    let base: string;
    let store: TransactionStore<TransactionRecord>;
    let protocol: Protocol;
    let crypto: CryptoService;

    before(async () => {
      const deps = testDeps();
      const config = withSigning(
        testConfig((c) => {
          c.notifications.enabled = false;
          c.security.adminToken = 'postman-token';
        }),
        { dataDir: await tmp.make() },
      );
      deps.setConfig(config);
      store = await createStore<TransactionRecord>({ config, logger: deps.logger, metrics: deps.metrics, isImmutable: isFinalRecord });
      await loadAcsCredentials({ config });
      crypto = await createCryptoService({ config, logger: deps.logger, metrics: deps.metrics, workers: 1, cores: 1 });
      const view = new OverridesView();
      const inspection = localInspection(new InspectionCore(inspectionBounds(config)));
      protocol = createProtocol({
        config: () => deps.config(),
        store,
        logger: deps.logger,
        metrics: deps.metrics,
        crypto,
        trail: createTrailRecorder({ config: () => deps.config(), store: inspection }),
        overrides: view.lookup,
      });
      deps.protocol = protocol;
      deps.admin = { inspection, overrides: localOverrides(view) };
      app = createApp(deps);
      server = http.createServer(app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    after(async () => {
      await app?.close();
      await protocol?.close();
      server?.closeAllConnections();
      if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
      await crypto?.close();
      await store?.close();
      await tmp.cleanup();
    });

    /** Runs one folder in order as Postman's runner does; returns the failed tests and the variables after it. */
    async function runFolder(folder: PmItem, overrides: Record<string, string> = {}, from?: Map<string, string>) {
      const vars = new Map(from ?? collection.variable.map((v) => [v.key, v.value]));
      vars.set('baseUrl', base);
      for (const [k, v] of Object.entries(overrides)) vars.set(k, v);
      const resolve = (s: string): string =>
        s.replace(/\{\{([^}]+)\}\}/g, (_m, k: string) => (k === '$guid' ? randomUUID() : resolve(vars.get(k) ?? '')));
      const failures: string[] = [];
      const problems: string[] = [];
      for (const item of folder.item ?? []) {
        const r = item.request as PmRequest;
        let response: { code: number; text: string; headers: Headers } | undefined;
        const pm = {
          test: (name: string, fn: () => void) => {
            try {
              fn();
            } catch (err) {
              failures.push(`${item.name}: ${name}: ${(err as Error).message}`);
            }
          },
          expect,
          collectionVariables: { set: (k: string, v: unknown) => vars.set(k, String(v)), get: (k: string) => vars.get(k) },
          variables: { replaceIn: resolve, get: (k: string) => vars.get(k) },
          get response() {
            const res = response as NonNullable<typeof response>;
            return {
              code: res.code,
              json: () => JSON.parse(res.text) as unknown,
              text: () => res.text,
              headers: { get: (n: string) => res.headers.get(n) ?? undefined },
              to: { have: { status: (n: number) => expect(res.code).to.equal(n) } },
            };
          },
        };
        const run = (listen: string) => {
          for (const e of item.event ?? []) if (e.listen === listen) new Function('pm', e.script.exec.join('\n'))(pm);
        };
        run('prerequest');
        const headers: Record<string, string> = {};
        for (const h of r.header) if (!h.disabled) headers[h.key] = resolve(h.value);
        if (r.auth?.type === 'bearer') headers.authorization = `Bearer ${resolve(r.auth.bearer[0]?.value ?? '')}`;
        let body: string | undefined;
        if (r.body?.mode === 'raw') body = resolve(r.body.raw ?? '');
        if (r.body?.mode === 'urlencoded') {
          headers['content-type'] = 'application/x-www-form-urlencoded';
          body = new URLSearchParams((r.body.urlencoded ?? []).map((f): [string, string] => [f.key, resolve(f.value)])).toString();
        }
        const url = resolve(r.url.raw);
        const res = await fetch(url, { method: r.method, headers, ...(body !== undefined && { body }) });
        response = { code: res.status, text: await res.text(), headers: res.headers };
        const p = new URL(url).pathname;
        problems.push(...validator.check({ method: r.method, path: p, status: res.status, headers: res.headers, body: response.text }));
        run('test');
      }
      return { failures, problems, vars };
    }

    const folder = (n: number) => collection.item[n] as PmItem;

    it('1. the browser challenge on the existing mock API ends with Y', async () => {
      const r = await runFolder(folder(0));
      expect(r.failures).to.deep.equal([]);
      expect(r.problems).to.deep.equal([]);
      expect(r.vars.get('cres')).to.match(/^[A-Za-z0-9_-]+$/);
      const cres = JSON.parse(Buffer.from(r.vars.get('cres') as string, 'base64url').toString()) as Json;
      expect(cres.transStatus).to.equal('Y');
    });

    it('2. the browser challenge on the Netcetera-shaped API ends with the CRes decoded', async () => {
      const r = await runFolder(folder(1));
      expect(r.failures).to.deep.equal([]);
      expect(r.problems).to.deep.equal([]);
    });

    it('3. the app flow answers acsSignedContent, and an Erro to a CReq that is no JWE', async () => {
      const r = await runFolder(folder(2));
      expect(r.failures).to.deep.equal([]);
      expect(r.problems).to.deep.equal([]);
      expect(r.vars.get('acsSignedContent')?.split('.')).to.have.length(3);
    });

    it('4. operations', async () => {
      const r = await runFolder(folder(3));
      expect(r.failures).to.deep.equal([]);
      expect(r.problems).to.deep.equal([]);
    });

    it('5. admin, after a flow: the transaction with its trail, an override set, read and removed, a reset', async () => {
      const flow = await runFolder(folder(0));
      const r = await runFolder(folder(4), { adminToken: 'postman-token' }, flow.vars);
      // Reload needs the primary (500 in process); test/integration/openapi.test.ts runs it for real.
      expect(r.failures.filter((f) => !f.startsWith('Reload the configuration'))).to.deep.equal([]);
      expect(r.problems).to.deep.equal([]);
    });
  });
});
