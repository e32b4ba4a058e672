// The admin API (SPEC §17) under /__admin, behind a Bearer token (admin-auth.ts): the recent transactions
// (newest first, filtered, paged by cursor), one transaction with its record and message trail, the
// runtime scenario overrides (list, read, set, remove one, remove all) and a reset. Every change is
// logged with the name of the token that made it and what it changed. Thin: the index and trails come
// from the inspection store, overrides from the primary, records from the transaction store.
import { type Request, type Response, Router } from 'express';
import type { ScenarioConfig } from '../../config/index.js';
import { AppError } from '../../errors.js';
import { recordSummary } from '../../protocol/transaction/record-summary.js';
import type { Cursor, ListQuery, TransactionSummary } from '../../store/inspection/inspection-types.js';
import { decodeEntry } from '../../store/inspection/trail-entry.js';
import { keyProblem, scenarioProblem, shownKey } from '../../store/overrides/override-table.js';
import type { OverrideEntry } from '../../types.js';
import type { AppDeps } from '../deps.js';
import { requireJson } from '../middleware/body-reader.js';
import { adminGuard } from './admin-auth.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;
const ID_RE = /^[A-Za-z0-9-]{1,64}$/;
const FLOWS = new Set(['browser', 'app', '3ri']);
const APIS = new Set(['mock', 'netcetera']);

const iso = (ms: number) => new Date(ms).toISOString();

const bad = (param: string, why: string) => new AppError('INVALID_FORMAT', `${param}: ${why}`);

