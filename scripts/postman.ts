// `npm run postman`: the Postman collection (format v2.1) generated from docs/openapi.json, written to
// docs/postman/mock-3ds.postman_collection.json. Every request is an operation of the document — its
// method, path, summary, description and example body — arranged as the flows run: the browser challenge
// on the existing mock's API (version → authenticate → ACS page → code → final), the same on the
// Netcetera-shaped API (versioning → authentication → ACS page → code → challenge-response), the app flow,
// then operations and admin. Collection variables hold the base URL, the test cards of the document's
// x-test-cards (README's table) and what the flows carry from one request to the next
// (threeDSServerTransID, acsURL, creq, cres, …), which each request's test script sets.
// test/scripts/openapi-postman.test.ts fails when the committed file is not what this generates.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

type Json = Record<string, unknown>;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OPENAPI_FILE = path.join(ROOT, 'docs/openapi.json');
export const COLLECTION_FILE = path.join(ROOT, 'docs/postman/mock-3ds.postman_collection.json');
const SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';
/** Fixed, so that a re-import replaces the collection instead of adding a second one. */
const POSTMAN_ID = '6d0c2f7e-3a51-4a8e-9a3e-5b1f0c7d2e41';

interface Operation {
  method: string;
  path: string;
  op: Json;
}

/** A step of a flow: an operation of the document, with what Postman needs around it. */
interface Step {
  operationId: string;
  name: string;
  /** The example body to start from (its key in the operation's request examples; the first when absent). */
  example?: string;
  /** Body fields replaced by variables, by dotted path. */
  set?: Record<string, string>;
  /** Form fields of a form body (the values may be variables). */
  form?: Record<string, string>;
  /** A raw body (not JSON), with its content type. */
  raw?: { type: string; body: string };
  /** The URL, when it is not {{baseUrl}} + the operation's path (a URL the server handed out). */
  url?: string;
  /** Path parameters: `{id}` → this value (default: the variable of the same name). */
  pathParams?: Record<string, string>;
  /** Query parameters. */
  query?: Record<string, string>;
  /** Headers besides Content-Type; `disabled`: shown, switched off. */
  headers?: { key: string; value: string; disabled?: boolean; description?: string }[];
  /** Test script lines (the status check comes first, from `status`). */
  tests: string[];
  /** Accepted statuses (first: the one the flow expects). */
  status: number[];
  prerequest?: string[];
  /** Extra description, after the operation's summary and description. */
  note?: string;
  bearer?: boolean;
}

function operations(doc: Json): Map<string, Operation> {
  const out = new Map<string, Operation>();
  for (const [p, item] of Object.entries(doc.paths as Record<string, Json>)) {
    for (const [method, op] of Object.entries(item)) {
      const o = op as Json;
      if (typeof o.operationId === 'string') out.set(o.operationId, { method: method.toUpperCase(), path: p, op: o });
    }
  }
  return out;
}

