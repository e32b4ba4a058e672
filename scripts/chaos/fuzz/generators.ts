// The fuzzer's request generators, one per endpoint with its weight (SPEC §20), the odd headers added
// now and then, and fuzzRequest: request i of a run, a function of (seed, i) and the material alone.
import { randomUUID } from 'node:crypto';
import { mixSeed, prng } from '../common.js';
import { b64u, FORM_TYPES, formBody, formValue, mutateJwe, REDIRECTS } from './encodings.js';
import type { Json, Material, Obj } from './material.js';
import {
  breakText,
  chance,
  contentType,
  int,
  JSON_TYPES,
  jsonBody,
  MAX_BODY,
  mutateJson,
  pick,
  type Rng,
  randomString,
} from './mutations.js';

export interface FuzzRequest {
  endpoint: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Send without Content-Length (chunked). */
  chunked?: boolean;
}

type Gen = (r: Rng, m: Material) => FuzzRequest;

const json = (endpoint: string, p: string, r: Rng, base: Json, ids: readonly string[]): FuzzRequest => ({
  endpoint,
  method: 'POST',
  path: p,
  headers: { 'content-type': contentType(r, JSON_TYPES) },
  body: jsonBody(r, base, ids),
});

function idsOf(m: Material): string[] {
  return [...m.open.map((o) => o.id), ...m.done.map((d) => d.id), ...m.app.map((a) => a.id), ...m.open.map((o) => o.acsTransID)];
}

function withCard(r: Rng, areq: Obj, m: Material, id: string): Obj {
  const a = structuredClone(areq);
  a.threeDSServerTransID = id;
  a.cardholderAccount = { ...(a.cardholderAccount as Obj), acctNumber: pick(r, m.pans) };
  if (chance(r, 0.2))
    a.threeDSRequestor = {
      ...(a.threeDSRequestor as Obj),
      threeDSRequestorDecReqInd: 'Y',
      threeDSRequestorChallengeInd: pick(r, ['01', '04', '05', '06', ['05', '07']]),
    };
  return a;
}

/** An AReq (the body `body` picks) with a card from the run, under a fresh transaction ID with probability `fresh`, else a known one. */
const areq =
  (endpoint: string, p: string, body: (m: Material) => Obj, fresh: number): Gen =>
  (r, m) =>
    json(endpoint, p, r, withCard(r, body(m), m, chance(r, fresh) ? randomUUID() : pick(r, idsOf(m))), idsOf(m));

/** A POST of an ACS form route: the form's fields, now and then sent as JSON instead. */
function acsForm(r: Rng, m: Material, endpoint: string, p: string, fields: [string, string][]): FuzzRequest {
  const asJson = chance(r, 0.08);
  return {
    endpoint,
    method: 'POST',
    path: p,
    headers: { 'content-type': asJson ? pick(r, JSON_TYPES) : contentType(r, FORM_TYPES) },
    body: asJson ? jsonBody(r, Object.fromEntries(fields), idsOf(m)) : formBody(r, fields),
  };
}

