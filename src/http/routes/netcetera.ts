// The Netcetera-shaped 3DS Server API (SPEC §16): thin adapters, JSON in and out (415 otherwise), errors
// answered as `{errorDetails}` with the status of the error registry. The 3DS Method notification URL the
// versioning call hands out only acknowledges: the ACS has already noted the method when its page ran.
import type { RequestContext } from '../../protocol/core.js';
import { NETCETERA_PATHS, netceteraErrorBody } from '../../protocol/flows/netcetera/shapes.js';
import type { Protocol } from '../../protocol/protocol.js';
import type { Exchange } from '../exchange.js';
import { sendEmpty, sendJson } from '../reply.js';
import { authenticateContext, type FlowRoute, requestContext, transIdOf } from './flow-route.js';

type Call = (body: unknown, ctx: RequestContext) => Promise<unknown>;

function jsonRoute(path: string, call: Call, context: (ex: Exchange) => RequestContext = requestContext): FlowRoute {
  return {
    method: 'POST',
    path,
    accepts: 'json',
    errorBody: netceteraErrorBody,
    async handle(ex: Exchange) {
      ex.transId = transIdOf(ex.body);
      const out = await call(ex.body, context(ex));
      if (ex.transId === undefined) ex.transId = transIdOf(out);
      sendJson(ex, 200, out);
    },
  };
}

export function netceteraRoutes(protocol: Protocol): FlowRoute[] {
  const api = protocol.netcetera;
  // The index of transactions tells the two APIs apart (SPEC §17).
  const versioning: Call = (body, ctx) => api.versioning(body, { ...ctx, api: 'netcetera' });
  return [
    jsonRoute(NETCETERA_PATHS.versioning, versioning),
    jsonRoute(NETCETERA_PATHS.versioningV3, versioning),
    jsonRoute(NETCETERA_PATHS.versioningV4, versioning),
    jsonRoute(NETCETERA_PATHS.authentication, (body, ctx) => api.authentication(body, { ...ctx, api: 'netcetera' }), authenticateContext),
    jsonRoute(NETCETERA_PATHS.challengeResponse, (body) => api.challengeResponse(body)),
    {
      method: 'POST',
      path: NETCETERA_PATHS.methodNotification,
      accepts: 'any',
      async handle(ex) {
        sendEmpty(ex, 204);
      },
    },
  ];
}
