// GET /openapi.json: the OpenAPI 3.1 document of every public route (docs/openapi.json, built by
// `npm run openapi`). Read once per process, when the first app is built, with its ETag computed then;
// a GET or HEAD whose If-None-Match holds that ETag gets 304 and no body. The ETag is weak because the
// compression stage may gzip the body (a strong one would claim byte equality across encodings). CORS is
// open: the document is public, and browser tools (Swagger UI, editors) load it from other origins. When
// the file is missing or unreadable the server still starts: the route answers 404 and the reason is
// logged once.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import { AppError } from '../../errors.js';
import type { AppDeps } from '../deps.js';

export const OPENAPI_PATH = '/openapi.json';

/** docs/openapi.json at the repository root: three levels up from src/http/routes/ and from dist/http/routes/. */
export const OPENAPI_FILE = fileURLToPath(new URL('../../../docs/openapi.json', import.meta.url));

interface OpenApiDocument {
  body: Buffer;
  etag: string;
}

const loaded = new Map<string, OpenApiDocument | Error>();

/** The document at `file`, read and checked (JSON, openapi 3.1) the first time only. */
export function loadOpenApi(file: string = OPENAPI_FILE): OpenApiDocument | Error {
  let doc = loaded.get(file);
  if (doc === undefined) {
    try {
      const body = readFileSync(file);
      const parsed = JSON.parse(body.toString('utf8')) as { openapi?: unknown };
      if (typeof parsed.openapi !== 'string' || !parsed.openapi.startsWith('3.1.')) throw new Error('not an OpenAPI 3.1 document');
      doc = { body, etag: `W/"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    } catch (err) {
      doc = err instanceof Error ? err : new Error(String(err));
    }
    loaded.set(file, doc);
  }
  return doc;
}

/**
 * If-None-Match against our ETag, weak comparison (RFC 9110 §13.1.2). Evaluated whatever the request's
 * Cache-Control says: Express's req.fresh answers stale to `no-cache`, which fetch() adds to every
 * conditional request, and a revalidation must still get its 304.
 */
export function matchesNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (t: string) => (t.startsWith('W/') ? t.slice(2) : t);
  const ours = opaque(etag);
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || opaque(tag) === ours;
  });
}

export function openapiRoutes(deps: AppDeps, file: string = OPENAPI_FILE): Router {
  const doc = loadOpenApi(file);
  if (doc instanceof Error) deps.logger.warn('OpenAPI document not served', { file, err: doc.message });
  const r = Router();
  r.get(OPENAPI_PATH, (req, res, next) => {
    if (doc instanceof Error) return next(new AppError('NOT_FOUND', 'the OpenAPI document is not deployed (docs/openapi.json)'));
    res.setHeader('ETag', doc.etag);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (matchesNoneMatch(req.headers['if-none-match'], doc.etag)) {
      res.status(304).end();
      return;
    }
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.send(doc.body);
  });
  return r;
}
