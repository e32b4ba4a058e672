// POST /challenge, the ACS endpoint of app challenges (SPEC §6): a thin adapter. The CReq comes as a
// compact JWE (application/jose; application/jwe and text/plain are taken too, any charset); an SDK's
// Erro comes as JSON. Answers: the CRes as application/jose; an Erro message as application/json with
// HTTP 200, because 3DS SDKs tell a CRes from an Erro by the content type of a successful response and
// treat any non-2xx as a transport failure, dropping the Erro's code and detail (Stripe's 3DS2 SDK, for
// one, throws on a non-2xx before it reads the body); 204 once an SDK's own Erro is recorded.
// Infrastructure failures (store down, pool full) still go to the error handler (503, Retry-After).
import type { Protocol } from '../../protocol/protocol.js';
import { PATHS } from '../../protocol/wire/paths.js';
import type { HeldRequests } from '../held-requests.js';
import { JSON_TYPE, sendBody, sendEmpty } from '../reply.js';
import type { FlowRoute } from './flow-route.js';

const JOSE = 'application/jose; charset=utf-8';
const NO_STORE = { 'Cache-Control': 'no-store' } as const;

export function appChallengeRoutes(protocol: Protocol, held: HeldRequests): FlowRoute[] {
  return [
    {
      method: 'POST',
      path: PATHS.appChallenge,
      accepts: ['application/jose', 'application/jwe', 'text/plain', 'application/json'],
      async handle(ex) {
        const reply = await protocol.appChallenge(ex.body);
        switch (reply.type) {
          case 'cres':
            sendBody(ex, 200, JOSE, reply.jwe, NO_STORE);
            return;
          case 'erro':
            sendBody(ex, 200, JSON_TYPE, JSON.stringify(reply.erro), NO_STORE);
            return;
          case 'ack':
            sendEmpty(ex, 204, NO_STORE);
            return;
          case 'no-answer':
            // Test card acs-no-answer (SPEC §4): the ACS never answers the CReq.
            held.hold(ex, reply.maxMs);
            return;
        }
      },
    },
  ];
}