const GENERATORS: [number, string, Gen][] = [
  [8, 'version', (r, m) => json('version', '/3ds/version', r, { ...m.version, cardNumber: pick(r, m.pans) }, idsOf(m))],
  [14, 'authenticate (browser)', areq('authenticate (browser)', '/3ds/authenticate', (m) => m.browserAreq, 0.7)],
  [
    5,
    'authenticate (app)',
    (r, m) => {
      const a = withCard(r, m.appAreq, m, randomUUID());
      const sdkTransID = randomUUID();
      a.sdkTransID = sdkTransID;
      // A valid P-256 point: one of the run's SDK keys.
      a.sdkInformation = { ...(a.sdkInformation as Obj), sdkTransID, sdkEphemPubKey: pick(r, m.sdkKeys) };
      return json('authenticate (app)', '/3ds/authenticate', r, a, idsOf(m));
    },
  ],
  [
    10,
    'results',
    (r, m) => {
      const t = pick(r, [...m.open, ...m.done]);
      return json(
        'results',
        '/3ds/results',
        r,
        { ...m.results, threeDSServerTransID: t.id, acsTransID: t.acsTransID, dsTransID: t.dsTransID },
        idsOf(m),
      );
    },
  ],
  [8, 'final', (r, m) => json('final', '/3ds/final', r, { threeDSServerTransID: pick(r, idsOf(m)) }, idsOf(m))],
  [
    12,
    'trigger-otp',
    (r, m) => {
      const o = pick(r, m.open);
      const creq = (() => {
        switch (int(r, 6)) {
          case 0:
            return JSON.stringify(mutateJson(r, o.creqJson, idsOf(m)));
          case 1:
            return b64u(JSON.stringify(mutateJson(r, o.creqJson, idsOf(m))));
          case 2:
            return Buffer.from(JSON.stringify(o.creqJson)).toString('base64');
          case 3:
            return b64u(breakText(r, JSON.stringify(o.creqJson)));
          default:
            return formValue(r, o.creq);
        }
      })();
      const q = chance(r, 0.2) ? `?redirectUrl=${encodeURIComponent(pick(r, REDIRECTS))}` : '';
      const fields: [string, string][] = [
        ['creq', creq],
        ['threeDSSessionData', formValue(r, 'order-42')],
      ];
      if (chance(r, 0.1)) fields.push(['redirectUrl', pick(r, REDIRECTS)]);
      return acsForm(r, m, 'trigger-otp', `/processor/mock/acs/trigger-otp${q}`, fields);
    },
  ],
  [
    12,
    'verify-otp',
    (r, m) => {
      const o = pick(r, [...m.open, ...m.open, ...m.done]);
      const fields: [string, string][] = [['threeDSServerTransID', formValue(r, o.id)]];
      switch (int(r, 6)) {
        case 0:
          fields.push(['challengeDataEntry', formValue(r, pick(r, ['1234', '0000', '02', '']))]);
          break;
        case 1:
          fields.push(['otp', formValue(r, '1234')]);
          break;
        case 2:
          fields.push(['action', pick(r, ['cancel', 'resend', 'oob-continue', 'submit', '', 'explode', randomString(r)])]);
          break;
        case 3:
          fields.push(['select-01', '01'], [`select-${randomString(r).slice(0, 10)}`, formValue(r, '03')]);
          break;
        case 4:
          fields.push(['challengeDataEntry', '0000'], ['challengeDataEntry', '1234'], ['otp', '9999']);
          break;
        default:
          fields.push(['redirectUrl', pick(r, REDIRECTS)], ['otp', '0000']);
      }
      const q = chance(r, 0.1) ? `?redirectUrl=${encodeURIComponent(pick(r, REDIRECTS))}` : '';
      return acsForm(r, m, 'verify-otp', `/processor/mock/acs/verify-otp${q}`, fields);
    },
  ],
  [
    4,
    '3ds-method',
    (r, m) => {
      const data = { threeDSServerTransID: pick(r, idsOf(m)), threeDSMethodNotificationURL: pick(r, REDIRECTS) };
      const encoded = chance(r, 0.5) ? b64u(JSON.stringify(mutateJson(r, data, idsOf(m)))) : formValue(r, b64u(JSON.stringify(data)));
      return {
        endpoint: '3ds-method',
        method: 'POST',
        path: '/processor/mock/acs/3ds-method',
        headers: { 'content-type': contentType(r, FORM_TYPES) },
        body: formBody(r, [['threeDSMethodData', encoded]]),
      };
    },
  ],
  [
    12,
    'challenge (JWE)',
    (r, m) => {
      const a = pick(r, m.app);
      const kids = [...m.app.map((x) => x.acsTransID), ...m.open.map((o) => o.acsTransID)];
      const erro = chance(r, 0.05);
      const body = erro
        ? jsonBody(
            r,
            {
              messageType: 'Erro',
              messageVersion: '2.2.0',
              errorCode: '402',
              errorComponent: 'C',
              errorDescription: 'timeout',
              errorDetail: 'x',
              threeDSServerTransID: a.id,
              acsTransID: a.acsTransID,
            },
            idsOf(m),
          )
        : Buffer.from(mutateJwe(r, pick(r, a.jwes), kids), 'utf8');
      return {
        endpoint: 'challenge (JWE)',
        method: 'POST',
        path: '/challenge',
        headers: {
          'content-type': erro
            ? 'application/json'
            : contentType(r, ['application/jose', 'application/jose; charset=utf-8', 'application/jwe']),
        },
        body,
      };
    },
  ],
  [
    3,
    'netcetera versioning',
    (r, m) =>
      json(
        'netcetera versioning',
        pick(r, ['/3ds/versioning', '/3ds/v3/versioning', '/3ds/v4/versioning']),
        r,
        { cardholderAccountNumber: pick(r, m.pans), schemeId: pick(r, ['Visa', 'Mastercard', 'Diners', 'nonsense']) },
        idsOf(m),
      ),
  ],
  [6, 'netcetera authentication', areq('netcetera authentication', '/3ds/authentication', (m) => m.netAreq, 0.8)],
  [
    3,
    'netcetera challenge-response',
    (r, m) => {
      const cres = m.cres.length > 0 ? pick(r, m.cres) : b64u('{}');
      const value = chance(r, 0.5) ? mutateJwe(r, cres, idsOf(m)) : formValue(r, cres);
      return json('netcetera challenge-response', '/3ds/challenge-response', r, { base64EncodedCRes: value }, idsOf(m));
    },
  ],
  [
    1,
    'netcetera method notification',
    (r, m) => ({
      endpoint: 'netcetera method notification',
      method: 'POST',
      path: '/3ds/3ds-method-notification',
      headers: { 'content-type': contentType(r, FORM_TYPES) },
      body: formBody(r, [['threeDSMethodData', formValue(r, b64u(JSON.stringify({ threeDSServerTransID: pick(r, idsOf(m)) })))]]),
    }),
  ],
  [
    2,
    'other routes and methods',
    (r, m) => {
      const p = pick(r, [
        '/health',
        '/health/live',
        '/health/ready',
        '/3ds/version/',
        '/3DS/VERSION',
        '/3ds/../3ds/version',
        '/%2e%2e/%2e%2e/etc/passwd',
        '/3ds/final?threeDSServerTransID=1',
        '/admin/reload',
        '/challenge/',
        '/nonexistent',
        `/${'a'.repeat(4000)}`,
        '/processor/mock/acs/trigger-otp?redirectUrl=%',
        '/__proto__',
        '/constructor/prototype',
      ]);
      const method = pick(r, ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'POST', 'TRACE']);
      const withBody = method !== 'GET' && method !== 'HEAD' && method !== 'TRACE' && method !== 'OPTIONS';
      return {
        endpoint: 'other routes and methods',
        method,
        path: p,
        headers: withBody
          ? {
              'content-type': pick(r, [...JSON_TYPES, ...FORM_TYPES]),
              'x-request-id':
                randomString(r)
                  .replace(/[^\x20-\x7e]/g, '')
                  .slice(0, 300) || 'x',
            }
          : {},
        body: withBody ? jsonBody(r, m.version, idsOf(m)) : Buffer.alloc(0),
      };
    },
  ],
];

