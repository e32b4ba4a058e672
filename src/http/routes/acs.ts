// The ACS browser pages (SPEC §3, §5): thin adapters from form posts to the protocol. trigger-otp is the
// acsURL (creq + threeDSSessionData, optional ?redirectUrl=); verify-otp takes every form of the
// challenge page and the existing mock's direct `otp` posts. Bodies may be forms or JSON objects.
import type { AcsResult } from '../../protocol/flows/browser-challenge/browser-challenge.js';
import type { Protocol } from '../../protocol/protocol.js';
import { PATHS } from '../../protocol/wire/paths.js';
import { type Exchange, queryParam } from '../exchange.js';
import type { HeldRequests } from '../held-requests.js';
import { sendAcsResult } from '../views/acs-result.js';
import { type FlowRoute, fields, requestContext, transIdOf } from './flow-route.js';

/** The chosen options of a multi select: one checkbox field per option ("select-01"). */
function selected(f: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(f)) if (k.startsWith('select-') && typeof v === 'string' && v !== '') out.push(v);
  return out;
}

/** The page (or redirect) of a result; the silent ACS of test card acs-no-answer holds the request instead. */
function answer(ex: Exchange, result: AcsResult, held: HeldRequests): void {
  if (result.type === 'no-answer') held.hold(ex, result.maxMs);
  else sendAcsResult(ex, result);
}

export function acsRoutes(protocol: Protocol, held: HeldRequests): FlowRoute[] {
  return [
    {
      method: 'POST',
      path: PATHS.acsChallenge,
      accepts: 'any',
      async handle(ex) {
        const f = fields(ex.body);
        const redirectUrl = queryParam(ex, 'redirectUrl') ?? f.redirectUrl;
        const result = await protocol.openChallenge(
          { creq: f.creq, threeDSSessionData: f.threeDSSessionData, ...(redirectUrl !== undefined && { redirectUrl }) },
          requestContext(ex),
        );
        answer(ex, result, held);
      },
    },
    {
      method: 'POST',
      path: PATHS.acsSubmit,
      accepts: 'any',
      async handle(ex) {
        const f = fields(ex.body);
        ex.transId = transIdOf(f);
        const options = selected(f);
        const code = f.otp ?? f.challengeDataEntry;
        const value = options.length > 0 ? options : typeof code === 'string' ? code : undefined;
        const redirectUrl = queryParam(ex, 'redirectUrl') ?? f.redirectUrl;
        const result = await protocol.submitChallenge(
          {
            threeDSServerTransID: f.threeDSServerTransID,
            action: f.action,
            ...(value !== undefined && { value }),
            ...(redirectUrl !== undefined && { redirectUrl }),
          },
          requestContext(ex),
        );
        answer(ex, result, held);
      },
    },
  ];
}
