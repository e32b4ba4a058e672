// The lean adapter (DESIGN §4): the routes of the 3DS flows on an exact method + path table, served
// straight from node:http with the pipeline's stages run in order and answers written with
// writeHead/end. Everything else — health, metrics, admin, unknown paths, paths only Express's looser
// matching accepts (case, trailing slash), and requests a stage hands over (express-rate-limit's slow
// path) — goes to the Express adapter, which runs the same stages and the same route handlers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import { type Exchange, type NamedStage, newExchange } from './exchange.js';
import type { Live } from './live.js';
import { sendError } from './middleware/error-handler.js';
import { type FlowRoute, refusedType } from './routes/flow-route.js';

export interface DispatcherOptions {
  stages: readonly NamedStage[];
  routes: readonly FlowRoute[];
  /** The Express adapter, for everything the table does not serve. */
  fallback: (req: IncomingMessage, res: ServerResponse) => void;
  live: () => Live;
  logger: Logger;
  /** Headers every answer of this worker carries (test routes: which worker answered). */
  workerHeaders?: () => readonly (readonly [string, string])[] | undefined;
}

export function createDispatcher(opts: DispatcherOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { fallback, live, logger } = opts;
  const stages = opts.stages.map((s) => s.run);
  const n = stages.length;
  const table = new Map<string, FlowRoute>();
  for (const r of opts.routes) table.set(r.path, r);

  const serve = (ex: Exchange, route: FlowRoute): void => {
    const refused = refusedType(route, ex);
    if (refused !== undefined) return sendError(ex, refused, logger);
    route.handle(ex).catch((err: unknown) => sendError(ex, err, logger));
  };

  return function dispatch(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const route = req.method === 'POST' ? table.get(q === -1 ? url : url.slice(0, q)) : undefined;
    if (route === undefined) return fallback(req, res);
    const ex = newExchange(req, res, live());
    ex.route = route.path;
    if (route.errorBody) ex.errorBody = route.errorBody;
    const extra = opts.workerHeaders?.();
    if (extra !== undefined) for (const [k, v] of extra) res.setHeader(k, v);
    let i = 0;
    ex.handOff = () => {
      ex.passed = i - 1;
      ex.handOff = undefined;
      fallback(req, res);
    };
    const next = (err?: unknown): void => {
      if (err !== undefined) return sendError(ex, err, logger);
      if (i < n) {
        const stage = stages[i++] as (typeof stages)[number];
        try {
          stage(ex, next);
        } catch (e) {
          sendError(ex, e, logger);
        }
        return;
      }
      serve(ex, route);
    };
    next();
  };
}
