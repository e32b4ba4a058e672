// Structured JSON logger: one line per event on stdout. Every line passes through maskPans, so a card
// number that slips into a message or field is never written whole (SPEC §10).
import type { LogLevel } from './config.js';

const LEVELS: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: 100 };

// 13 to 19 digits not inside a longer digit run: the lengths of PANs.
const PAN_RE = /(?<![0-9])([0-9]{6})([0-9]{3,9})([0-9]{4})(?![0-9])/g;

/** Masks every PAN-like digit run: first 6 and last 4 kept (SPEC §3.2, §10). */
export function maskPans(text: string): string {
  return text.replace(PAN_RE, (_m, a: string, mid: string, b: string) => `${a}${'*'.repeat(mid.length)}${b}`);
}

const PAN_NUMBER_MIN = 1e12;

/**
 * JSON.stringify replacer that masks PANs inside string values and turns PAN-like integers into masked
 * strings. Masking values before serialization keeps every line valid JSON, whatever a client put in a
 * path or field (a regex over the finished line cannot tell a number from digits inside a string).
 */
function maskingReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return maskPans(value);
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) >= PAN_NUMBER_MIN) return maskPans(String(value));
  return value;
}

/** Masks one PAN value (first 6, last 4). */
export function maskPan(pan: string): string {
  if (pan.length < 10) return '*'.repeat(pan.length);
  return `${pan.slice(0, 6)}${'*'.repeat(pan.length - 10)}${pan.slice(-4)}`;
}

export type LogFields = Record<string, unknown>;

export interface Logger {
  level: LogLevel;
  enabled(level: LogLevel): boolean;
  trace(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  fatal(msg: string, fields?: LogFields): void;
  child(bindings: LogFields): Logger;
}

export type LogSink = (line: string) => void;

const stdoutSink: LogSink = (line) => {
  process.stdout.write(line);
};

/** Creates a logger; `base` fields go on every line. The level can be changed live. */
export function createLogger(level: LogLevel, base: LogFields = {}, sink: LogSink = stdoutSink): Logger {
  const state = { level, threshold: LEVELS[level] };
  return build(state, base, sink);
}

function build(state: { level: LogLevel; threshold: number }, base: LogFields, sink: LogSink): Logger {
  const baseJson = serializeBase(base);
  const write = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (LEVELS[lvl] < state.threshold) return;
    let line = `{"time":"${new Date().toISOString()}","level":"${lvl}"${baseJson},"msg":${JSON.stringify(maskPans(msg))}`;
    if (fields) {
      for (const k in fields) {
        const v = fields[k];
        if (v === undefined) continue;
        line += `,${JSON.stringify(maskPans(k))}:${safeJson(v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v)}`;
      }
    }
    sink(`${line}}\n`);
  };
  const logger: Logger = {
    get level() {
      return state.level;
    },
    set level(l: LogLevel) {
      state.level = l;
      state.threshold = LEVELS[l];
    },
    enabled: (l) => LEVELS[l] >= state.threshold,
    trace: (m, f) => write('trace', m, f),
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    fatal: (m, f) => write('fatal', m, f),
    child: (bindings) => build(state, { ...base, ...bindings }, sink),
  };
  return logger;
}

function serializeBase(base: LogFields): string {
  let s = '';
  for (const k in base) if (base[k] !== undefined) s += `,${JSON.stringify(maskPans(k))}:${safeJson(base[k])}`;
  return s;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, maskingReplacer) ?? 'null';
  } catch {
    return '"[unserializable]"';
  }
}
