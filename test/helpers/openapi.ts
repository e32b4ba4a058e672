// Checks real HTTP exchanges against docs/openapi.json with ajv (JSON Schema 2020-12, as OpenAPI 3.1 uses
// it): the operation must exist, the status must be documented (or fall to the operation's `default`),
// the content type must be one the response lists, the body must validate against that media type's
// schema, and every required header must be present and valid. Also lists the documented operations and
// every example with the schema it must satisfy, and the routes an Express app registers.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { ROOT } from './server.js';

type Json = Record<string, unknown>;

export const OPENAPI_FILE = path.join(ROOT, 'docs/openapi.json');
const DOC_ID = 'https://mock-3ds.test/openapi.json';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

// ajv-formats is CommonJS: its default export arrives as the module object under some loaders.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv2020) => void;

const esc = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

export interface Exchange {
  method: string;
  /** The request path (a query is ignored). */
  path: string;
  status: number;
  headers: Headers | Record<string, string | undefined>;
  /** The body as text ('' when none). */
  body: string;
}

export interface DocumentedOperation {
  method: string;
  path: string;
  operationId: string;
}

export class OpenApiValidator {
  readonly doc: Json;
  readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly templates: { template: string; re: RegExp }[];

  constructor(doc: Json = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as Json) {
    this.doc = doc;
    this.ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(this.ajv);
    // The keys of an OpenAPI document around its schemas: no-ops for ajv, so that pointers resolve through them.
    for (const k of Object.keys(doc)) if (!k.startsWith('$')) this.ajv.addKeyword({ keyword: k });
    this.ajv.addSchema({ ...doc, $id: DOC_ID });
    this.templates = Object.keys(doc.paths as Json).map((template) => ({
      template,
      re: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
    }));
  }

  /** The validator of the schema at this JSON pointer of the document. */
  schemaAt(pointer: string): ValidateFunction {
    let v = this.compiled.get(pointer);
    if (!v) {
      v = this.ajv.getSchema(`${DOC_ID}#${pointer}`);
      if (!v) throw new Error(`no schema at ${pointer}`);
      this.compiled.set(pointer, v);
    }
    return v;
  }

