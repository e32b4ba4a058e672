// The fuzzer's mutations of encoded values (SPEC §20): form fields and whole forms broken at the form
// level (bad %-escapes, duplicates, binary), the redirect URLs worth trying, and JWEs bit-flipped,
// truncated, re-headed or forged for /challenge.
import { randomUUID } from 'node:crypto';
import type { Json } from './material.js';
import { breakText, chance, flipBit, hugeLength, int, NASTY_STRINGS, pick, type Rng, randomString } from './mutations.js';

export function formValue(r: Rng, good: string): string {
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
export function formBody(r: Rng, fields: [string, string][]): Buffer {
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

export const FORM_TYPES = ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=UTF-8'];

export const REDIRECTS = [
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

export const b64u = (s: string | Buffer) => Buffer.from(s).toString('base64url');

export function mutateJwe(r: Rng, jwe: string, kids: readonly string[]): string {
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
