// One HTTP exchange as the pipeline's stages see it, whichever adapter carries it (DESIGN §4: one
// pipeline, two adapters). Stages are plain functions over Node's request and response plus this
// record; the lean dispatcher (dispatcher.ts) runs them for the 3DS flow routes, Express (app.ts) for the
// rest. Nothing here depends on Express.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import proxyaddr from 'proxy-addr';
import type { AppError } from '../errors.js';
import type { Live } from './live.js';

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const EXCHANGE = Symbol('m3ds.exchange');

export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** X-Request-ID: the client's when sane, else a new UUID. */
  readonly id: string;
  readonly startedAt: bigint;
  /** The path without the query. */
  readonly path: string;
  /** The query string with its '?', or ''. */
  readonly search: string;
  /** The route template for logs and metric labels (never the raw path); undefined until a route claims it. */
  route?: string | undefined;
  /** The transaction the request concerned, for the access line. */
  transId?: string | undefined;
  /** The request body as the body stage read it (an object for JSON and forms, a string otherwise). */
  body?: unknown;
  /** The live settings this request runs under. */
  readonly live: Live;
  /** Stages the lean dispatcher already ran before handing the request to Express (which skips them). */
  passed: number;
  /**
   * Set by the lean dispatcher: a stage that needs Express (express-rate-limit's slow path) hands the
   * request over from that stage on. Absent when Express carries the request already.
   */
  handOff?: (() => void) | undefined;
  /** The body of this request's error answers, when its route has its own error shape; SPEC §8's envelope otherwise. */
  errorBody?: ((err: AppError) => unknown) | undefined;
}

export type Next = (err?: unknown) => void;

/** A cross-cutting stage: does its part, then calls next (or next(err), or answers and does not). */
export type Stage = (ex: Exchange, next: Next) => void;

export interface NamedStage {
  name: string;
  run: Stage;
}

function splitUrl(url: string): [string, string] {
  const q = url.indexOf('?');
  return q === -1 ? [url, ''] : [url.slice(0, q), url.slice(q)];
}

export function newExchange(req: IncomingMessage, res: ServerResponse, live: Live): Exchange {
  const given = req.headers['x-request-id'];
  const [path, search] = splitUrl(req.url ?? '/');
  const ex: Exchange = {
    req,
    res,
    id: typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID(),
    startedAt: process.hrtime.bigint(),
    path,
    search,
    route: undefined,
    transId: undefined,
    body: undefined,
    live,
    passed: 0,
    handOff: undefined,
  };
  (req as unknown as Record<symbol, Exchange>)[EXCHANGE] = ex;
  return ex;
}

/** The exchange of a request, made on first use (a stage mounted alone in an app, a request Express carries from the start). */
export function exchangeOf(req: IncomingMessage, res: ServerResponse, live: () => Live): Exchange {
  return (req as unknown as Record<symbol, Exchange | undefined>)[EXCHANGE] ?? newExchange(req, res, live());
}

/** The exchange already made for this request, if any. */
export function existingExchange(req: IncomingMessage): Exchange | undefined {
  return (req as unknown as Record<symbol, Exchange | undefined>)[EXCHANGE];
}

/** The client's address under http.trustProxy (what Express's req.ip gives for the same setting). */
export function clientIp(ex: Exchange): string {
  return proxyaddr(ex.req, ex.live.trust);
}

/** The first value of a query parameter. */
export function queryParam(ex: Exchange, name: string): string | undefined {
  if (ex.search === '') return undefined;
  return new URLSearchParams(ex.search).get(name) ?? undefined;
}
