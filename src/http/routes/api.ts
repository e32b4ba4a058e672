// The 3DS Server API (SPEC §3.1–3.3) and the 3DS Method endpoint: thin adapters, JSON in and out for the
// API (415 otherwise), a form for the method. No protocol decisions here.
import type { Protocol } from '../../protocol/protocol.js';
import { PATHS } from '../../protocol/wire/paths.js';
import type { Exchange } from '../exchange.js';
import { sendJson } from '../reply.js';
import { autoPostPage } from '../views/auto-post-page.js';
import { originsOf, sendPage } from '../views/page.js';
import { authenticateContext, type FlowRoute, fields, requestContext, transIdOf } from './flow-route.js';

type JsonCall = (p: Protocol, body: unknown, ex: Exchange) => Promise<unknown>;

function jsonRoute(protocol: Protocol, path: string, call: JsonCall): FlowRoute {
  return {
    method: 'POST',
    path,
    accepts: 'json',
    async handle(ex) {
      ex.transId = transIdOf(ex.body);
      const out = await call(protocol, ex.body, ex);
      if (ex.transId === undefined) ex.transId = transIdOf(out);
      sendJson(ex, 200, out);
    },
  };
}

export function apiRoutes(protocol: Protocol): FlowRoute[] {
  return [
    jsonRoute(protocol, PATHS.version, (p, body, ex) => p.version(body, requestContext(ex))),
    jsonRoute(protocol, PATHS.authenticate, (p, body, ex) => p.authenticate(body, authenticateContext(ex))),
    jsonRoute(protocol, PATHS.results, (p, body, ex) => p.results(body, requestContext(ex))),
    jsonRoute(protocol, PATHS.final, (p, body, ex) => p.final(body, requestContext(ex))),
    {
      method: 'POST',
      path: PATHS.threeDSMethod,
      accepts: 'any',
      async handle(ex) {
        const result = await protocol.threeDSMethod({ threeDSMethodData: fields(ex.body).threeDSMethodData }, requestContext(ex));
        sendPage(ex, autoPostPage(result.action, result.fields, 'Checking your browser'), originsOf([result.action]));
      },
    },
  ];
}
