// An EMV 3DS message validator written from the specification (EMVCo 3DS Annex A, PROTOCOL-FACTS §1),
// independent of the server's code: the JSON Schemas (draft 2020-12) under test/schemas/emv/<version>/
// are compiled once with ajv, and validateMessage() picks the schema from messageType + messageVersion.
// Each rule in a schema carries a `$comment` citing its source; an error reports the instance path, what
// is wrong, and that rule. Rules that need what only the transaction knows (the channel, the AReq the
// ARes answers, the ARes an RReq follows) live in each schema's `$defs/inContext` and run when a context
// is given.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

export const EMV_VERSIONS = ['2.1.0', '2.2.0', '2.3.1'] as const;
export type EmvVersion = (typeof EMV_VERSIONS)[number];
export const EMV_MESSAGE_TYPES = ['AReq', 'ARes', 'CReq', 'CRes', 'RReq', 'RRes', 'Erro'] as const;
export type EmvMessageType = (typeof EMV_MESSAGE_TYPES)[number];
export type DeviceChannel = '01' | '02' | '03';

type Json = Record<string, unknown>;

/** What the transaction knows about a message: its channel, the AReq as forwarded, the ARes. */
export interface EmvContext {
  deviceChannel?: DeviceChannel;
  areq?: Json;
  ares?: Json;
}

export interface EmvError {
  /** JSON pointer into the message (or `AReq/…`, `ARes/…` for the context). */
  path: string;
  /** What is wrong, with the value where it helps. */
  message: string;
  /** The `$comment` of the rule that failed: what the specification says, and where. */
  rule: string;
}

export interface EmvValidation {
  valid: boolean;
  /** `<version>/<Type>`, or undefined when no schema applies. */
  schema?: string;
  errors: EmvError[];
}

export const EMV_SCHEMA_DIR = fileURLToPath(new URL('../schemas/emv/', import.meta.url));
const BASE_ID = 'https://mock3ds.test/schemas/emv';
const CONTEXT_DEF = '#/$defs/inContext';

interface Loaded {
  ajv: Ajv2020;
  /** Every schema document by its $id, for resolving rule comments. */
  documents: Map<string, Json>;
  validators: Map<string, { plain: ValidateFunction; inContext?: ValidateFunction }>;
}

function schemaFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory() ? schemaFiles(path.join(dir, d.name)) : d.name.endsWith('.schema.json') ? [path.join(dir, d.name)] : [],
    );
}

function load(): Loaded {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, strictTypes: false, verbose: true });
  // ajv-formats is CommonJS: its default export arrives as the module object under nodenext.
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv2020) => void;
  addFormats(ajv);
  const documents = new Map<string, Json>();
  for (const file of schemaFiles(EMV_SCHEMA_DIR)) {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
    documents.set(doc.$id as string, doc);
    ajv.addSchema(doc);
  }
  const validators: Loaded['validators'] = new Map();
  for (const v of EMV_VERSIONS) {
    for (const t of EMV_MESSAGE_TYPES) {
      const id = `${BASE_ID}/${v}/${t}.schema.json`;
      const doc = documents.get(id);
      if (!doc) throw new Error(`missing schema ${v}/${t}`);
      const plain = ajv.getSchema(id) as ValidateFunction;
      const hasContext = Boolean((doc.$defs as Json | undefined)?.inContext);
      validators.set(`${v}/${t}`, { plain, ...(hasContext && { inContext: ajv.getSchema(id + CONTEXT_DEF) as ValidateFunction }) });
    }
  }
  return { ajv, documents, validators };
}

const loaded = load();

/**
 * How many schema documents there are and how many rules they hold: every `$comment`-annotated
 * constraint below a document's root (the root comment only describes the document).
 */
export function schemaStats(): { schemas: number; rules: number } {
  let rules = 0;
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      for (const [k, x] of Object.entries(n)) {
        if (k === '$comment') rules++;
        else walk(x);
      }
    }
  };
  for (const d of loaded.documents.values()) for (const [k, x] of Object.entries(d)) if (k !== '$comment') walk(x);
  return { schemas: loaded.documents.size, rules };
}

/**
 * The nearest `$comment` on the way from the failing keyword up to its schema's root. A schemaPath is
 * relative to the resource the keyword sits in; under `$defs/inContext` it is relative to that
 * subschema for the context rules and to the message schema for what `message` refers to, so the base
 * whose node is the error's parentSchema wins.
 */
function ruleOf(e: ErrorObject, rootId: string, bases: readonly string[]): string {
  const [resource = '', pointer = ''] = e.schemaPath.split('#');
  const doc = loaded.documents.get(resource ? new URL(resource, rootId).href : rootId);
  const segmentsOf = (ptr: string) =>
    ptr
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s.replace(/~1/g, '/').replace(/~0/g, '~')));
  const nodeAt = (segments: readonly string[]): unknown => {
    let node: unknown = doc;
    for (const s of segments) node = (node as Json | undefined)?.[s];
    return node;
  };
  if (doc) {
    const candidates = (resource ? [''] : bases).map((b) => [...segmentsOf(b), ...segmentsOf(pointer)]);
    const segments = candidates.find((c) => nodeAt(c.slice(0, -1)) === e.parentSchema) ?? candidates[candidates.length - 1] ?? [];
    for (let n = segments.length; n >= 0; n--) {
      const c = (nodeAt(segments.slice(0, n)) as Json | undefined)?.$comment;
      if (typeof c === 'string') return c;
    }
  }
  const c = (e.parentSchema as Json | undefined)?.$comment;
  return typeof c === 'string' ? c : `schema ${e.schemaPath}`;
}

