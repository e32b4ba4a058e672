// Structure-aware fuzzing of every endpoint (SPEC §8, §20): valid bodies — examples/, the shared
// fixtures, and real transactions opened for the run (browser challenges, frictionless ones, app
// challenges with their JWEs, a completed CRes) — mutated field by field (deletions, nulls, type swaps,
// huge and unicode strings, deep nesting, `__proto__`/`constructor` keys, wrong IDs), then sometimes
// broken as text (truncated, bit-flipped, invalid UTF-8, duplicate keys, not JSON at all); broken forms
// on the ACS form routes; random and bit-flipped JWEs and forged headers on /challenge; wrong content
// types, methods and paths. Request i is generated from (seed, i) alone, so a run is reproducible
// whatever the concurrency. A field sweep comes first: every field of every valid body, in turn, given
// values careless code trips on (no usable toString, a `__proto__` key). Nothing may answer 5xx except the DS-error card's documented 502 (and 503s
// of a deliberate outage, counted apart); no connection may close with a request unanswered.
//
//   node --import tsx scripts/chaos/fuzz.ts --replay FILE --base http://127.0.0.1:8080
// replays the reproductions a run wrote (one JSON request per line) and prints each answer.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TestSdk } from '../../test/helpers/sdk.js';
import { mixSeed, now, prng, quantile, ROOT } from './common.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

export interface FuzzRequest {
  endpoint: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Send without Content-Length (chunked). */
  chunked?: boolean;
}

export interface FuzzFailure {
  i: number;
  endpoint: string;
  status: number;
  error?: string;
  response?: string;
  request: { method: string; path: string; headers: Record<string, string>; bodyBase64: string; chunked?: boolean };
}

export interface FuzzResult {
  /** Every request sent: the field sweep's, then the random ones. */
  requests: number;
  /** Requests of the field sweep. */
  sweepRequests: number;
  elapsedS: number;
  p99ms: number;
  byStatus: Record<string, number>;
  byEndpoint: Record<string, Record<string, number>>;
  /** 5xx other than the documented ones. */
  unexpected5xx: number;
  /** 502 with errorComponent D: the Directory Server error card. */
  documented502: number;
  /** 503s (an outage: none is expected unless one is made on purpose). */
  outage503: number;
  /** Requests whose connection closed (or timed out) without an answer. */
  dropped: number;
  dropKinds: Record<string, number>;
  /** Worker pids that answered (X-Worker-Pid). */
  pids: number[];
  failures: FuzzFailure[];
}

// ——— the material: valid bodies and real transactions ————————————————————————————————————————————

interface Material {
  version: Obj;
  browserAreq: Obj;
  appAreq: Obj;
  netAreq: Obj;
  results: Obj;
  /** Browser challenges opened (authenticate C): IDs and the CReq as sent. */
  open: { id: string; acsTransID: string; dsTransID: string; creq: string; creqJson: Obj }[];
  /** Frictionless (Y) transactions. */
  done: { id: string; acsTransID: string; dsTransID: string }[];
  /** App challenges: IDs and valid CReq JWEs (the first consumed ones become replays). */
  app: { id: string; acsTransID: string; jwes: string[] }[];
  /** CRes of completed browser challenges, base64url. */
  cres: string[];
  pans: string[];
  /** SDK ephemeral public keys (valid P-256 points) for app AReqs. */
  sdkKeys: Obj[];
}

const readJson = (f: string) => JSON.parse(readFileSync(path.join(ROOT, f), 'utf8')) as Obj;

async function post(base: string, p: string, type: string, body: string): Promise<{ status: number; text: string }> {
  const r = await fetch(`${base}${p}`, { method: 'POST', headers: { 'content-type': type }, body, signal: AbortSignal.timeout(15_000) });
  return { status: r.status, text: await r.text() };
}

const CARD_ENDINGS = [
  '4000',
  '4001',
  '4002',
  '4003',
  '4004',
  '4005',
  '4006',
  '4007',
  '4008',
  '4009',
  '4010',
  '4011',
  '4012',
  '4013',
  '4014',
  '1234',
];

