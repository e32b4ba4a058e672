// A lean body reader (SPEC §12: no body parser heavier than the job): one pass over the stream with a
// size limit, then JSON, form or text by content type. 413 above the limit (checked from Content-Length
// before reading), 400 for malformed JSON; `requireJson` gives routes their 415.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../../errors.js';
import { jsonDepthAbove, MAX_JSON_DEPTH } from '../../protocol/wire/encoding.js';
import type { Stage } from '../exchange.js';

type BodyKind = 'json' | 'form' | 'text';

function kindOf(contentType: string | undefined): BodyKind {
  if (!contentType) return 'text';
  const semi = contentType.indexOf(';');
  const mime = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (mime === 'application/json' || mime.endsWith('+json')) return 'json';
  if (mime === 'application/x-www-form-urlencoded') return 'form';
  return 'text';
}

function isJsonRequest(req: IncomingMessage): boolean {
  return kindOf(req.headers['content-type']) === 'json';
}

function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const len = req.headers['content-length'];
  return len !== undefined && len !== '0';
}

/** Reads the body into ex.body (and req.body, for routes Express carries). */
export function bodyReader(): Stage {
  return function bodyReaderStage(ex, next) {
    const req = ex.req;
    if (req.method === 'GET' || req.method === 'HEAD' || !hasBody(req)) return next();
    const limit = ex.live.bodyLimit;
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      req.resume();
      return next(new AppError('BODY_TOO_LARGE', `body of ${declared} bytes is above the limit of ${limit}`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        failed = true;
        req.off('data', onData);
        req.resume();
        next(new AppError('BODY_TOO_LARGE', `body is above the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('error', (err) => {
      if (failed) return;
      failed = true;
      next(new AppError('MESSAGE_NOT_RECOGNISED', `request body could not be read: ${err.message}`));
    });
    req.once('end', () => {
      if (failed) return;
      const raw = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
      const text = raw.toString('utf8');
      const kind = kindOf(req.headers['content-type']);
      let body: unknown;
      if (kind === 'json') {
        if (text.trim() !== '') {
          try {
            body = JSON.parse(text);
          } catch {
            return next(new AppError('MALFORMED_JSON', 'request body is not valid JSON'));
          }
          if (jsonDepthAbove(body, MAX_JSON_DEPTH)) {
            return next(new AppError('MALFORMED_JSON', `request body nests deeper than ${MAX_JSON_DEPTH} levels`));
          }
        }
      } else if (kind === 'form') {
        const out: Record<string, string> = Object.create(null);
        for (const [k, v] of new URLSearchParams(text)) if (!(k in out)) out[k] = v;
        body = out;
      } else body = text;
      ex.body = body;
      (req as IncomingMessage & { body?: unknown }).body = body;
      next();
    });
  };
}

/** The 415 of a route that takes JSON only; undefined when the request is JSON. */
export function notJson(req: IncomingMessage): AppError | undefined {
  if (isJsonRequest(req)) return undefined;
  return new AppError('UNSUPPORTED_MEDIA_TYPE', `expected application/json, got ${req.headers['content-type'] ?? 'no content type'}`);
}

/** The 415 of a route that takes one of `mimes` (lower case); undefined when the request is one. */
export function notOneOf(req: IncomingMessage, mimes: readonly string[]): AppError | undefined {
  const ct = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (mimes.includes(ct)) return undefined;
  return new AppError('UNSUPPORTED_MEDIA_TYPE', `expected ${mimes.join(' or ')}, got ${ct || 'no content type'}`);
}

/** Express route guard: only JSON bodies (415 otherwise). */
export function requireJson(req: IncomingMessage, _res: ServerResponse, next: (err?: unknown) => void): void {
  next(notJson(req));
}
