// The fuzzer's structure-aware mutations of JSON (SPEC §20): a seeded Rng's helpers, nasty strings and
// numbers, field deletions, nulls, type swaps, huge and unicode strings, deep nesting, `__proto__` and
// `constructor` keys, wrong IDs; then breaking the serialized text (truncated, bit-flipped, invalid
// UTF-8, duplicate keys, not JSON at all) and the content types sent with it.
import { randomUUID } from 'node:crypto';
import type { Json, Obj } from './material.js';

export type Rng = () => number;
export const int = (r: Rng, n: number) => Math.floor(r() * n);
export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)] as T;
export const chance = (r: Rng, p: number) => r() < p;

export const NASTY_STRINGS = [
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

export function randomString(r: Rng): string {
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

export function randomValue(r: Rng, depth = 0): Json {
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
export function setOwn(o: Obj, key: string, value: Json): void {
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
export function paths(v: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (out.length > 400) return out;
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) paths(x, [...prefix, i], out);
  } else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

export function getAt(root: Json, p: (string | number)[]): Json | undefined {
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
export function hugeLength(r: Rng): number {
  const x = r();
  return x < 0.7 ? 1024 + int(r, 3072) : x < 0.95 ? 4096 + int(r, 56_000) : 66_000 + int(r, 40_000);
}

/** Serialized bodies above this are cut (the server's limit is 64 KiB: anything past it is a 413 anyway). */
export const MAX_BODY = 160 * 1024;

export function mutateJson(r: Rng, base: Json, ids: readonly string[]): Json {
  let v = structuredClone(base);
  const n = chance(r, 0.15) ? 0 : 1 + int(r, 4);
  for (let k = 0; k < n; k++) v = mutateOnce(r, v, ids);
  return v;
}

/** Flips one bit of a buffer in place. */
export function flipBit(r: Rng, b: Buffer): void {
  if (b.length === 0) return;
  const i = int(r, b.length);
  b[i] = (b[i] as number) ^ (1 << int(r, 8));
}

/** Breaks serialized JSON as text (broken JSON, invalid UTF-8, duplicate keys, not JSON at all). */
export function breakText(r: Rng, text: string): Buffer {
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

export const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/json;charset=UTF-8', 'APPLICATION/JSON'];
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

export function contentType(r: Rng, right: readonly string[]): string {
  return chance(r, 0.9) ? pick(r, right) : pick(r, ODD_TYPES);
}

export function jsonBody(r: Rng, base: Json, ids: readonly string[]): Buffer {
  const v = mutateJson(r, base, ids);
  const text = (JSON.stringify(v) ?? 'null').slice(0, MAX_BODY);
  return chance(r, 0.12) ? breakText(r, text) : Buffer.from(text, 'utf8');
}
