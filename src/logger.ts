// Structured JSON logger (SPEC §10): a thin facade over pino, one JSON line per event on stdout. A card
// number is never written whole: the values of general lines (messages, fields of any shape, errors) are
// masked before pino serializes them, with a cheap pre-check that spares the regex almost every string;
// the per-request access line has known fields and masks only the two a client can choose.
import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';
import type { LogLevel } from './config/index.js';

const LEVELS: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: 100 };

// 13 to 19 digits not inside a longer digit run: the lengths of PANs.
const PAN_RE = /(?<![0-9])([0-9]{6})([0-9]{3,9})([0-9]{4})(?![0-9])/g;
const PAN_MIN_DIGITS = 13;

/**
 * Whether `s` holds a run of 13 or more digits, the only strings PAN_RE can change. A run that long covers
 * one of every 13 positions, so only those are probed; a digit there is widened to its run.
 */
export function hasPanRun(s: string): boolean {
  const n = s.length;
  for (let i = PAN_MIN_DIGITS - 1; i < n; i += PAN_MIN_DIGITS) {
    if (!isDigit(s.charCodeAt(i))) continue;
    let start = i;
    let end = i;
    while (start > 0 && isDigit(s.charCodeAt(start - 1))) start--;
    while (end + 1 < n && isDigit(s.charCodeAt(end + 1))) end++;
    if (end - start + 1 >= PAN_MIN_DIGITS) return true;
    i = end;
  }
  return false;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Masks every PAN-like digit run: first 6 and last 4 kept (SPEC §3.2, §10). */
export function maskPans(text: string): string {
  if (!hasPanRun(text)) return text;
  return text.replace(PAN_RE, (_m, a: string, mid: string, b: string) => `${a}${'*'.repeat(mid.length)}${b}`);
}

/** Masks one PAN value (first 6, last 4). */
export function maskPan(pan: string): string {
  if (pan.length < 10) return '*'.repeat(pan.length);
  return `${pan.slice(0, 6)}${'*'.repeat(pan.length - 10)}${pan.slice(-4)}`;
}

export type LogFields = Record<string, unknown>;

/** The per-request access line's fields (SPEC §10). */
export interface AccessFields {
  /** From Node's HTTP parser: a method token. */
  method: string | undefined;
  /** A route template or a fixed label, never the raw path. */
  route: string;
  status: number;
  durationMs: number;
  /** A server-made UUID or the client's X-Request-ID ([A-Za-z0-9._:-]{1,128}): may hold a digit run. */
  requestId: string;
  /** The transaction the request concerned, as the client named it: may hold a digit run. */
  transId?: string | undefined;
  /** Under mTLS (server.tls.clientCert request or require): whether the client's certificate chains to the CA. */
  tlsClient?: 'authorized' | 'none' | undefined;
}

export interface Logger {
  level: LogLevel;
  enabled(level: LogLevel): boolean;
  trace(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  fatal(msg: string, fields?: LogFields): void;
  /** The access line: msg "request" at info, fields written as given except the two a client chooses. */
  access(fields: AccessFields): void;
  child(bindings: LogFields): Logger;
}

/** Receives each finished line, newline included (tests). */
export type LogSink = (line: string) => void;

/**
 * Where lines go: a sink function, or stdout written synchronously (`sync: true`: every line is out before
 * the call returns) or through pino's asynchronous destination (`sync: false`: lines are batched and
 * written off the logging call; the rest is flushed synchronously when the process exits).
 */
export type LogOutput = LogSink | { sync: boolean };

// Linux's PIPE_BUF: a write no larger than this to a pipe is never interleaved with another process's, and
// SonicBoom cuts its writes at line boundaries, so the lines of the primary and its workers, sharing one
// stdout pipe, stay whole.
const PIPE_BUF = 4096;
const stdout: { sync?: DestinationStream; async?: DestinationStream } = {};

function destination(out: LogOutput): DestinationStream {
  if (typeof out === 'function') return { write: out };
  // One destination per mode and process, so lines keep their order. pino registers the asynchronous one
  // for a synchronous flush of its buffer on process exit; a write already in flight then is finished by
  // Node's thread pool as the process ends, so it can land after the flushed lines (order, not loss).
  // `dest: 1` leaves process.stdout untouched.
  if (out.sync) {
    stdout.sync ??= pino.destination({ dest: 1, sync: true });
    return stdout.sync;
  }
  stdout.async ??= pino.destination({ dest: 1, sync: false, minLength: 0, maxWrite: PIPE_BUF });
  return stdout.async;
}

/** Creates a logger; `base` fields go on every line. The level can be changed live, children follow it. */
export function createLogger(level: LogLevel, base: LogFields = {}, out: LogOutput = { sync: true }): Logger {
  const options = {
    level: 'trace', // the facade filters, so that a level change reaches every child at once
    base: maskFields(base),
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    formatters: { level: (label: string) => ({ level: label }) },
    // Values reach pino already masked, errors as plain {name, message, stack}.
    serializers: { err: (v: unknown) => v },
  };
  const root = pino(options, destination(out));
  const fatal =
    typeof out !== 'function' && !out.sync ? fatalWriter(pino({ ...options, base: null }, destination({ sync: true }))) : undefined;
  return facade({ level, threshold: LEVELS[level] }, root, fatal);
}

/** Writes a fatal line synchronously, after what the asynchronous destination still holds. */
type FatalWriter = (from: PinoLogger, obj: LogFields) => void;

/**
 * A fatal line is the last a process writes before it exits, and often the reason it does. Through the
 * asynchronous destination it could be the write handed to Node's thread pool, which a stuck pool never
 * performs: lost, exactly when it matters. So a fatal line first flushes, on the calling thread, the lines
 * buffered behind the write in flight, then goes out through the synchronous destination with the same
 * bindings. Only a chunk already in flight can still be missing, never the fatal line.
 */
function fatalWriter(syncRoot: PinoLogger): FatalWriter {
  return (from, obj) => {
    const async = stdout.async as (DestinationStream & { flushSync?: () => void }) | undefined;
    try {
      async?.flushSync?.();
    } catch {
      // Not writable now (EAGAIN beyond its retries, closed): the fatal line goes out all the same.
    }
    syncRoot.child(from.bindings()).fatal(obj);
  };
}

interface LevelState {
  level: LogLevel;
  threshold: number;
}

const INFO = LEVELS.info;

function facade(state: LevelState, p: PinoLogger, fatal?: FatalWriter): Logger {
  // The message goes into the object first, so a line reads level, time, bindings, msg, fields.
  const line = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
    if (LEVELS[lvl] < state.threshold) return;
    p[lvl](maskFields(fields, maskPans(msg)));
  };
  return {
    get level() {
      return state.level;
    },
    set level(l: LogLevel) {
      state.level = l;
      state.threshold = LEVELS[l];
    },
    enabled: (l) => LEVELS[l] >= state.threshold,
    trace: (m, f) => line('trace', m, f),
    debug: (m, f) => line('debug', m, f),
    info: (m, f) => line('info', m, f),
    warn: (m, f) => line('warn', m, f),
    error: (m, f) => line('error', m, f),
    fatal: (m, f) => {
      if (fatal === undefined) line('fatal', m, f);
      else if (LEVELS.fatal >= state.threshold) fatal(p, maskFields(f, maskPans(m)));
    },
    access: (f) => {
      if (INFO < state.threshold) return;
      // Method and route are templates, status and duration numbers: pino writes them as they are.
      p.info({
        msg: 'request',
        method: f.method,
        route: f.route,
        status: f.status,
        durationMs: f.durationMs,
        requestId: maskPans(f.requestId),
        transId: f.transId === undefined ? undefined : maskPans(f.transId),
        tlsClient: f.tlsClient,
      });
    },
    child: (bindings) => facade(state, p.child(maskFields(bindings)), fatal),
  };
}

/** A masked copy of `fields` (undefined values dropped), with `msg` first when given. */
function maskFields(fields: LogFields | undefined, msg?: string): LogFields {
  const out: LogFields = msg === undefined ? {} : { msg };
  if (fields) {
    for (const k in fields) {
      if (!Object.hasOwn(fields, k)) continue;
      const v = fields[k];
      if (v === undefined) continue;
      try {
        out[maskPans(k)] = maskValue(v, []);
      } catch {
        out[maskPans(k)] = '[unserializable]';
      }
    }
  }
  return out;
}

const PAN_NUMBER_MIN = 1e12;
const PAN_NUMBER_MAX = 1e19;
const MAX_DEPTH = 8;

/**
 * `v` with every PAN masked: strings through maskPans, PAN-like integers as masked strings, errors as
 * {name, message, stack}, objects and arrays walked (as JSON.stringify would see them, toJSON included).
 * Returns `v` itself when nothing changes, so most values are passed through without a copy.
 */
function maskValue(v: unknown, ancestors: object[]): unknown {
  switch (typeof v) {
    case 'string':
      return maskPans(v);
    case 'number':
      return Number.isInteger(v) && Math.abs(v) >= PAN_NUMBER_MIN && Math.abs(v) < PAN_NUMBER_MAX ? maskPans(String(v)) : v;
    case 'bigint':
      return maskPans(v.toString());
    case 'object':
      return v === null ? v : maskObject(v, ancestors);
    default:
      return v;
  }
}

function maskObject(o: object, ancestors: object[]): unknown {
  if (ancestors.includes(o)) return '[Circular]';
  if (ancestors.length >= MAX_DEPTH) return '[too deep]';
  if (o instanceof Error)
    return { name: maskPans(o.name), message: maskPans(o.message), stack: o.stack === undefined ? undefined : maskPans(o.stack) };
  const toJSON = (o as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    ancestors.push(o);
    const r = maskValue(toJSON.call(o), ancestors);
    ancestors.pop();
    return r;
  }
  ancestors.push(o);
  let copy: unknown[] | Record<string, unknown> | undefined;
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) {
      const m = maskValue(o[i], ancestors);
      if (copy === undefined && m !== o[i]) copy = o.slice(0, i);
      if (copy !== undefined) (copy as unknown[]).push(m);
    }
  } else {
    const src = o as Record<string, unknown>;
    const keys = Object.keys(src);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      const mk = maskPans(k);
      const m = maskValue(src[k], ancestors);
      if (copy === undefined && (m !== src[k] || mk !== k)) {
        copy = Object.create(null) as Record<string, unknown>; // a client's "__proto__" key stays a key
        for (let j = 0; j < i; j++) copy[keys[j] as string] = src[keys[j] as string];
      }
      if (copy !== undefined) (copy as Record<string, unknown>)[mk] = m;
    }
  }
  ancestors.pop();
  return copy ?? o;
}