/** One query parameter as a string (a repeated parameter is refused). */
function param(req: Request, name: string): string | undefined {
  const v = (req.query as Record<string, unknown>)[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw bad(name, 'give it once');
  return v;
}

/** An ISO 8601 time or epoch milliseconds. */
function time(req: Request, name: string): number | undefined {
  const v = param(req, name);
  if (v === undefined) return undefined;
  const ms = /^[0-9]{1,15}$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) throw bad(name, 'must be an ISO 8601 time or epoch milliseconds');
  return ms;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.createdAt}:${c.id}`).toString('base64url');
}

function decodeCursor(s: string): Cursor {
  const m = /^([0-9]{1,15}):([A-Za-z0-9-]{1,64})$/.exec(Buffer.from(s, 'base64url').toString('utf8'));
  if (!m) throw bad('cursor', 'not a cursor this API gave out');
  return { createdAt: Number(m[1]), id: m[2] as string };
}

export function listQuery(req: Request): ListQuery {
  const last4 = param(req, 'last4');
  if (last4 !== undefined && !/^[0-9]{4}$/.test(last4)) throw bad('last4', 'must be 4 digits');
  const status = param(req, 'status');
  if (status !== undefined && !/^[A-Z]$/.test(status)) throw bad('status', 'must be one transStatus letter (Y, N, U, A, C, R, D, I, E)');
  const flow = param(req, 'flow')?.toLowerCase();
  if (flow !== undefined && !FLOWS.has(flow)) throw bad('flow', 'must be browser, app or 3ri');
  const api = param(req, 'api')?.toLowerCase();
  if (api !== undefined && !APIS.has(api)) throw bad('api', 'must be mock or netcetera');
  const rawLimit = param(req, 'limit');
  const limit = rawLimit === undefined ? DEFAULT_LIMIT : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw bad('limit', `must be 1 to ${MAX_LIMIT}`);
  const cursor = param(req, 'cursor');
  const since = time(req, 'since');
  const until = time(req, 'until');
  return {
    limit,
    ...(last4 !== undefined && { last4 }),
    ...(status !== undefined && { status }),
    ...(flow !== undefined && { flow }),
    ...(api !== undefined && { api }),
    ...(since !== undefined && { since }),
    ...(until !== undefined && { until }),
    ...(cursor !== undefined && { cursor: decodeCursor(cursor) }),
  };
}

// One key order whatever the store gave back (Redis's cjson does not keep one).
const SUMMARY_KEYS = [
  'threeDSServerTransID',
  'createdAt',
  'updatedAt',
  'status',
  'stage',
  'flow',
  'api',
  'last4',
  'maskedPan',
  'scheme',
  'messageVersion',
  'scenario',
] as const satisfies readonly (keyof TransactionSummary)[];

function shown(s: TransactionSummary): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of SUMMARY_KEYS) {
    const v = s[k];
    if (v !== undefined) out[k] = k === 'createdAt' || k === 'updatedAt' ? iso(v as number) : v;
  }
  return out;
}

function shownOverride(e: OverrideEntry): Record<string, unknown> {
  return { ...e, setAt: iso(e.setAt) };
}

/** A failure of the place inspection or overrides live (Redis, the primary): 503, like a store outage. */
function unavailable(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError('STORE_UNAVAILABLE', `inspection and overrides store: ${(err as Error).message}`);
}

async function guarded<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw unavailable(err);
  }
}

/** The scenario of a PUT: an object of the protocol.scenarios vocabulary, or a key of the configured table to copy. */
function scenarioOf(deps: AppDeps, key: string, body: unknown): ScenarioConfig {
  const b = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const s = b?.scenario;
  if (s === undefined)
    throw new AppError('REQUIRED_ELEMENT_MISSING', 'scenario: give {"scenario": {…}} or {"scenario": "<key of protocol.scenarios>"}');
  if (typeof s === 'string') {
    const table = deps.config().protocol.scenarios;
    const copied = Object.hasOwn(table, s) ? table[s] : undefined;
    if (!copied) throw bad('scenario', `"${s.slice(0, 24)}" is not a key of the configured scenario table`);
    return copied;
  }
  const problem = scenarioProblem(key, s);
  if (problem) throw bad('scenario', problem);
  return s as ScenarioConfig;
}

export function adminApiRoutes(deps: AppDeps): Router {
  const r = Router();
  const admin = deps.admin;
  if (!admin) return r;
  const by = (res: Response) => res.locals.adminName as string;
  const audit = (res: Response, req: Request, action: string, fields: Record<string, unknown>) =>
    deps.logger.info('admin change', {
      by: by(res),
      action,
      ...fields,
      requestId: res.getHeader('X-Request-ID') ?? req.headers['x-request-id'],
    });

  r.use('/__admin', adminGuard(deps, '/__admin', true));

  r.get('/__admin/transactions', async (req, res) => {
    const page = await guarded(admin.inspection.list(listQuery(req)));
    res.json({ items: page.items.map(shown), next: page.next ? encodeCursor(page.next) : null });
  });

  r.get('/__admin/transactions/:id', async (req, res) => {
    const id = req.params.id as string;
    if (!ID_RE.test(id)) throw bad('id', 'must be a threeDSServerTransID');
    const store = deps.protocol?.core.store;
    if (!store) throw new AppError('SYSTEM_FAILURE', 'no transaction store in this app');
    // The trail expires with the record: a transaction whose record is gone is gone (SPEC §17).
    const [rec, d] = await Promise.all([store.get(id), guarded(admin.inspection.detail(id))]);
    if (!rec)
      throw new AppError('TRANSACTION_NOT_FOUND', 'threeDSServerTransID: unknown or expired transaction', { threeDSServerTransID: id });
    res.json({
      summary: d.summary ? shown(d.summary) : null,
      record: recordSummary(rec.value, rec.version),
      trail: d.trail ? d.trail.entries.map(decodeEntry) : [],
      trailDropped: d.trail?.dropped ?? 0,
    });
  });

  r.get('/__admin/overrides', (_req, res) => {
    const s = admin.overrides.snapshot();
    res.json({ version: s.version, overrides: s.entries.map(shownOverride) });
  });

  r.get('/__admin/overrides/:key', (req, res) => {
    const key = req.params.key as string;
    const e = admin.overrides.snapshot().entries.find((x) => x.key === key);
    if (!e) throw new AppError('OVERRIDE_NOT_FOUND', `key ${shownKey(key.slice(0, 19))}: no override`);
    res.json(shownOverride(e));
  });

  r.put('/__admin/overrides/:key', requireJson, async (req, res) => {
    const key = req.params.key as string;
    const problem = keyProblem(key);
    if (problem) throw bad('key', problem);
    const scenario = scenarioOf(deps, key, req.body);
    const out = await guarded(admin.overrides.change({ op: 'set', key, scenario, by: by(res) }));
    audit(res, req, 'override.set', { key: shownKey(key), scenario, previous: out.previous?.scenario });
    const entry = admin.overrides.snapshot().entries.find((x) => x.key === key);
    res.status(out.previous ? 200 : 201).json({
      ...(entry ? shownOverride(entry) : { key, scenario }),
      ...(out.previous && { previous: shownOverride(out.previous) }),
      version: out.version,
    });
  });

  r.delete('/__admin/overrides/:key', async (req, res) => {
    const key = req.params.key as string;
    const problem = keyProblem(key);
    if (problem) throw bad('key', problem);
    const out = await guarded(admin.overrides.change({ op: 'delete', key, by: by(res) }));
    if (!out.changed) throw new AppError('OVERRIDE_NOT_FOUND', `key ${shownKey(key)}: no override`);
    audit(res, req, 'override.delete', { key: shownKey(key), previous: out.previous?.scenario });
    res.json({ removed: out.previous ? shownOverride(out.previous) : { key }, version: out.version });
  });

  r.delete('/__admin/overrides', async (req, res) => {
    const out = await guarded(admin.overrides.change({ op: 'clear', by: by(res) }));
    audit(res, req, 'override.clear', { removed: out.removed });
    res.json({ removed: out.removed, version: out.version });
  });

  // Clears what inspection holds and every override; transaction records (flows in progress), rate
  // limits and the configuration stay.
  r.post('/__admin/reset', async (req, res) => {
    const overrides = await guarded(admin.overrides.change({ op: 'clear', by: by(res) }));
    const inspection = await guarded(admin.inspection.reset());
    audit(res, req, 'reset', {
      overridesRemoved: overrides.removed,
      transactionsForgotten: inspection.transactions,
      trailsRemoved: inspection.trails,
    });
    res.json({
      overridesRemoved: overrides.removed,
      transactionsForgotten: inspection.transactions,
      trailsRemoved: inspection.trails,
      kept: ['transaction records', 'rate-limit counters', 'configuration'],
    });
  });

  return r;
}