function exampleBody(op: Json, key: string | undefined, type: string): unknown {
  const content = (op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
  const examples = content?.[type]?.examples as Record<string, { value: unknown }> | undefined;
  if (!examples) return undefined;
  const chosen = key === undefined ? Object.values(examples)[0] : examples[key];
  if (!chosen) throw new Error(`no request example ${key} for ${String(op.operationId)}`);
  return structuredClone(chosen.value);
}

function setPath(body: Json, dotted: string, value: string): void {
  const parts = dotted.split('.');
  let cur = body;
  for (const p of parts.slice(0, -1)) {
    if (!cur[p] || typeof cur[p] !== 'object') throw new Error(`no ${dotted} in the example body`);
    cur = cur[p] as Json;
  }
  cur[parts.at(-1) as string] = value;
}

const statusTest = (statuses: number[]): string[] =>
  statuses.length === 1
    ? [`pm.test('HTTP ${statuses[0]}', () => pm.response.to.have.status(${statuses[0]}));`]
    : [`pm.test('HTTP ${statuses.join(' or ')}', () => pm.expect(pm.response.code).to.be.oneOf([${statuses.join(', ')}]));`];

/** A collection variable set from a JSON answer; emptied when the answer has none (no stale acsURL after a frictionless card). */
const save = (variable: string, expr: string): string =>
  `pm.collectionVariables.set('${variable}', (${expr}) === undefined ? '' : ${expr});`;

function request(ops: Map<string, Operation>, s: Step): Json {
  const o = ops.get(s.operationId);
  if (!o) throw new Error(`the document has no operation ${s.operationId}`);
  const header: Json[] = [];
  let body: Json | undefined;
  const content = ((o.op.requestBody as Json | undefined)?.content as Json | undefined) ?? {};
  if (s.form) {
    if (!('application/x-www-form-urlencoded' in content)) throw new Error(`${s.operationId} takes no form`);
    body = { mode: 'urlencoded', urlencoded: Object.entries(s.form).map(([key, value]) => ({ key, value, type: 'text' })) };
  } else if (s.raw) {
    if (!(s.raw.type in content)) throw new Error(`${s.operationId} does not take ${s.raw.type}`);
    header.push({ key: 'Content-Type', value: s.raw.type });
    body = { mode: 'raw', raw: s.raw.body };
  } else if ('application/json' in content) {
    const value = exampleBody(o.op, s.example, 'application/json') as Json | undefined;
    if (value !== undefined) {
      for (const [k, v] of Object.entries(s.set ?? {})) setPath(value, k, v);
      header.push({ key: 'Content-Type', value: 'application/json' });
      body = { mode: 'raw', raw: JSON.stringify(value, null, 2), options: { raw: { language: 'json' } } };
    }
  }
  for (const h of s.headers ?? [])
    header.push({
      key: h.key,
      value: h.value,
      ...(h.disabled && { disabled: true }),
      ...(h.description && { description: h.description }),
    });
  const filled = o.path.replace(/\{([A-Za-z0-9_]+)\}/g, (_m, k: string) => s.pathParams?.[k] ?? `{{${k}}}`);
  const query = Object.entries(s.query ?? {});
  const url = s.url ?? `{{baseUrl}}${filled}${query.length > 0 ? `?${query.map(([k, v]) => `${k}=${v}`).join('&')}` : ''}`;
  const description = [`**${String(o.op.summary)}** — \`${o.method} ${o.path}\``, o.op.description as string | undefined, s.note]
    .filter((x): x is string => typeof x === 'string' && x !== '')
    .join('\n\n');
  const event: Json[] = [];
  if (s.prerequest) event.push({ listen: 'prerequest', script: { type: 'text/javascript', exec: s.prerequest } });
  event.push({ listen: 'test', script: { type: 'text/javascript', exec: [...statusTest(s.status), ...s.tests] } });
  return {
    name: s.name,
    event,
    request: {
      method: o.method,
      header,
      ...(body && { body }),
      url: url.startsWith('{{baseUrl}}')
        ? {
            raw: url,
            host: ['{{baseUrl}}'],
            path: filled.split('/').filter(Boolean),
            ...(query.length > 0 && { query: query.map(([key, value]) => ({ key, value })) }),
          }
        : { raw: url },
      ...(s.bearer && { auth: { type: 'bearer', bearer: [{ key: 'token', value: '{{adminToken}}', type: 'string' }] } }),
      description,
    },
    response: [],
  };
}

const SCENARIO_HEADER = {
  key: 'X-Mock-Scenario',
  value: '{{scenario}}',
  disabled: true,
  description: 'Switch on to choose the scenario by code or name (e.g. challenge-otp) whatever the card.',
};

// Test-script lines shared by the flows.
const json = 'const body = pm.response.json();';
const challengePageTest = [
  "pm.test('the challenge page (form cardholderInput)', () => pm.expect(pm.response.text()).to.include('name=\"cardholderInput\"'));",
];
const cresTest = [
  'const m = /name="cres" value="([^"]*)"/.exec(pm.response.text());',
  "pm.test('the page auto-posts the final CRes (cres) to the notificationURL', () => pm.expect(m).to.not.equal(null));",
  "if (m) pm.collectionVariables.set('cres', m[1]);",
];

/** The folders, in the order the flows run. */
function folders(ops: Map<string, Operation>): Json[] {
  const folder = (name: string, description: string, steps: Step[]): Json => ({
    name,
    description,
    item: steps.map((s) => request(ops, s)),
  });
  const version: Step = {
    operationId: 'version',
    name: 'Version',
    set: { cardNumber: '{{cardNumber}}' },
    status: [200],
    tests: [
      json,
      save('threeDSServerTransID', 'body.threeDSServerTransID'),
      "pm.test('a transaction ID', () => pm.expect(body.threeDSServerTransID).to.be.a('string'));",
    ],
  };
  const final: Step = {
    operationId: 'final',
    name: 'Final',
    set: { threeDSServerTransID: '{{threeDSServerTransID}}' },
    status: [200],
    tests: [json, "pm.test('the outcome', () => pm.expect(body.transStatus).to.be.a('string'));"],
  };
  const acsPage: Step = {
    operationId: 'acsChallengePage',
    name: 'ACS page (challenge)',
    url: '{{acsURL}}',
    form: { creq: '{{creq}}', threeDSSessionData: 'postman-session' },
    status: [200],
    tests: challengePageTest,
    note: 'The browser posts the CReq to the acsURL the authenticate answer carried (collection variable acsURL).',
  };
  const code: Step = {
    operationId: 'acsSubmit',
    name: 'Submit the code',
    form: { threeDSServerTransID: '{{threeDSServerTransID}}', challengeDataEntry: '{{otp}}' },
    status: [200],
    tests: cresTest,
    note: 'The code form of the page (`form[name="cardholderInput"]`). A wrong code shows the page again with the attempts left.',
  };
  return [
    folder(
      '1. Browser challenge — existing mock API',
      'version → authenticate → ACS page → code → final, for `{{cardNumber}}` (4000400040004001, the one-time-code challenge, by default; set it to another test card of the collection variables for another outcome).',
      [
        version,
        {
          operationId: 'authenticate',
          name: 'Authenticate (browser)',
          example: 'browser',
          set: { threeDSServerTransID: '{{threeDSServerTransID}}', 'cardholderAccount.acctNumber': '{{cardNumber}}' },
          headers: [SCENARIO_HEADER],
          status: [200],
          tests: [
            json,
            "pm.test('an outcome', () => pm.expect(body.transStatus).to.be.a('string'));",
            save('acsURL', 'body.acsURL'),
            save('creq', 'body.base64EncodedChallengeRequest'),
            save('acsTransID', 'body.authenticationResponse && body.authenticationResponse.acsTransID'),
            save('dsTransID', 'body.authenticationResponse && body.authenticationResponse.dsTransID'),
          ],
        },
        acsPage,
        code,
        final,
      ],
    ),
    folder(
      '2. Browser challenge — Netcetera-shaped API',
      "versioning → authentication → ACS page → code → challenge-response, as Hyperswitch's Netcetera connector drives it; the two APIs share transactions, so Final reads this one too.",
      [
        {
          operationId: 'versioning',
          name: 'Versioning',
          set: { cardholderAccountNumber: '{{cardNumber}}' },
          status: [200],
          tests: [
            json,
            save('threeDSServerTransID', 'body.threeDSServerTransID'),
            "pm.test('card ranges', () => pm.expect(body.cardRanges).to.be.an('array'));",
          ],
        },
        {
          operationId: 'authentication',
          name: 'Authentication (browser)',
          example: 'browser',
          set: { threeDSServerTransID: '{{threeDSServerTransID}}', 'cardholderAccount.acctNumber': '{{cardNumber}}' },
          headers: [SCENARIO_HEADER],
          status: [200],
          tests: [
            json,
            "pm.test('the success shape (no errorDetails)', () => pm.expect(body).to.not.have.property('errorDetails'));",
            save('acsURL', 'body.authenticationResponse && body.authenticationResponse.acsURL'),
            save('creq', 'body.base64EncodedChallengeRequest'),
            save('acsTransID', 'body.authenticationResponse && body.authenticationResponse.acsTransID'),
          ],
        },
        { ...acsPage, form: { creq: '{{creq}}' } },
        code,
        {
          operationId: 'challengeResponse',
          name: 'Challenge response',
          set: { base64EncodedCRes: '{{cres}}' },
          status: [200],
          tests: [json, "pm.test('the CRes, decoded', () => pm.expect(body.challengeResponse.messageType).to.equal('CRes'));"],
        },
        { ...final, name: 'Final (shared transactions)' },
      ],
    ),
    folder(
      '3. App flow',
      'An app AReq (deviceChannel 01) answers `acsSignedContent`: a JWS whose payload carries the acsURL (`{base}/challenge`) and the ACS\'s ephemeral key. The challenge itself is JWE (ECDH P-256 + Concat KDF, README "App challenge"), which a 3DS SDK does and Postman cannot: paste a compact JWE CReq from an SDK into the collection variable creqJwe, or send the placeholder to see the Erro answer (HTTP 200, application/json) that SDKs read.',
      [
        { ...version, set: { cardNumber: '{{cardNumber}}' } },
        {
          operationId: 'authenticate',
          name: 'Authenticate (app)',
          example: 'app',
          set: {
            threeDSServerTransID: '{{threeDSServerTransID}}',
            sdkTransID: '{{sdkTransID}}',
            'sdkInformation.sdkTransID': '{{sdkTransID}}',
            'cardholderAccount.acctNumber': '{{cardNumber}}',
          },
          headers: [SCENARIO_HEADER],
          prerequest: ["pm.collectionVariables.set('sdkTransID', pm.variables.replaceIn('{{$guid}}'));"],
          status: [200],
          tests: [
            json,
            save('acsTransID', 'body.authenticationResponse && body.authenticationResponse.acsTransID'),
            save('acsSignedContent', 'body.authenticationResponse && body.authenticationResponse.acsSignedContent'),
            "if (body.transStatus === 'C') pm.test('acsSignedContent (a JWS)', () => pm.expect(body.authenticationResponse.acsSignedContent.split('.')).to.have.length(3));",
          ],
          note: "The example's sdkEphemPubKey is a valid P-256 key; an SDK sends its own.",
        },
        {
          operationId: 'appChallenge',
          name: 'Challenge (CReq as JWE)',
          raw: { type: 'application/jose', body: '{{creqJwe}}' },
          status: [200, 204],
          tests: [
            "const type = pm.response.headers.get('Content-Type') || '';",
            "pm.test('a CRes (application/jose) or an Erro (application/json)', () => pm.expect(type).to.match(/^application\\/(jose|json)/));",
          ],
        },
        {
          ...final,
          status: [200, 409],
          name: 'Final (results pending until the challenge ends)',
          tests: [
            json,
            "pm.test('the outcome, or results pending (Erro 305)', () => pm.expect(body.transStatus || body.errorDetails.errorCode).to.be.a('string'));",
          ],
        },
      ],
    ),
    folder('4. Operations', 'Health, metrics and the OpenAPI document; never rate limited (the document aside).', [
      {
        operationId: 'health',
        name: 'Health',
        status: [200],
        tests: [json, "pm.test('healthy', () => pm.expect(body.status).to.equal('healthy'));"],
      },
      { operationId: 'healthLive', name: 'Liveness', status: [200], tests: [] },
      {
        operationId: 'healthReady',
        name: 'Readiness',
        status: [200, 503],
        tests: [json, "pm.test('checks', () => pm.expect(body).to.have.property('checks'));"],
      },
      {
        operationId: 'metrics',
        name: 'Metrics',
        status: [200],
        tests: ["pm.test('Prometheus text', () => pm.expect(pm.response.text()).to.include('# TYPE'));"],
      },
      {
        operationId: 'openapi',
        name: 'OpenAPI document',
        status: [200, 304],
        tests: ["pm.test('an ETag', () => pm.expect(pm.response.headers.get('ETag')).to.match(/^W\\//));"],
      },
    ]),
    folder(
      '5. Admin',
      'Bearer `{{adminToken}}` (`security.adminToken` or a named `security.adminTokens` entry; in development with none configured, /__admin takes the token printed in the ready line). Without an accepted token these routes answer 404.',
      [
        { operationId: 'adminReload', name: 'Reload the configuration', bearer: true, status: [200, 401, 404, 422], tests: [] },
        {
          operationId: 'adminListTransactions',
          name: 'Recent transactions',
          bearer: true,
          query: { limit: '20' },
          status: [200],
          tests: [json, "pm.test('a page', () => pm.expect(body.items).to.be.an('array'));"],
        },
        {
          operationId: 'adminGetTransaction',
          name: 'One transaction with its trail',
          bearer: true,
          pathParams: { id: '{{threeDSServerTransID}}' },
          status: [200],
          tests: [json, "pm.test('its trail', () => pm.expect(body.trail).to.be.an('array'));"],
          note: 'The transaction of the last flow run (collection variable threeDSServerTransID).',
        },
        { operationId: 'adminListOverrides', name: 'Scenario overrides', bearer: true, status: [200], tests: [] },
        {
          operationId: 'adminSetOverride',
          name: 'Set an override',
          bearer: true,
          pathParams: { key: '{{overrideKey}}' },
          example: 'scenario',
          status: [201, 200],
          tests: [json, "pm.test('the override', () => pm.expect(body.key).to.equal(pm.collectionVariables.get('overrideKey')));"],
        },
        {
          operationId: 'adminGetOverride',
          name: 'One override',
          bearer: true,
          pathParams: { key: '{{overrideKey}}' },
          status: [200],
          tests: [],
        },
        {
          operationId: 'adminDeleteOverride',
          name: 'Remove the override',
          bearer: true,
          pathParams: { key: '{{overrideKey}}' },
          status: [200],
          tests: [],
        },
        { operationId: 'adminClearOverrides', name: 'Remove every override', bearer: true, status: [200], tests: [] },
        { operationId: 'adminReset', name: 'Reset inspection and overrides', bearer: true, status: [200], tests: [] },
      ],
    ),
  ];
}

function variables(doc: Json): Json[] {
  const cards = (doc['x-test-cards'] as { last4: string; name?: string; pan: string; ares: string; afterwards: string }[]) ?? [];
  const plain = (s: string) => s.replace(/\*\*|`/g, '');
  const v = (key: string, value: string, description: string) => ({ key, value, type: 'string', description });
  return [
    v('baseUrl', 'http://localhost:8080', 'The server (server.publicUrl).'),
    v('cardNumber', '4000400040004001', 'The card the flows use: a test card below (card4001 by default).'),
    v('otp', '1234', 'The one-time code (protocol.otp).'),
    v(
      'scenario',
      'challenge-otp',
      'X-Mock-Scenario: a scenario code or name; the header is switched off in the requests until you switch it on.',
    ),
    v('adminToken', '', 'security.adminToken (ADMIN_TOKEN), or a named security.adminTokens token.'),
    v('overrideKey', '4000', 'The key of the override the admin requests set: last 4 digits or a full PAN.'),
    ...cards.map((c) =>
      v(
        `card${c.last4 === 'other' ? 'Other' : c.last4}`,
        c.pan,
        `${c.name ? `${c.name}: ` : ''}${plain(c.ares)}${c.afterwards && c.afterwards !== '—' ? ` — afterwards: ${plain(c.afterwards)}` : ''}`,
      ),
    ),
    v('threeDSServerTransID', '', 'Set by Version / Versioning.'),
    v('acsURL', '', 'Set by Authenticate / Authentication (browser challenge).'),
    v('creq', '', 'Set by Authenticate / Authentication: base64EncodedChallengeRequest.'),
    v('cres', '', 'Set by Submit the code: the final CRes the page posts to the merchant.'),
    v('acsTransID', '', 'Set by Authenticate / Authentication.'),
    v('dsTransID', '', 'Set by Authenticate.'),
    v('sdkTransID', '', 'Set before Authenticate (app): a fresh UUID.'),
    v('acsSignedContent', '', 'Set by Authenticate (app).'),
    v('creqJwe', 'paste-a-compact-JWE-CReq-from-an-SDK', 'The app CReq as a compact JWE (from a 3DS SDK).'),
  ];
}

export function buildCollection(doc: Json): Json {
  const ops = operations(doc);
  const info = doc.info as Json;
  return {
    info: {
      _postman_id: POSTMAN_ID,
      name: `${String(info.title)} ${String(info.version)}`,
      description: [
        'Generated from docs/openapi.json by `npm run postman` (scripts/postman.ts): do not edit by hand.',
        "Import: Postman → Import → this file (or the URL `{{baseUrl}}/openapi.json` for the bare API). Set `baseUrl`, then run a folder in order (Run folder): each request's test script carries the IDs and URLs to the next through collection variables.",
        '',
        String(info.description),
      ].join('\n'),
      schema: SCHEMA,
    },
    item: folders(ops),
    variable: variables(doc),
  };
}

export function renderCollection(doc: Json = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as Json): string {
  return `${JSON.stringify(buildCollection(doc), null, 2)}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(COLLECTION_FILE, renderCollection());
  console.log(`wrote ${path.relative(process.cwd(), COLLECTION_FILE)}`);
}
