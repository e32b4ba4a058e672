// One structured info line per request (SPEC §10): method, route template, status, duration, request id
// and the transaction id when the route named one (ex.transId); under mTLS (SPEC §18) whether the client's
// certificate was authorized. The logger's access line masks the two fields a client chooses (request and
// transaction id) and writes the rest as given.
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../../logger.js';
import type { Stage } from '../exchange.js';
import { routeLabel } from '../route-label.js';

export interface AccessLogOptions {
  logger: Logger;
}

export function accessLog(opts: AccessLogOptions): Stage {
  const { logger } = opts;
  return function accessLogStage(ex, next) {
    if (ex.live.accessLog && logger.enabled('info')) {
      const socket = ex.req.socket as TLSSocket;
      // Under mTLS only: whether this connection's client certificate chains to the CA (decided in the handshake).
      const mtls = socket.encrypted === true && ex.live.config.server.tls.clientCert !== 'none';
      const tlsClient = mtls ? (socket.authorized ? 'authorized' : 'none') : undefined;
      ex.res.once('finish', () => {
        const ms = Number(process.hrtime.bigint() - ex.startedAt) / 1e6;
        logger.access({
          method: ex.req.method,
          route: routeLabel(ex),
          status: ex.res.statusCode,
          durationMs: Math.round(ms * 1000) / 1000,
          requestId: ex.id,
          transId: ex.transId,
          tlsClient,
        });
      });
    }
    next();
  };
}