/** Header values a client may send (Node's client refuses control characters, so none are). */
function oddHeaders(r: Rng, q: FuzzRequest): void {
  const latin1 = () =>
    Array.from({ length: 1 + int(r, 64) }, () => String.fromCharCode(pick(r, [0x20 + int(r, 95), 0x80 + int(r, 128)]))).join('');
  switch (int(r, 10)) {
    case 0:
      q.headers['content-encoding'] = pick(r, ['gzip', 'deflate', 'br', 'identity', 'x-unknown', 'gzip, gzip']);
      break;
    case 1:
      q.headers['x-request-id'] = chance(r, 0.5) ? latin1() : 'r'.repeat(1 + int(r, 8000));
      break;
    case 2:
      q.headers.expect = '100-continue';
      break;
    case 3:
      q.headers['x-forwarded-for'] = pick(r, ['1.2.3.4, 5.6.7.8', 'garbage', '::ffff:127.0.0.1', latin1()]);
      break;
    case 4:
      q.headers.authorization = pick(r, ['Bearer ', 'Bearer x', 'Basic Og==', latin1()]);
      break;
    case 5:
      q.headers.connection = 'close';
      break;
    case 6:
      q.headers['accept-encoding'] = pick(r, ['gzip', 'br', 'deflate', '*', 'gzip;q=0, identity;q=0', latin1()]);
      break;
    case 7:
      q.headers['x-mock-delay'] = pick(r, ['5000', '-1', 'x']);
      q.headers['x-mock-error'] = pick(r, ['500', '503:405', 'x']);
      break;
    case 8:
      q.headers.cookie = latin1();
      q.headers['content-language'] = latin1();
      break;
    default:
      q.path += `${q.path.includes('?') ? '&' : '?'}${pick(r, ['a=%', 'redirectUrl=javascript:x', '__proto__[x]=1', `q=${'z'.repeat(int(r, 6000))}`, 'x=%F0%9F'])}`;
  }
}

const TOTAL_WEIGHT = GENERATORS.reduce((s, [w]) => s + w, 0);

/** Every endpoint name the fuzzer covers. */
export const FUZZ_ENDPOINTS = GENERATORS.map(([, n]) => n);

/** Request i of a run: a function of (seed, i) and the material alone. */
export function fuzzRequest(seed: number, i: number, m: Material): FuzzRequest {
  const r = prng(mixSeed(seed, i));
  let x = r() * TOTAL_WEIGHT;
  let gen = GENERATORS[0] as [number, string, Gen];
  for (const g of GENERATORS) {
    x -= g[0];
    if (x < 0) {
      gen = g;
      break;
    }
  }
  const req = gen[2](r, m);
  if (req.headers['content-type'] === '') delete req.headers['content-type'];
  if (chance(r, 0.1)) oddHeaders(r, req);
  if (req.body.length > MAX_BODY) req.body = req.body.subarray(0, MAX_BODY);
  if (chance(r, 0.05)) req.chunked = true;
  return req;
}
