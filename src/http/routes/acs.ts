// The ACS browser pages (SPEC §3, §5): thin adapters from form posts to the protocol. trigger-otp is the
// acsURL (creq + threeDSSessionData, optional ?redirectUrl=); verify-otp takes every form of the
// challenge page and the existing mock's direct `otp` posts. Bodies may be forms or JSON objects.
import { type Request, Router } from 'express';
import { publicBaseUrl } from '../../config.js';
import { PATHS, type RequestContext } from '../../protocol/index.js';
import type { AppDeps } from '../deps.js';
import { sendAcsResult } from '../views/acs-result.js';

/** Every URL handed out is built from server.publicUrl, with the port this request came in on. */
export function requestContext(deps: AppDeps, req: Request): RequestContext {
  return { baseUrl: publicBaseUrl(deps.config(), req.socket.localPort) };
}

/** Form fields of a body: the body reader gives an object for forms and JSON, a string or undefined otherwise. */
export function fields(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** A query parameter as one string (repeated parameters: the first). */
function queryString(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

/** The chosen options of a multi select: one checkbox field per option ("select-01"). */
function selected(f: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(f)) if (k.startsWith('select-') && typeof v === 'string' && v !== '') out.push(v);
  return out;
}

export function acsRoutes(deps: AppDeps): Router {
  const r = Router();
  const protocol = deps.protocol;
  if (!protocol) return r;

  r.post(PATHS.acsChallenge, async (req, res) => {
    const f = fields(req.body);
    const redirectUrl = queryString(req, 'redirectUrl') ?? f.redirectUrl;
    const result = await protocol.openChallenge(
      { creq: f.creq, threeDSSessionData: f.threeDSSessionData, ...(redirectUrl !== undefined && { redirectUrl }) },
      requestContext(deps, req),
    );
    sendAcsResult(res, result);
  });

  r.post(PATHS.acsSubmit, async (req, res) => {
    const f = fields(req.body);
    const options = selected(f);
    const code = f.otp ?? f.challengeDataEntry;
    const value = options.length > 0 ? options : typeof code === 'string' ? code : undefined;
    const redirectUrl = queryString(req, 'redirectUrl') ?? f.redirectUrl;
    const result = await protocol.submitChallenge(
      {
        threeDSServerTransID: f.threeDSServerTransID,
        action: f.action,
        ...(value !== undefined && { value }),
        ...(redirectUrl !== undefined && { redirectUrl }),
      },
      requestContext(deps, req),
    );
    sendAcsResult(res, result);
  });

  return r;
}
