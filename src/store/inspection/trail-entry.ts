// One trail entry as stored (SPEC §17): JSON {at, kind, note?, message}. Every PAN-like digit run in the
// message's strings (and in integers that long) is masked the way the logger masks it (first 6, last 4),
// and no `cardSecurityCode` is kept at any depth (SPEC §3.2: the CVC is never stored). The fields whose
// long digit runs are not card numbers are left as they are only in the shape they have (purchaseDate a
// 14-digit date and time, timestamps numbers of milliseconds): a PAN sent under such a key is masked. A message too
// large for the trail's byte bound is kept as a stub that says how large it was.
import { hasPanRun, maskPans } from '../../logger.js';
import type { TrailKind } from './inspection-types.js';

const CVC_KEY = '"cardSecurityCode":';
/**
 * Keys whose numbers are millisecond timestamps, not card numbers: non-negative integers below 4e12 (the
 * year 2096), which no 13-digit card number (Visa's start with 4) falls under.
 */
const TIMESTAMPS: ReadonlySet<string> = new Set(['at', 'createdAt', 'updatedAt', 'recordedAt']);
/** purchaseDate's format, YYYYMMDDHHMMSS, a 14-digit run that is a date and time rather than a card number. */
const PURCHASE_DATE = /^\d{4}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])([01]\d|2[0-3])[0-5]\d[0-5]\d$/;

/** A value under a key whose long digit runs are not card numbers, in that key's shape. */
function notAPan(k: string, v: unknown): boolean {
  if (TIMESTAMPS.has(k)) return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 4e12;
  return k === 'purchaseDate' && typeof v === 'string' && PURCHASE_DATE.test(v);
}

export interface EncodedEntry {
  json: string;
  bytes: number;
}

function maskValue(k: string, v: unknown): unknown {
  if (k === 'cardSecurityCode') return undefined;
  if (notAPan(k, v)) return v;
  if (typeof v === 'string') return maskPans(v);
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) >= 1e12) {
    const s = String(v);
    const m = maskPans(s);
    return m === s ? v : m;
  }
  return v;
}

/** The message as JSON, masked; the replacer (which walks every key) runs only when the plain text needs it. */
export function maskedJson(message: unknown): string {
  const plain = JSON.stringify(message) ?? 'null';
  if (!hasPanRun(plain) && !plain.includes(CVC_KEY)) return plain;
  return JSON.stringify(message, maskValue) ?? 'null';
}

/** Serializes an entry; never throws (a message that cannot be serialized is kept as a stub). */
export function encodeEntry(at: number, kind: TrailKind, message: unknown, maxBytes: number, note?: string): EncodedEntry {
  let body: string;
  try {
    body = maskedJson(message);
  } catch {
    body = '{"unserializable":true}';
  }
  const head = `{"at":${at},"kind":"${kind}"${note === undefined ? '' : `,"note":${JSON.stringify(maskPans(note))}`}`;
  let json = `${head},"message":${body}}`;
  let bytes = Buffer.byteLength(json);
  if (bytes > maxBytes) {
    json = `${head},"truncated":true,"bytes":${bytes}}`;
    bytes = Buffer.byteLength(json);
  }
  return { json, bytes };
}

/** A stored entry for the admin API: the JSON parsed, with the time also in ISO form. */
export function decodeEntry(json: string): Record<string, unknown> {
  try {
    const e = JSON.parse(json) as Record<string, unknown>;
    const at = typeof e.at === 'number' ? e.at : 0;
    const { at: _at, ...rest } = e;
    return { at, time: new Date(at).toISOString(), ...rest };
  } catch {
    return { unreadable: true };
  }
}
