// messageExtension as requests carry it (SPEC §15, Annex A.12): an array of {name, id,
// criticalityIndicator, data}. Each entry is checked (201 for a missing attribute, 203 for a wrong one);
// a critical extension the receiver does not recognise makes the whole message invalid (Erro 202). The
// mock recognises one extension of its own, M3DS-SCENARIO (name Mock3DSScenario, data {"scenario": code
// or name}), which selects the transaction's test scenario (SPEC §4); every other critical one is
// unrecognised. All entries, its own included, are passed on unaltered, as A.12.3 asks of a recipient
// that does not know them.
import { AppError } from '../../errors.js';
import { type FieldContext, invalid, missing } from './fields.js';
import type { MessageExtension } from './messages.js';

/** The most entries any version allows (2.3.1); the version's own limit is checked once it is known. */
const MAX_ENTRIES = 15;
/** name and id: at most 64 characters each. */
const MAX_NAME = 64;
/** data: at most 8059 characters as JSON. */
const MAX_DATA = 8059;

/** The id of this product's scenario extension (its documented name: Mock3DSScenario). */
export const SCENARIO_EXTENSION_ID = 'M3DS-SCENARIO';
/** The longest scenario selector read (a code or a name). */
const MAX_SELECTOR = 64;

/** Extension ids this server understands: its own scenario selector. */
const RECOGNISED: ReadonlySet<string> = new Set([SCENARIO_EXTENSION_ID]);

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

/**
 * The scenario the M3DS-SCENARIO entry of `entries` names, with the element an unknown one is reported
 * on; undefined without such an entry. Its data must be an object with a non-empty string `scenario`
 * (201 when absent, 203 when not a string of at most 64 characters), and one entry at most (203).
 */
export function scenarioExtension(
  ctx: FieldContext,
  entries: readonly MessageExtension[] | undefined,
): { value: string; field: string } | undefined {
  let found: { value: string; field: string } | undefined;
  entries?.forEach((e, i) => {
    if (e.id !== SCENARIO_EXTENSION_ID) return;
    const field = `messageExtension[${i}].data.scenario`;
    if (found) throw invalid(ctx, `messageExtension[${i}].id`, `at most one ${SCENARIO_EXTENSION_ID} entry`);
    const data = e.data;
    if (data === null || typeof data !== 'object' || Array.isArray(data))
      throw invalid(ctx, `messageExtension[${i}].data`, 'must be {"scenario": "<code or name>"}');
    const v = (data as Record<string, unknown>).scenario;
    if (v === undefined || v === null || v === '') throw missing(ctx, field);
    if (typeof v !== 'string' || v.length > MAX_SELECTOR)
      throw invalid(ctx, field, `must be a scenario code or name of at most ${MAX_SELECTOR} characters`);
    found = { value: v, field };
  });
  return found;
}
