// The 3DS Server API (SPEC §3.1–3.3) and the 3DS Method endpoint: thin adapters, JSON in and out for the
// API (requireJson gives the 415), a form for the method. No protocol decisions here.
import { Router } from 'express';
import { PATHS } from '../../protocol/index.js';
import type { AppDeps } from '../deps.js';
import { requireJson } from '../middleware/body-reader.js';
import { autoPostPage } from '../views/auto-post-page.js';
import { originsOf, sendPage } from '../views/page.js';
import { fields, requestContext } from './acs.js';

export function apiRoutes(deps: AppDeps): Router {
  const r = Router();
  const protocol = deps.protocol;
  if (!protocol) return r;

  r.post(PATHS.version, requireJson, async (req, res) => {
    res.json(await protocol.version(req.body, requestContext(deps, req)));
  });
  r.post(PATHS.authenticate, requireJson, async (req, res) => {
    res.json(await protocol.authenticate(req.body, requestContext(deps, req)));
  });
  r.post(PATHS.results, requireJson, async (req, res) => {
    res.json(await protocol.results(req.body, requestContext(deps, req)));
  });
  r.post(PATHS.final, requireJson, async (req, res) => {
    res.json(await protocol.final(req.body, requestContext(deps, req)));
  });
  r.post(PATHS.threeDSMethod, async (req, res) => {
    const result = await protocol.threeDSMethod({ threeDSMethodData: fields(req.body).threeDSMethodData }, requestContext(deps, req));
    sendPage(res, autoPostPage(result.action, result.fields, 'Checking your browser'), originsOf([result.action]));
  });
  return r;
}