/** Opens the real transactions the fuzzer mutates around. */
export async function prepareMaterial(base: string): Promise<Material> {
  const browserAreq = readJson('examples/authenticate-browser.json');
  const fixtures = path.join(ROOT, '..', 'shared', 'fixtures', 'authenticate-browser.json');
  let sharedAreq: Obj | undefined;
  try {
    sharedAreq = JSON.parse(readFileSync(fixtures, 'utf8')) as Obj;
  } catch {
    sharedAreq = undefined;
  }
  const m: Material = {
    version: readJson('examples/version.json'),
    browserAreq: sharedAreq ?? browserAreq,
    appAreq: readJson('examples/authenticate-app.json'),
    netAreq: readJson('examples/netcetera-authentication-browser.json'),
    results: readJson('examples/results.json'),
    open: [],
    done: [],
    app: [],
    cres: [],
    sdkKeys: [],
    pans: [
      ...CARD_ENDINGS.map((e) => `400040004000${e}`),
      '5200000000004001',
      '340000000004000',
      '6011000000004001',
      '3528000000004002',
      '6200000000004005',
      '1234567890123',
    ],
  };
  const authenticate = async (pan: string, extra: Obj = {}) => {
    const id = randomUUID();
    const body = {
      ...browserAreq,
      ...extra,
      threeDSServerTransID: id,
      cardholderAccount: { ...(browserAreq.cardholderAccount as Obj), acctNumber: pan },
    };
    const r = await post(base, '/3ds/authenticate', 'application/json', JSON.stringify(body));
    if (r.status !== 200) throw new Error(`fuzz material: authenticate ${pan} answered ${r.status}: ${r.text.slice(0, 200)}`);
    return JSON.parse(r.text) as Obj & { authenticationResponse: Obj; challengeRequest?: Obj; base64EncodedChallengeRequest?: string };
  };
  for (let k = 0; k < 12; k++) {
    const a = await authenticate('4000400040004001');
    const ares = a.authenticationResponse;
    m.open.push({
      id: a.threeDSServerTransID as string,
      acsTransID: ares.acsTransID as string,
      dsTransID: ares.dsTransID as string,
      creq: a.base64EncodedChallengeRequest as string,
      creqJson: a.challengeRequest as Obj,
    });
  }
  for (let k = 0; k < 4; k++) {
    const a = await authenticate('4000400040004000');
    const ares = a.authenticationResponse;
    m.done.push({ id: a.threeDSServerTransID as string, acsTransID: ares.acsTransID as string, dsTransID: ares.dsTransID as string });
  }
  // Two browser challenges completed for their CRes.
  for (let k = 0; k < 2; k++) {
    const a = await authenticate('4000400040004001');
    const id = a.threeDSServerTransID as string;
    await post(
      base,
      '/processor/mock/acs/trigger-otp',
      'application/x-www-form-urlencoded',
      new URLSearchParams({ creq: a.base64EncodedChallengeRequest as string }).toString(),
    );
    const page = await post(
      base,
      '/processor/mock/acs/verify-otp',
      'application/x-www-form-urlencoded',
      new URLSearchParams({ threeDSServerTransID: id, challengeDataEntry: '1234' }).toString(),
    );
    const cres = /name="cres" value="([^"]+)"/.exec(page.text)?.[1];
    if (cres) m.cres.push(cres);
  }
  // App challenges: the SDK's key in the AReq, then valid CReq JWEs for the counters that follow.
  for (let k = 0; k < 6; k++) {
    const sdk = new TestSdk({ enc: k % 2 === 0 ? 'A128CBC-HS256' : 'A128GCM' });
    m.sdkKeys.push({ ...sdk.ephemPubKey });
    const body = { ...m.appAreq, threeDSServerTransID: randomUUID(), sdkTransID: sdk.sdkTransID, sdkInformation: sdk.sdkInformation() };
    const r = await post(base, '/3ds/authenticate', 'application/json', JSON.stringify(body));
    if (r.status !== 200) throw new Error(`fuzz material: app authenticate answered ${r.status}: ${r.text.slice(0, 200)}`);
    const ares = (JSON.parse(r.text) as Obj).authenticationResponse as Obj;
    await sdk.startChallenge({
      acsSignedContent: ares.acsSignedContent as string,
      acsTransID: ares.acsTransID as string,
      threeDSServerTransID: ares.threeDSServerTransID as string,
      messageVersion: ares.messageVersion as string,
    });
    const jwes = [
      await sdk.nextCReq({}),
      await sdk.nextCReq({ challengeDataEntry: '1234' }),
      await sdk.nextCReq({ challengeCancel: '01' }),
    ];
    jwes.push(await sdk.nextCReq({ resendChallenge: 'Y' }), await sdk.nextCReq({ challengeDataEntry: '0000' }));
    m.app.push({ id: ares.threeDSServerTransID as string, acsTransID: ares.acsTransID as string, jwes });
  }
  return m;
}

// ——— mutations ——————————————————————————————————————————————————————————————————————————————

