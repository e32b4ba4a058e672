// The routes of the 3DS flows as data: an exact method and path, the media types taken, and a handler
// over the exchange. The lean dispatcher serves them from a table; Express mounts the same entries for
// the requests it carries (handed off, or paths that only Express's matching accepts).
import type { AppError } from '../../errors.js';
import type { RequestContext } from '../../protocol/core.js';
import type { Exchange } from '../exchange.js';
import { notJson, notOneOf } from '../middleware/body-reader.js';

export interface FlowRoute {
  method: 'POST';
  path: string;
  /** 'json': JSON only (415 otherwise); a list: those media types; 'any': what the body stage reads. */
  accepts: 'json' | 'any' | readonly string[];
  handle(ex: Exchange): Promise<void>;
  /** The body of this route's error answers (an API with its own error shape); SPEC §8's envelope when absent. */
  errorBody?: (err: AppError) => unknown;
}

/** The 415 this route gives the request, if any. */
export function refusedType(route: FlowRoute, ex: Exchange): AppError | undefined {
  if (route.accepts === 'any') return undefined;
  if (route.accepts === 'json') return notJson(ex.req);
  return notOneOf(ex.req, route.accepts);
}

/** Every URL handed out is built from server.publicUrl, with the port this request came in on. */
export function requestContext(ex: Exchange): RequestContext {
  return { baseUrl: ex.live.baseUrl(ex.req.socket.localPort) };
}

/**
 * requestContext plus the X-Mock-Scenario header, for the authenticate routes (SPEC §4): passed on as
 * sent; the protocol honours it or not (protocol.scenarioHeaderEnabled).
 */
export function authenticateContext(ex: Exchange): RequestContext {
  const ctx = requestContext(ex);
  const h = ex.req.headers['x-mock-scenario'];
  return typeof h === 'string' && h !== '' ? { ...ctx, scenarioHeader: h } : ctx;
}

/** Form fields of a body: the body stage gives an object for forms and JSON, a string or undefined otherwise. */
export function fields(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** The transaction a JSON request names, for the access line (only a string, and only a bounded one). */
export function transIdOf(body: unknown): string | undefined {
  const id = fields(body).threeDSServerTransID;
  return typeof id === 'string' && id.length <= 64 ? id : undefined;
}
