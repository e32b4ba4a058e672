// messageExtension as requests carry it (SPEC §15, Annex A.12): an array of {name, id,
// criticalityIndicator, data}. Each entry is checked (201 for a missing attribute, 203 for a wrong one);
// a critical extension the receiver does not recognise makes the whole message invalid (Erro 202). The
// mock processes no extension, so every critical one is unrecognised; non-critical ones are passed on
// unaltered, as A.12.3 asks of a recipient that does not know them.
import { AppError } from '../../errors.js';
import { type FieldContext, invalid, missing } from './fields.js';
import type { MessageExtension } from './messages.js';

/** The most entries any version allows (2.3.1); the version's own limit is checked once it is known. */
const MAX_ENTRIES = 15;
/** name and id: at most 64 characters each. */
const MAX_NAME = 64;
/** data: at most 8059 characters as JSON. */
const MAX_DATA = 8059;

/** Extension ids this server understands: none (a mock has no extension-specific behaviour). */
const RECOGNISED: ReadonlySet<string> = new Set();

/** The validated entries of a messageExtension element; undefined when it is absent. */
export function parseMessageExtension(ctx: FieldContext, v: unknown): MessageExtension[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length === 0) throw invalid(ctx, 'messageExtension', 'must be an array of 1 to 15 extension objects');
  if (v.length > MAX_ENTRIES) throw invalid(ctx, 'messageExtension', `at most ${MAX_ENTRIES} entries`);
  const out: MessageExtension[] = [];
  const critical: string[] = [];
  v.forEach((raw: unknown, i) => {
    const at = `messageExtension[${i}]`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalid(ctx, at, 'must be an object');
    const e = raw as Record<string, unknown>;
    for (const key of ['name', 'id', 'criticalityIndicator', 'data']) {
      if (e[key] === undefined || e[key] === null || e[key] === '') throw missing(ctx, `${at}.${key}`);
    }
    for (const key of ['name', 'id'] as const) {
      const s = e[key];
      if (typeof s !== 'string' || s.length > MAX_NAME)
        throw invalid(ctx, `${at}.${key}`, `must be a string of at most ${MAX_NAME} characters`);
    }
    const flag = e.criticalityIndicator;
    if (typeof flag !== 'boolean') throw invalid(ctx, `${at}.criticalityIndicator`, 'must be true or false');
    if (typeof e.data !== 'object' && typeof e.data !== 'string') throw invalid(ctx, `${at}.data`, 'must be an object');
    if (JSON.stringify(e.data).length > MAX_DATA) throw invalid(ctx, `${at}.data`, `must be at most ${MAX_DATA} characters`);
    const entry: MessageExtension = { name: e.name as string, id: e.id as string, criticalityIndicator: flag, data: e.data };
    if (flag && !RECOGNISED.has(entry.id)) critical.push(entry.id);
    out.push(entry);
  });
  if (critical.length > 0) {
    throw new AppError('CRITICAL_EXTENSION_NOT_RECOGNISED', critical.join(','), ctx.ids, {
      errorMessageType: ctx.messageType,
      ...(ctx.messageVersion && { messageVersion: ctx.messageVersion }),
    });
  }
  return out;
}