type Rng = () => number;
const int = (r: Rng, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)] as T;
const chance = (r: Rng, p: number) => r() < p;

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '🙂🙃💳',
  '\u202eRTL',
  'e\u0301\u0301\u0301',
  '\ufeff',
  '\u2028\u2029',
  '\u200b\u200c\u200d',
  '４０００４０００４０００４００１',
  '٤٠٠٠٤٠٠٠٤٠٠٠٤٠٠١',
  'İıſK',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'; DROP TABLE x; --",
  '$' + '{7*7}{{7*7}}<%= 7*7 %>',
  '../../../../etc/passwd',
  '%00%0d%0a',
  'javascript:alert(1)',
  'a\r\nSet-Cookie: x=1',
  'null',
  'undefined',
  'NaN',
  '-0',
  '1e309',
  '0x10',
  '  12',
  '999999999999999999999999999999',
  'ÿþ',
  'Ω≈ç√∫',
  '𝕏𝕐ℤ',
  'ＡＢＣ',
  '\t\n\r\v\f',
];

const NUMBERS: Json[] = [0, -1, 1, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, 5e-324, 0.1, 12.5, -0, 4000400040004001, 1e20];

function randomString(r: Rng): string {
  switch (int(r, 5)) {
    case 0:
      return pick(r, NASTY_STRINGS);
    case 1:
      return pick(r, NASTY_STRINGS).repeat(1 + int(r, 200));
    case 2:
      return randomUUID();
    case 3:
      return Array.from({ length: 1 + int(r, 40) }, () => String.fromCharCode(int(r, 0x3000))).join('');
    default:
      return Array.from({ length: 1 + int(r, 20) }, () => String.fromCharCode(32 + int(r, 95))).join('');
  }
}

function randomValue(r: Rng, depth = 0): Json {
  switch (int(r, depth > 2 ? 5 : 7)) {
    case 0:
      return null;
    case 1:
      return chance(r, 0.5);
    case 2:
      return pick(r, NUMBERS);
    case 3:
    case 4:
      return randomString(r);
    case 5:
      return Array.from({ length: int(r, 4) }, () => randomValue(r, depth + 1));
    default: {
      const o: Obj = {};
      for (let k = int(r, 4); k > 0; k--) o[randomString(r).slice(0, 20) || 'k'] = randomValue(r, depth + 1);
      return o;
    }
  }
}

/** Sets an own enumerable property, `__proto__` included (JSON.stringify then writes it as a key). */
function setOwn(o: Obj, key: string, value: Json): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function nest(r: Rng, v: Json, depth: number): Json {
  let out = v;
  for (let d = 0; d < depth; d++) out = chance(r, 0.5) ? [out] : { n: out };
  return out;
}

const POISON_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  'toJSON',
  'then',
];

function poisonValue(r: Rng): Json {
  switch (int(r, 5)) {
    case 0:
      return { polluted: true, isAdmin: true, transStatus: 'Y' };
    case 1:
      return { prototype: { polluted: true, toString: 'x' } };
    case 2:
      return 'x';
    case 3:
      return null;
    default:
      return [1, 2, 3];
  }
}

/** Every path to a node of a JSON value (the root is []). */
function paths(v: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (out.length > 400) return out;
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) paths(x, [...prefix, i], out);
  } else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

function getAt(root: Json, p: (string | number)[]): Json | undefined {
  let cur: Json | undefined = root;
  for (const k of p) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, Json>)[k];
  }
  return cur;
}

/** Applies one structure-aware mutation to a clone's node; `ids` are IDs worth swapping in. */
function mutateOnce(r: Rng, root: Json, ids: readonly string[]): Json {
  const all = paths(root);
  const p = pick(r, all);
  const parent = p.length === 0 ? undefined : (getAt(root, p.slice(0, -1)) as Obj | Json[]);
  const key = p[p.length - 1];
  const cur = getAt(root, p);
  const set = (v: Json): Json => {
    if (parent === undefined) return v;
    if (Array.isArray(parent)) parent[key as number] = v;
    else setOwn(parent as Obj, key as string, v);
    return root;
  };
  const container = (cur !== null && typeof cur === 'object' ? cur : parent) as Obj | Json[] | undefined;
  switch (int(r, 14)) {
    case 0:
      if (parent && !Array.isArray(parent)) {
        delete (parent as Obj)[key as string];
        return root;
      }
      return set(null);
    case 1:
      return set(null);
    case 2:
      return set(pick(r, NUMBERS));
    case 3:
      return set(chance(r, 0.5));
    case 4:
      return set(typeof cur === 'number' ? String(cur) : randomString(r));
    case 5:
      return set(chance(r, 0.5) ? [] : [cur ?? null, randomValue(r)]);
    case 6:
      return set(chance(r, 0.5) ? {} : { value: cur ?? null });
    case 7:
      // Huge: mostly a few KiB, sometimes tens, now and then past the 64 KiB body limit.
      return set(pick(r, ['9', 'é', '🙂', 'a"\\']).repeat(hugeLength(r)));
    case 8:
      return set(pick(r, NASTY_STRINGS));
    case 9:
      return set(nest(r, cur ?? 1, 1 + int(r, chance(r, 0.5) ? 20 : 60)));
    case 10:
      if (container && !Array.isArray(container)) {
        setOwn(container as Obj, pick(r, POISON_KEYS), poisonValue(r));
        return root;
      }
      {
        const o: Obj = {};
        setOwn(o, '__proto__', poisonValue(r));
        return set(o);
      }
    case 11:
      if (container && !Array.isArray(container)) {
        setOwn(container as Obj, randomString(r).slice(0, 40) || 'x', randomValue(r));
        return root;
      }
      return set(randomValue(r));
    case 12:
      return set(
        chance(r, 0.8) ? pick(r, ids) : pick(r, [randomUUID().toUpperCase(), 'not-a-uuid', randomUUID().slice(0, 35), ` ${randomUUID()}`]),
      );
    default:
      // A long array of small items (never of a huge one: the body would explode).
      return set(
        Array.isArray(cur) && cur.length > 0 && (JSON.stringify(cur[0]) ?? '').length < 64
          ? Array.from({ length: 200 + int(r, 2000) }, () => cur[0] as Json)
          : randomValue(r),
      );
  }
}

