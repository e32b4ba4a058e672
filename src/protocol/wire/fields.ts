// Lenient field readers shared by the request parsers (SPEC §3.2): numeric strings may come as numbers,
// blocks may be absent, and every refusal names the element (201 missing, 203 invalid). The checks every
// message repeats (its messageType, its transaction ID, a version's format) are made here, once.
import { AppError, type ErrorIds } from '../../errors.js';
import { isUuid } from './encoding.js';

export type Json = Record<string, unknown>;

export interface FieldContext {
  ids: ErrorIds;
  messageType: string;
  messageVersion?: string;
}

export function missing(ctx: FieldContext, name: string, why = 'is required'): AppError {
  return new AppError('REQUIRED_ELEMENT_MISSING', `${name}: ${why}`, ctx.ids, {
    errorMessageType: ctx.messageType,
    ...(ctx.messageVersion && { messageVersion: ctx.messageVersion }),
  });
}

export function invalid(ctx: FieldContext, name: string, why: string): AppError {
  return new AppError('INVALID_FORMAT', `${name}: ${why}`, ctx.ids, {
    errorMessageType: ctx.messageType,
    ...(ctx.messageVersion && { messageVersion: ctx.messageVersion }),
  });
}

/**
 * A client's value as text for a message or a lookup, without calling anything the client controls: an
 * object parsed from JSON may carry `toString: null` or a `__proto__` key, and String() of it throws.
 */
export function shown(v: unknown, max = 20): string {
  if (typeof v === 'string') return v.slice(0, max);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v).slice(0, max);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/**
 * messageType, when sent, must name the message `ctx` reads (Erro 101 otherwise); when `required`, it
 * must be sent (201).
 */
export function checkMessageType(ctx: FieldContext, v: unknown, required = false): void {
  if (v === ctx.messageType || (v === undefined && !required)) return;
  if (required && (v === undefined || v === null || v === '')) throw missing(ctx, 'messageType');
  throw new AppError('MESSAGE_NOT_RECOGNISED', `messageType: expected ${ctx.messageType}, got ${shown(v)}`, ctx.ids, {
    errorMessageType: ctx.messageType,
  });
}

/** A required UUID element (threeDSServerTransID, acsTransID, sdkTransID): 201 when absent, 203 when not a UUID. */
export function uuid(ctx: FieldContext, v: unknown, name: string, why?: string): string {
  if (v === undefined || v === null || v === '') throw missing(ctx, name, why);
  if (!isUuid(v)) throw invalid(ctx, name, 'must be a UUID (36 characters)');
  return v;
}

/** The threeDSServerTransID a message must carry; from here on, refusals name it. */
export function transactionId(ctx: FieldContext, v: unknown): string {
  const id = uuid(ctx, v, 'threeDSServerTransID');
  ctx.ids = { ...ctx.ids, threeDSServerTransID: id };
  return id;
}

const VERSION_RE = /^[0-9]+\.[0-9]+\.[0-9]+$/;

/** A message version as EMV writes them: three dotted numbers ("2.2.0"). */
export function isMessageVersion(v: unknown): v is string {
  return typeof v === 'string' && VERSION_RE.test(v);
}

/** The request body as an object, or Erro 101. */
export function bodyObject(body: unknown, messageType: string): Json {
  if (body && typeof body === 'object' && !Array.isArray(body)) return body as Json;
  throw new AppError('MESSAGE_NOT_RECOGNISED', 'the body must be a JSON object', {}, { errorMessageType: messageType });
}

/** An optional block: absent is fine, anything but an object is 203. */
export function block(ctx: FieldContext, body: Json, name: string): Json | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object' && !Array.isArray(v)) return v as Json;
  throw invalid(ctx, name, 'must be an object');
}

/** A string element; numbers are accepted and turned into their decimal text. */
export function text(ctx: FieldContext, v: unknown, name: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw invalid(ctx, name, 'must be a string');
}

/** A numeric-string element (EMV "N"), as a string; numbers must be integers. */
export function numeric(ctx: FieldContext, v: unknown, name: string, maxDigits: number, signed = false): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  let s: string;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw invalid(ctx, name, 'must be an integer');
    s = String(v);
  } else if (typeof v === 'string') s = v.trim();
  else throw invalid(ctx, name, 'must be numeric');
  const re = signed ? /^[+-]?[0-9]+$/ : /^[0-9]+$/;
  if (!re.test(s) || s.replace(/^[+-]/, '').length > maxDigits) throw invalid(ctx, name, `must be numeric, at most ${maxDigits} digits`);
  return s;
}

/** A two-digit code ("01"); numbers and one-digit strings are padded. */
export function code2(ctx: FieldContext, v: unknown, name: string, allowed?: readonly string[]): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const s = typeof v === 'number' && Number.isInteger(v) ? String(v) : typeof v === 'string' ? v.trim() : undefined;
  if (s === undefined || !/^[0-9]{1,2}$/.test(s)) throw invalid(ctx, name, 'must be a two-digit code');
  const c = s.padStart(2, '0');
  if (allowed && !allowed.includes(c)) throw invalid(ctx, name, `must be one of ${allowed.join(', ')}`);
  return c;
}

/** messageCategory: 01 (PA), 02 (NPA) or a DS-specific 80–99; any other value is Erro 203 (SPEC §15). */
export function messageCategory(ctx: FieldContext, v: unknown): string | undefined {
  const c = code2(ctx, v, 'messageCategory');
  if (c === undefined || c === '01' || c === '02' || (c >= '80' && c <= '99')) return c;
  throw invalid(ctx, 'messageCategory', 'must be 01 (PA), 02 (NPA) or 80–99 (DS-specific)');
}

export function flag(ctx: FieldContext, v: unknown, name: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'Y') return true;
  if (v === 'false' || v === 'N') return false;
  throw invalid(ctx, name, 'must be true or false');
}

/** A PAN: 13–19 digits, as a string or a number that holds all its digits. */
export function pan(ctx: FieldContext, v: unknown, name: string): string {
  if (v === undefined || v === null || v === '') throw missing(ctx, name);
  let s: string;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) throw invalid(ctx, name, 'must be 13–19 digits (send large numbers as a string)');
    s = String(v);
  } else if (typeof v === 'string') s = v.replace(/[\s-]/g, '');
  else throw invalid(ctx, name, 'must be 13–19 digits');
  if (!/^[0-9]{13,19}$/.test(s)) throw invalid(ctx, name, 'must be 13–19 digits');
  return s;
}

/** An absolute http(s) URL. */
export function httpUrl(ctx: FieldContext, v: unknown, name: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || v.length > 2048) throw invalid(ctx, name, 'must be an absolute http(s) URL');
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw invalid(ctx, name, 'must be an absolute http(s) URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw invalid(ctx, name, 'must be an absolute http(s) URL');
  // WHATWG URL accepts ';' and ',' in hosts; origins go into CSP headers, so only plain host names pass.
  if (!/^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])$/.test(u.hostname)) throw invalid(ctx, name, 'has an invalid host name');
  return v;
}
