// POST /challenge, the ACS endpoint of app challenges (SPEC §6): a thin adapter. The CReq comes as a
// compact JWE (application/jose; application/jwe and text/plain are taken too, any charset); an SDK's
// Erro comes as JSON. Answers: the CRes as application/jose; an Erro message as application/json with
// HTTP 200, because 3DS SDKs tell a CRes from an Erro by the content type of a successful response and
// treat any non-2xx as a transport failure, dropping the Erro's code and detail (Stripe's 3DS2 SDK, for
// one, throws on a non-2xx before it reads the body); 204 once an SDK's own Erro is recorded.
// Infrastructure failures (store down, pool full) still go to the error handler (503, Retry-After).
import { Router } from 'express';
import { PATHS } from '../../protocol/index.js';
import type { AppDeps } from '../deps.js';
import { requireType } from '../middleware/body-reader.js';

const JOSE = 'application/jose; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

export function appChallengeRoutes(deps: AppDeps): Router {
  const r = Router();
  const protocol = deps.protocol;
  if (!protocol) return r;

  r.post(PATHS.appChallenge, requireType('application/jose', 'application/jwe', 'text/plain', 'application/json'), async (req, res) => {
    const reply = await protocol.appChallenge(req.body);
    res.setHeader('Cache-Control', 'no-store');
    switch (reply.type) {
      case 'cres':
        res.status(200).setHeader('Content-Type', JOSE).end(reply.jwe);
        return;
      case 'erro':
        res.status(200).setHeader('Content-Type', JSON_TYPE).end(JSON.stringify(reply.erro));
        return;
      case 'ack':
        res.status(204).end();
        return;
    }
  });
  return r;
}