/** Length of a huge string: 1–4 KiB mostly, up to 60 KiB sometimes, past the 64 KiB limit now and then. */
function hugeLength(r: Rng): number {
  const x = r();
  return x < 0.7 ? 1024 + int(r, 3072) : x < 0.95 ? 4096 + int(r, 56_000) : 66_000 + int(r, 40_000);
}

/** Serialized bodies above this are cut (the server's limit is 64 KiB: anything past it is a 413 anyway). */
const MAX_BODY = 160 * 1024;

function mutateJson(r: Rng, base: Json, ids: readonly string[]): Json {
  let v = structuredClone(base);
  const n = chance(r, 0.15) ? 0 : 1 + int(r, 4);
  for (let k = 0; k < n; k++) v = mutateOnce(r, v, ids);
  return v;
}

/** Flips one bit of a buffer in place. */
function flipBit(r: Rng, b: Buffer): void {
  if (b.length === 0) return;
  const i = int(r, b.length);
  b[i] = (b[i] as number) ^ (1 << int(r, 8));
}

/** Breaks serialized JSON as text (broken JSON, invalid UTF-8, duplicate keys, not JSON at all). */
function breakText(r: Rng, text: string): Buffer {
  const b = Buffer.from(text, 'utf8');
  switch (int(r, 12)) {
    case 0:
      return b.subarray(0, int(r, b.length));
    case 1: {
      const c = Buffer.from(b);
      flipBit(r, c);
      return c;
    }
    case 2: {
      const at = int(r, b.length + 1);
      return Buffer.concat([b.subarray(0, at), Buffer.from([pick(r, [0xff, 0xfe, 0xc0, 0x80, 0xed, 0x00])]), b.subarray(at)]);
    }
    case 3:
      return Buffer.from(text.replace('{', '{"threeDSServerTransID":"dup","messageType":"AReq",'), 'utf8');
    case 4:
      return Buffer.from(`${text}${pick(r, ['}', ']', ',', 'garbage', '\u0000', '{}'])}`, 'utf8');
    case 5:
      return Buffer.from(`\ufeff${text}`, 'utf8');
    case 6:
      return Buffer.from(
        pick(r, [
          '',
          'null',
          '[]',
          '"x"',
          '1',
          'true',
          '{',
          '}',
          '[',
          '{"a":}',
          '{"a" 1}',
          "{'a':1}",
          '{a:1}',
          'NaN',
          '{"a":Infinity}',
          '{"a":-}',
        ]),
        'utf8',
      );
    case 7:
      return Buffer.from(text.replace(/: ?(\d+)/, ': NaN'), 'utf8');
    case 8:
      return Buffer.from(`${' '.repeat(int(r, 4000))}${text}${'\n'.repeat(int(r, 100))}`, 'utf8');
    case 9:
      return Buffer.from(`[${text}]`, 'utf8');
    case 10:
      return Buffer.from(text.replace(/"/g, pick(r, ["'", '\\"', '""', '“'])), 'utf8');
    default:
      return Buffer.from(Array.from({ length: int(r, 300) }, () => int(r, 256)));
  }
}

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/json;charset=UTF-8', 'APPLICATION/JSON'];
const ODD_TYPES = [
  '',
  'text/plain',
  'application/json; charset=utf-16',
  'application/x-www-form-urlencoded',
  'application/jose',
  'multipart/form-data; boundary=xyz',
  'application/json, text/plain',
  '*/*',
  'application/problem+json',
  'text/html',
  'application/json; charset=nonsense',
  'application/octet-stream',
];

function contentType(r: Rng, right: readonly string[]): string {
  return chance(r, 0.9) ? pick(r, right) : pick(r, ODD_TYPES);
}

function jsonBody(r: Rng, base: Json, ids: readonly string[]): Buffer {
  const v = mutateJson(r, base, ids);
  const text = (JSON.stringify(v) ?? 'null').slice(0, MAX_BODY);
  return chance(r, 0.12) ? breakText(r, text) : Buffer.from(text, 'utf8');
}

// ——— forms ——————————————————————————————————————————————————————————————————————————————————

function formValue(r: Rng, good: string): string {
  switch (int(r, 10)) {
    case 0:
    case 1:
    case 2:
      return good;
    case 3:
      return randomString(r);
    case 4:
      return good.slice(0, int(r, good.length + 1));
    case 5: {
      const c = good.split('');
      if (c.length > 0) c[int(r, c.length)] = pick(r, ['+', '/', '=', '%', '-', '_', ' ', '\u00e9', '\u0000']);
      return c.join('');
    }
    case 6:
      return `${good}${'='.repeat(1 + int(r, 3))}`;
    case 7:
      return 'A'.repeat(hugeLength(r));
    case 8:
      return good.replace(/.{1,8}/g, (m) => `${m}\n`);
    default:
      return pick(r, NASTY_STRINGS);
  }
}

/** A form from fields, then broken at the form level sometimes (bad %-escapes, duplicates, binary). */
function formBody(r: Rng, fields: [string, string][]): Buffer {
  const kept = fields.filter(() => chance(r, 0.9));
  if (chance(r, 0.25))
    kept.push([
      pick(r, [
        '__proto__',
        'constructor[prototype][x]',
        '__proto__[polluted]',
        'select-__proto__',
        'action',
        'otp',
        'creq',
        'x'.repeat(300),
      ]),
      randomString(r),
    ]);
  if (chance(r, 0.15) && kept.length > 0) kept.push(pick(r, kept) as [string, string]);
  let text = new URLSearchParams(kept).toString();
  switch (chance(r, 0.2) ? int(r, 8) : -1) {
    case 0:
      text += '&%zz=%';
      break;
    case 1:
      text = text.replace(/%[0-9A-F]{2}/, '%G');
      break;
    case 2:
      text = `&&&=&${text}&=x&a=b=c`;
      break;
    case 3:
      text += `&${'%u1234'.repeat(int(r, 50))}`;
      break;
    case 4:
      return Buffer.concat([Buffer.from(text), Buffer.from(Array.from({ length: int(r, 200) }, () => int(r, 256)))]);
    case 5:
      text = text.replace(/=/g, '');
      break;
    case 6:
      text = text.replace(/&/g, ';');
      break;
    case 7:
      text = `${text}&${'k=v&'.repeat(2000)}`;
      break;
  }
  return Buffer.from(text, 'latin1');
}

const FORM_TYPES = ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=UTF-8'];

const REDIRECTS = [
  'http://127.0.0.1:9901/3ds/return',
  'https://evil.example/',
  '//evil.example/x',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'http://127.0.0.1:9901@evil.example/',
  'http://[::1]:9901/',
  'x'.repeat(5000),
  '',
  '%0d%0aSet-Cookie:x=1',
];

// ——— JWE ————————————————————————————————————————————————————————————————————————————————————

const b64u = (s: string | Buffer) => Buffer.from(s).toString('base64url');

function mutateJwe(r: Rng, jwe: string, kids: readonly string[]): string {
  const parts = jwe.split('.');
  switch (int(r, 11)) {
    case 0:
      return jwe;
    case 1:
    case 2: {
      // Bit flip inside one decoded segment.
      const k = int(r, parts.length);
      const raw = Buffer.from(parts[k] ?? '', 'base64url');
      flipBit(r, raw);
      parts[k] = raw.toString('base64url');
      return parts.join('.');
    }
    case 3: {
      const c = jwe.split('');
      c[int(r, c.length)] = pick(r, ['A', '.', '=', '+', '/', '~', ' ']);
      return c.join('');
    }
    case 4:
      return parts.slice(0, int(r, 5)).join('.');
    case 5:
      return [...parts, ...parts.slice(0, 1 + int(r, 2))].join('.');
    case 6: {
      const header = pick<Json>(r, [
        { alg: 'dir', enc: 'A128CBC-HS256', kid: pick(r, kids) },
        { alg: 'dir', enc: 'A128GCM', kid: pick(r, kids) },
        { alg: 'none', enc: 'A128GCM', kid: pick(r, kids) },
        { alg: 'RSA-OAEP', enc: 'A256GCM', kid: pick(r, kids) },
        { alg: 'dir', enc: 'A128CBC-HS256', kid: randomUUID() },
        { alg: 'dir', enc: 'A128CBC-HS256', kid: 12 },
        { alg: 'dir', enc: 'A128CBC-HS256', kid: 'k'.repeat(5000) },
        { alg: 'dir', enc: 'A128CBC-HS256' },
        { alg: 'dir', enc: 'A128CBC-HS256', kid: { __proto__: 1 } as unknown as Json },
        { alg: 'dir', enc: 'A128CBC-HS256', kid: pick(r, kids), zip: 'DEF' },
        { alg: 'dir', enc: 'A128CBC-HS256', kid: pick(r, kids), crit: ['exp'] },
        [],
        'header',
      ]);
      parts[0] = chance(r, 0.8) ? b64u(JSON.stringify(header)) : b64u(breakText(r, JSON.stringify(header)));
      return parts.join('.');
    }
    case 7:
      return Array.from({ length: 5 }, () => b64u(Buffer.from(Array.from({ length: int(r, 64) }, () => int(r, 256))))).join('.');
    case 8:
      return [parts[0], '', parts[2] ?? '', parts[3] ?? '', ''].join('.');
    case 9:
      return randomString(r);
    default: {
      // Another transaction's header on this body: decrypts with the wrong key.
      parts[0] = b64u(JSON.stringify({ alg: 'dir', enc: 'A128CBC-HS256', kid: pick(r, kids) }));
      return parts.join('.');
    }
  }
}

// ——— requests by endpoint ——————————————————————————————————————————————————————————————————

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

const GENERATORS: [number, string, Gen][] = [
  [8, 'version', (r, m) => json('version', '/3ds/version', r, { ...m.version, cardNumber: pick(r, m.pans) }, idsOf(m))],
  [
    14,
    'authenticate (browser)',
    (r, m) =>
      json(
        'authenticate (browser)',
        '/3ds/authenticate',
        r,
        withCard(r, m.browserAreq, m, chance(r, 0.7) ? randomUUID() : pick(r, idsOf(m))),
        idsOf(m),
      ),
  ],
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
      const asJson = chance(r, 0.08);
      return {
        endpoint: 'trigger-otp',
        method: 'POST',
        path: `/processor/mock/acs/trigger-otp${q}`,
        headers: { 'content-type': asJson ? pick(r, JSON_TYPES) : contentType(r, FORM_TYPES) },
        body: asJson ? jsonBody(r, Object.fromEntries(fields), idsOf(m)) : formBody(r, fields),
      };
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
      const asJson = chance(r, 0.08);
      return {
        endpoint: 'verify-otp',
        method: 'POST',
        path: `/processor/mock/acs/verify-otp${q}`,
        headers: { 'content-type': asJson ? pick(r, JSON_TYPES) : contentType(r, FORM_TYPES) },
        body: asJson ? jsonBody(r, Object.fromEntries(fields), idsOf(m)) : formBody(r, fields),
      };
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
  [
    6,
    'netcetera authentication',
    (r, m) =>
      json(
        'netcetera authentication',
        '/3ds/authentication',
        r,
        withCard(r, m.netAreq, m, chance(r, 0.8) ? randomUUID() : pick(r, idsOf(m))),
        idsOf(m),
      ),
  ],
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

// ——— the field sweep: every field of every valid body, in turn, made a poisoned value —————————————————

/** Values that break careless code: no usable toString/valueOf, a prototype-setting key, wrong shapes. */
function poisons(): Json[] {
  const protoNull: Obj = {};
  setOwn(protoNull, '__proto__', null);
  const protoObj: Obj = {};
  setOwn(protoObj, '__proto__', { toString: null, transStatus: 'Y' });
  return [{ toString: null }, { toString: null, valueOf: null }, protoNull, protoObj, [[]], {}];
}

function setPath(root: Json, p: (string | number)[], v: Json): Json {
  if (p.length === 0) return v;
  const parent = getAt(root, p.slice(0, -1)) as Obj | Json[];
  const key = p[p.length - 1] as string | number;
  if (Array.isArray(parent)) parent[key as number] = v;
  else setOwn(parent, key as string, v);
  return root;
}

/**
 * Every field of every JSON body (and of the JSON forms of the ACS routes), in turn, replaced by each
 * poisoned value, and a `__proto__` key added to every object: a few thousand requests, the same every
 * run but for the fresh transaction IDs authenticate needs.
 */
export function sweepRequests(m: Material): FuzzRequest[] {
  const o = m.open[0];
  const d = m.done[0];
  const app = m.app[0];
  const fresh = (body: Obj): Obj => {
    const b = structuredClone(body);
    b.threeDSServerTransID = randomUUID();
    if (b.sdkTransID !== undefined) {
      const sdkTransID = randomUUID();
      b.sdkTransID = sdkTransID;
      b.sdkInformation = { ...(b.sdkInformation as Obj), sdkTransID, sdkEphemPubKey: structuredClone(m.sdkKeys[0] ?? null) };
    }
    return b;
  };
  const bases: { endpoint: string; path: string; body: Obj; fresh?: boolean }[] = [
    { endpoint: 'version', path: '/3ds/version', body: m.version },
    { endpoint: 'authenticate (browser)', path: '/3ds/authenticate', body: m.browserAreq, fresh: true },
    { endpoint: 'authenticate (app)', path: '/3ds/authenticate', body: m.appAreq, fresh: true },
    { endpoint: 'netcetera authentication', path: '/3ds/authentication', body: m.netAreq, fresh: true },
    { endpoint: 'netcetera versioning', path: '/3ds/versioning', body: { cardholderAccountNumber: '4000400040004001', schemeId: 'Visa' } },
    { endpoint: 'netcetera challenge-response', path: '/3ds/challenge-response', body: { base64EncodedCRes: m.cres[0] ?? '' } },
    ...(o && d
      ? [
          {
            endpoint: 'results',
            path: '/3ds/results',
            body: { ...m.results, threeDSServerTransID: d.id, acsTransID: d.acsTransID, dsTransID: d.dsTransID },
          },
          { endpoint: 'final', path: '/3ds/final', body: { threeDSServerTransID: d.id } },
          { endpoint: 'trigger-otp', path: '/processor/mock/acs/trigger-otp', body: { creq: o.creqJson, threeDSSessionData: 'order-42' } },
          {
            endpoint: 'verify-otp',
            path: '/processor/mock/acs/verify-otp',
            body: { threeDSServerTransID: o.id, challengeDataEntry: '0000', action: 'submit' },
          },
        ]
      : []),
    ...(app
      ? [
          {
            endpoint: 'challenge (JWE)',
            path: '/challenge',
            body: {
              messageType: 'Erro',
              messageVersion: '2.2.0',
              errorCode: '203',
              errorComponent: 'C',
              errorDescription: 'x',
              errorDetail: 'x',
              threeDSServerTransID: app.id,
              acsTransID: app.acsTransID,
            },
          },
        ]
      : []),
  ];
  const out: FuzzRequest[] = [];
  const withBody = (b: (typeof bases)[number], body: Json) =>
    out.push({
      endpoint: `sweep: ${b.endpoint}`,
      method: 'POST',
      path: b.path,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(body), 'utf8'),
    });
  for (const b of bases) {
    for (const p of paths(b.body).slice(1)) {
      for (const v of poisons()) withBody(b, setPath(b.fresh ? fresh(b.body) : structuredClone(b.body), p, v));
    }
    for (const p of paths(b.body)) {
      const body = b.fresh ? fresh(b.body) : structuredClone(b.body);
      const at = getAt(body, p);
      if (at === null || typeof at !== 'object' || Array.isArray(at)) continue;
      for (const v of [null, 'x', { toString: null }] as Json[]) {
        const copy = structuredClone(body);
        setOwn(getAt(copy, p) as Obj, '__proto__', v);
        withBody(b, copy);
      }
    }
  }
  return out;
}

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

// ——— running ——————————————————————————————————————————————————————————————————————————————————

interface Sent {
  status: number;
  error?: string;
  pid: number;
  head: string;
  component?: string;
}

function sendOne(agent: http.Agent, base: URL, q: FuzzRequest, timeoutMs: number): Promise<Sent> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (s: Sent) => {
      if (!done) {
        done = true;
        resolve(s);
      }
    };
    const headers: Record<string, string | number> = { ...q.headers };
    if (!q.chunked && q.method !== 'GET' && q.method !== 'HEAD') headers['content-length'] = q.body.length;
    let req: http.ClientRequest;
    try {
      req = http.request({ agent, host: base.hostname, port: base.port, method: q.method, path: q.path, headers }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < 4096) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let component: string | undefined;
          if ((res.statusCode ?? 0) >= 500) {
            try {
              component = (JSON.parse(text) as { errorDetails?: { errorComponent?: string } }).errorDetails?.errorComponent;
            } catch {
              component = undefined;
            }
          }
          finish({
            status: res.statusCode ?? 0,
            pid: Number(res.headers['x-worker-pid'] ?? 0),
            head: text.slice(0, 400),
            ...(component !== undefined && { component }),
          });
        });
        res.on('error', (err: NodeJS.ErrnoException) => finish({ status: 0, error: err.code ?? err.message, pid: 0, head: '' }));
      });
    } catch (err) {
      // The client refused to build the request (a header it will not send): not the server's doing.
      return finish({ status: -1, error: (err as Error).message, pid: 0, head: '' });
    }
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'CHAOS_TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => finish({ status: 0, error: err.code ?? err.message, pid: 0, head: '' }));
    if (q.method === 'GET' || q.method === 'HEAD') req.end();
    else req.end(q.body);
  });
}