  /** The object at a JSON pointer of the document. */
  at(pointer: string): unknown {
    let cur: unknown = this.doc;
    for (const part of pointer.split('/').slice(1)) cur = (cur as Json | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    return cur;
  }

  /** Follows OpenAPI `$ref`s (responses, headers, parameters): the object and its pointer. */
  private deref(obj: unknown, pointer: string): { obj: Json; pointer: string } {
    let o = obj as Json;
    let p = pointer;
    for (let i = 0; i < 10 && typeof o?.$ref === 'string'; i++) {
      p = (o.$ref as string).slice(1);
      o = this.at(p) as Json;
    }
    return { obj: o, pointer: p };
  }

  /** The documented path template a request path falls under. */
  templateOf(requestPath: string): string | undefined {
    const p = requestPath.split('?')[0] as string;
    return this.templates.find((t) => t.re.test(p))?.template;
  }

  operations(): DocumentedOperation[] {
    const out: DocumentedOperation[] = [];
    for (const [p, item] of Object.entries(this.doc.paths as Record<string, Json>)) {
      for (const m of METHODS) {
        const op = item[m] as Json | undefined;
        if (op) out.push({ method: m.toUpperCase(), path: p, operationId: op.operationId as string });
      }
    }
    return out;
  }

  /** Problems of one exchange against the document; [] when it conforms. */
  check(x: Exchange): string[] {
    const where = `${x.method} ${x.path} → ${x.status}`;
    const template = this.templateOf(x.path);
    if (!template) return [`${where}: the path is not in the document`];
    const opPointer = `/paths/${esc(template)}/${x.method.toLowerCase()}`;
    if (!this.at(opPointer)) return [`${where}: ${x.method} is not documented for ${template}`];
    return this.checkResponse(x, `${opPointer}/responses`, where);
  }

  /** Checks an exchange against the responses object at `responsesPointer` (or one response: `responsePointer`). */
  checkResponse(x: Exchange, responsesPointer: string, where = `${x.method} ${x.path} → ${x.status}`, responsePointer?: string): string[] {
    const responses = this.at(responsesPointer) as Json | undefined;
    let key: string | undefined;
    if (responsePointer === undefined) {
      const s = String(x.status);
      key = responses?.[s] ? s : responses?.[`${s[0]}XX`] ? `${s[0]}XX` : responses?.default ? 'default' : undefined;
      if (key === undefined) return [`${where}: status ${x.status} is not documented`];
    }
    const { obj: response, pointer: rp } = this.deref(
      responsePointer === undefined ? responses?.[key as string] : this.at(responsePointer),
      responsePointer ?? `${responsesPointer}/${key}`,
    );
    const problems: string[] = [];
    const get = (name: string): string | undefined =>
      x.headers instanceof Headers
        ? (x.headers.get(name) ?? undefined)
        : (Object.entries(x.headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1] ?? undefined);

    for (const [name, h] of Object.entries((response.headers as Json | undefined) ?? {})) {
      const { obj: hdr, pointer: hp } = this.deref(h, `${rp}/headers/${esc(name)}`);
      const value = get(name);
      if (value === undefined) {
        if (hdr.required === true) problems.push(`${where}: required header ${name} is missing`);
        continue;
      }
      if (hdr.schema) {
        const v = this.schemaAt(`${hp}/schema`);
        if (!v(value)) problems.push(`${where}: header ${name}: ${value}: ${this.ajv.errorsText(v.errors)}`);
      }
    }

    const content = response.content as Record<string, Json> | undefined;
    const type = (get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!content) {
      if (x.body !== '') problems.push(`${where}: the document says no body, got ${type || 'untyped'} ${x.body.slice(0, 120)}`);
      return problems;
    }
    const mediaKey =
      Object.keys(content).find((k) => k === type) ?? Object.keys(content).find((k) => k.endsWith('/*') && type.startsWith(k.slice(0, -1)));
    if (!mediaKey) return [...problems, `${where}: content type "${type}" is not one of ${Object.keys(content).join(', ')}`];
    if (!content[mediaKey]?.schema) return problems;
    let value: unknown = x.body;
    if (mediaKey === 'application/json' || mediaKey.endsWith('+json')) {
      try {
        value = JSON.parse(x.body);
      } catch {
        return [...problems, `${where}: the body is not JSON: ${x.body.slice(0, 200)}`];
      }
    }
    const v = this.schemaAt(`${rp}/content/${esc(mediaKey)}/schema`);
    if (!v(value)) problems.push(`${where}: body (${mediaKey}) leaves the schema: ${formatErrors(v)}\n      body: ${x.body.slice(0, 400)}`);
    return problems;
  }

  /** Problems of a request body against the documented request body of its operation. */
  checkRequest(method: string, requestPath: string, contentType: string, body: unknown): string[] {
    const where = `request ${method} ${requestPath}`;
    const template = this.templateOf(requestPath);
    if (!template) return [`${where}: the path is not in the document`];
    const p = `/paths/${esc(template)}/${method.toLowerCase()}/requestBody/content`;
    const content = this.at(p) as Record<string, Json> | undefined;
    const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    if (!content?.[type]) return [`${where}: request content type ${type} is not documented`];
    if (!content[type]?.schema) return [];
    const v = this.schemaAt(`${p}/${esc(type)}/schema`);
    return v(body) ? [] : [`${where}: body leaves the schema: ${formatErrors(v)}`];
  }

  /** Every example of the document with the pointer of the schema it must satisfy. */
  examples(): { where: string; schema: string; value: unknown }[] {
    const out: { where: string; schema: string; value: unknown }[] = [];
    const walk = (node: unknown, pointer: string): void => {
      if (!node || typeof node !== 'object') return;
      const o = node as Json;
      if (o.schema !== undefined && o.examples && typeof o.examples === 'object' && !Array.isArray(o.examples)) {
        for (const [name, e] of Object.entries(o.examples as Record<string, Json>)) {
          out.push({ where: `${pointer}/examples/${name}`, schema: `${pointer}/schema`, value: e.value });
        }
      }
      if (o.schema !== undefined && 'example' in o)
        out.push({ where: `${pointer}/example`, schema: `${pointer}/schema`, value: o.example });
      for (const [k, v] of Object.entries(o)) if (k !== 'examples') walk(v, `${pointer}/${esc(k)}`);
    };
    walk(this.doc.paths, '/paths');
    walk((this.doc.components as Json).responses, '/components/responses');
    for (const [name, s] of Object.entries((this.doc.components as Json).schemas as Record<string, Json>)) {
      for (const [i, value] of ((s.examples as unknown[] | undefined) ?? []).entries())
        out.push({ where: `/components/schemas/${name}/examples/${i}`, schema: `/components/schemas/${name}`, value });
    }
    return out;
  }
}

export function formatErrors(v: ValidateFunction): string {
  return (v.errors ?? [])
    .slice(0, 8)
    .map(
      (e) =>
        `${e.instancePath || '(root)'} ${e.message ?? ''}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`,
    )
    .join('; ');
}

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
}

/** Every route an Express app registers, as "METHOD /path" with `{param}` templates (mounted routers included). */
export function expressRoutes(app: { router: { stack: Layer[] } }): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) {
          if (typeof p !== 'string') continue;
          const full = `${prefix}${p}`.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
          for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') out.push(`${m.toUpperCase()} ${full}`);
        }
      } else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk(app.router.stack, '');
  return [...new Set(out)].sort();
}