const show = (v: unknown): string => JSON.stringify(v);

function describe(e: ErrorObject): { at: string; message: string } {
  const at = e.instancePath;
  const p = e.params as Json;
  switch (e.keyword) {
    case 'required':
      return { at: `${at}/${String(p.missingProperty)}`, message: 'is required but absent' };
    case 'additionalProperties':
      return { at: `${at}/${String(p.additionalProperty)}`, message: 'is not an element of this object' };
    case 'const':
      return { at, message: `is ${show(e.data)}, must be ${show(p.allowedValue)}` };
    case 'enum':
      return { at, message: `is ${show(e.data)}, must be one of ${(p.allowedValues as unknown[]).map(show).join(', ')}` };
    case 'pattern':
      return { at, message: `is ${show(e.data)}, does not match ${String(p.pattern)}` };
    case 'not': {
      const s = e.schema as Json;
      const anyOf = s.anyOf as Json[] | undefined;
      if (anyOf?.every((x) => Array.isArray(x.required))) {
        const present = anyOf
          .map((x) => (x.required as string[])[0] as string)
          .filter((n) => e.data && typeof e.data === 'object' && n in (e.data as Json));
        return { at: `${at}/${present.join(',')}`, message: 'must be absent here' };
      }
      if (Object.keys(s).length === 0) return { at, message: 'must be absent' };
      if (Array.isArray(s.required) && Object.keys(s).length === 1)
        return { at: `${at}/${(s.required as string[]).join(',')}`, message: 'must be absent here' };
      if ('const' in s) return { at, message: `must not be ${show(s.const)}` };
      if ('enum' in s) return { at, message: `is ${show(e.data)}, must not be one of ${(s.enum as unknown[]).map(show).join(', ')}` };
      return { at, message: `is ${show(e.data)}, which this rule forbids` };
    }
    default:
      return {
        at,
        message: `${e.message ?? e.keyword}${e.keyword === 'type' || e.keyword.endsWith('Length') ? ` (is ${show(e.data)})` : ''}`,
      };
  }
}

function toErrors(errors: ErrorObject[] | null | undefined, rootId: string, inContext: boolean): EmvError[] {
  const out: EmvError[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    // An "if" failure only repeats that its "then" failed; the "then" error says what.
    if (e.keyword === 'if') continue;
    const d = describe(e);
    let at = d.at;
    if (inContext) at = at.startsWith('/message') ? at.slice('/message'.length) : at.replace(/^\/(AReq|ARes|deviceChannel)/, '$1');
    const err = { path: at || '/', message: d.message, rule: ruleOf(e, rootId, inContext ? ['/$defs/inContext', ''] : ['']) };
    const key = `${err.path}|${err.message}|${err.rule}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(err);
  }
  return out;
}

/**
 * Validates one EMV message against the schema of its messageType and messageVersion. With a context
 * (deviceChannel, and for an ARes or RReq the AReq/ARes of the same transaction) the channel and
 * cross-message rules run as well.
 */
export function validateMessage(msg: unknown, ctx: EmvContext = {}): EmvValidation {
  if (!msg || typeof msg !== 'object' || Array.isArray(msg)) {
    return {
      valid: false,
      errors: [{ path: '/', message: `is ${show(msg)}, not a JSON object`, rule: 'an EMV 3DS message is a JSON object (Annex A)' }],
    };
  }
  const m = msg as Json;
  const type = m.messageType;
  const version = m.messageVersion;
  const selectors: EmvError[] = [];
  if (!EMV_MESSAGE_TYPES.includes(type as EmvMessageType)) {
    selectors.push({
      path: '/messageType',
      message: `is ${show(type)}, must be one of ${EMV_MESSAGE_TYPES.join(', ')}`,
      rule: 'messageType selects the schema (EMVCo 3DS 2.3.1 Annex A Table A.1 p.259)',
    });
  }
  if (!EMV_VERSIONS.includes(version as EmvVersion)) {
    selectors.push({
      path: '/messageVersion',
      message: `is ${show(version)}, must be one of ${EMV_VERSIONS.join(', ')}`,
      rule: 'messageVersion selects the schema: the server speaks 2.1.0, 2.2.0 and 2.3.1 (SPEC §15; Annex A p.260)',
    });
  }
  if (selectors.length > 0) return { valid: false, errors: selectors };
  const schema = `${version as string}/${type as string}`;
  const v = loaded.validators.get(schema);
  if (!v) throw new Error(`no validator for ${schema}`);
  const rootId = `${BASE_ID}/${schema}.schema.json`;
  if (ctx.deviceChannel && v.inContext) {
    const envelope: Json = {
      deviceChannel: ctx.deviceChannel,
      message: m,
      ...(ctx.areq && { AReq: ctx.areq }),
      ...(ctx.ares && { ARes: ctx.ares }),
    };
    const ok = v.inContext(envelope);
    return { valid: ok, schema, errors: ok ? [] : toErrors(v.inContext.errors, rootId, true) };
  }
  const ok = v.plain(m);
  return { valid: ok, schema, errors: ok ? [] : toErrors(v.plain.errors, rootId, false) };
}

/** One line per error: `path: message — rule`. */
export function formatErrors(errors: readonly EmvError[]): string[] {
  return errors.map((e) => `${e.path}: ${e.message} — rule: ${e.rule}`);
}
