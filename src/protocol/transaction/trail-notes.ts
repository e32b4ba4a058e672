// What the protocol writes into a transaction's trail (SPEC §17), in one place so the flows only call it:
// the AReq as received and the ARes (or the Directory Server's Erro) with the index entry they open, the
// results messages whoever recorded them, and what the ACS answered when a browser challenge ended.
// Every call is a fire-and-forget hand-over to core.trail (the worker's recorder), which masks and bounds
// the message; nothing here waits or throws, and without a trail nothing is built.
import { maskPan } from '../../logger.js';
import type { ApiShape } from '../../types.js';
import type { ProtocolCore } from '../core.js';
import type { TransactionRecord } from './record.js';

export interface AuthenticationTrace {
  /** The AReq as the client sent it (the recorder masks PANs and drops the CVC). */
  body: unknown;
  createdAt: number;
  pan: string;
  scheme: string;
  flow: 'browser' | 'app' | '3ri';
  api: ApiShape | undefined;
  status: string;
  stage: string;
  messageVersion: string;
  scenario: string;
  ares?: unknown;
  dsError?: Record<string, unknown>;
}

/** A new authentication: opens the transaction's index entry. */
export function traceAuthentication(core: ProtocolCore, id: string, t: AuthenticationTrace): void {
  const trail = core.trail;
  if (!trail) return;
  trail.add(id, 'AReq', t.body, {
    createdAt: t.createdAt,
    last4: t.pan.slice(-4),
    maskedPan: maskPan(t.pan),
    scheme: t.scheme,
    flow: t.flow,
    api: t.api ?? 'mock',
    status: t.status,
    stage: t.stage,
    messageVersion: t.messageVersion,
    scenario: t.scenario,
  });
  if (t.ares !== undefined) trail.add(id, 'ARes', t.ares);
  else if (t.dsError)
    trail.add(id, 'Erro', { messageType: 'Erro', messageVersion: t.messageVersion, ...t.dsError }, undefined, 'from the Directory Server');
}

/** Results recorded (afterResults): the RReq and the RRes that acknowledged it. */
export function traceResults(core: ProtocolCore, rec: TransactionRecord): void {
  const trail = core.trail;
  const r = rec.results;
  if (!trail || !r) return;
  const id = rec.threeDSServerTransID;
  trail.add(
    id,
    'RReq',
    r.request,
    { status: r.request.transStatus, stage: rec.stage },
    r.source === 'acs' ? 'sent by the ACS' : 'received at /3ds/results',
  );
  trail.add(id, 'RRes', r.response);
}

/**
 * How a browser challenge ended for the cardholder, when this step ended it: the final CRes posted to the
 * notificationURL, or the redirect. Returns `result`, so the flow can hand it on.
 */
export function traceAcsEnd<R extends { type: string; action?: string; fields?: Record<string, string>; location?: string }>(
  core: ProtocolCore,
  id: string,
  result: R,
  ended: boolean,
): R {
  const trail = core.trail;
  if (!trail || !ended) return result;
  if (result.type === 'post' && result.fields?.cres !== undefined) {
    let cres: unknown;
    try {
      cres = JSON.parse(Buffer.from(result.fields.cres, 'base64url').toString('utf8'));
    } catch {
      cres = { cres: result.fields.cres };
    }
    trail.add(id, 'CRes', cres, undefined, `posted to ${result.action ?? 'the notificationURL'}`);
  } else if (result.type === 'redirect') trail.add(id, 'redirect', { location: result.location });
  return result;
}

/** A CReq with what the cardholder typed withheld: one-time codes never leave the ACS (SPEC §10). */
export function withheldEntry(creq: unknown): unknown {
  if (!creq || typeof creq !== 'object' || Array.isArray(creq)) return creq;
  const o = { ...(creq as Record<string, unknown>) };
  for (const k of ['challengeDataEntry', 'challengeHTMLDataEntry']) {
    if (o[k] !== undefined) o[k] = '(withheld)';
  }
  return o;
}