export interface FuzzOptions {
  base: string;
  seed: number;
  requests: number;
  concurrency?: number;
  /** Stop early after this long (the result says how many were sent). */
  maxSeconds?: number;
  timeoutMs?: number;
  material?: Material;
  /** Run the field sweep (sweepRequests) before the random requests (default true). */
  sweep?: boolean;
  progress?: (done: number) => void;
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzResult> {
  const base = new URL(opts.base);
  const m = opts.material ?? (await prepareMaterial(opts.base));
  const concurrency = opts.concurrency ?? 16;
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const out: FuzzResult = {
    requests: 0,
    sweepRequests: 0,
    elapsedS: 0,
    p99ms: 0,
    byStatus: {},
    byEndpoint: {},
    unexpected5xx: 0,
    documented502: 0,
    outage503: 0,
    dropped: 0,
    dropKinds: {},
    pids: [],
    failures: [],
  };
  const pids = new Set<number>();
  const lat: number[] = [];
  const t0 = now();
  const deadline = t0 + (opts.maxSeconds ?? 3600) * 1000;
  const sweep = opts.sweep === false ? [] : sweepRequests(m);
  out.sweepRequests = sweep.length;
  const total = sweep.length + opts.requests;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total && now() < deadline) {
        const i = next++;
        const q = i < sweep.length ? (sweep[i] as FuzzRequest) : fuzzRequest(opts.seed, i - sweep.length, m);
        const s0 = now();
        const s = await sendOne(agent, base, q, opts.timeoutMs ?? 15_000);
        if (s.status === -1) continue;
        lat.push(now() - s0);
        out.requests++;
        if (out.requests % 10_000 === 0) opts.progress?.(out.requests);
        if (s.pid) pids.add(s.pid);
        const key = s.status === 0 ? `no answer (${s.error})` : String(s.status);
        out.byStatus[key] = (out.byStatus[key] ?? 0) + 1;
        const ep = out.byEndpoint[q.endpoint] ?? {};
        out.byEndpoint[q.endpoint] = ep;
        ep[key] = (ep[key] ?? 0) + 1;
        let bad = false;
        if (s.status === 0) {
          out.dropped++;
          out.dropKinds[s.error ?? '?'] = (out.dropKinds[s.error ?? '?'] ?? 0) + 1;
          bad = true;
        } else if (s.status === 502 && s.component === 'D') out.documented502++;
        else if (s.status === 503) out.outage503++;
        else if (s.status >= 500) {
          out.unexpected5xx++;
          bad = true;
        }
        if (bad && out.failures.length < 50) {
          out.failures.push({
            i,
            endpoint: q.endpoint,
            status: s.status,
            ...(s.error !== undefined && { error: s.error }),
            response: s.head,
            request: {
              method: q.method,
              path: q.path,
              headers: q.headers,
              bodyBase64: q.body.toString('base64'),
              ...(q.chunked && { chunked: true }),
            },
          });
        }
      }
    }),
  );
  agent.destroy();
  out.elapsedS = (now() - t0) / 1000;
  out.p99ms = quantile(lat, 0.99);
  out.pids = [...pids].sort((a, b) => a - b);
  return out;
}

// ——— replay of written reproductions ——————————————————————————————————————————————————————————

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { replay: { type: 'string' }, base: { type: 'string', default: 'http://127.0.0.1:8080' } },
    strict: true,
  });
  if (!values.replay) {
    process.stderr.write('usage: node --import tsx scripts/chaos/fuzz.ts --replay FILE [--base URL]\n');
    process.exit(2);
  }
  const agent = new http.Agent({ keepAlive: false });
  const base = new URL(values.base as string);
  for (const line of readFileSync(values.replay, 'utf8').split('\n').filter(Boolean)) {
    const f = JSON.parse(line) as FuzzFailure;
    const q: FuzzRequest = {
      endpoint: f.endpoint,
      method: f.request.method,
      path: f.request.path,
      headers: f.request.headers,
      body: Buffer.from(f.request.bodyBase64, 'base64'),
      ...(f.request.chunked && { chunked: true }),
    };
    const s = await sendOne(agent, base, q, 15_000);
    process.stdout.write(`#${f.i} ${q.method} ${q.path.slice(0, 80)} → ${s.status || s.error} ${s.head.slice(0, 200)}\n`);
  }
}
