// The two /__admin routes the QA console adds to the admin API (SPEC §17), behind the same Bearer token:
// GET /__admin/scenarios, the configured test-card table with a card number for each row (the card
// table and the overrides editor's choices), and POST /__admin/app-flow, which runs one app flow with
// the server playing the 3DS SDK (console/app-flow.ts) and answers every message of it.
import { Router } from 'express';
import { publicBaseUrl } from '../../config/derived.js';
import type { ContentEnc } from '../../crypto/crypto-types.js';
import { AppError } from '../../errors.js';
import { APP_FLOW_ENCS, APP_FLOW_VERSIONS, type AppFlowInput, runAppFlow } from '../console/app-flow.js';
import { cardTable } from '../console/card-table.js';
import type { AppDeps } from '../deps.js';
import { requireJson } from '../middleware/body-reader.js';
import { adminGuard } from './admin-auth.js';

const bad = (field: string, why: string) => new AppError('INVALID_FORMAT', `${field}: ${why}`);

/** The body of POST /__admin/app-flow, checked. */
export function appFlowInput(body: unknown): AppFlowInput {
  const b = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const pan = b.cardNumber;
  if (pan === undefined) throw new AppError('REQUIRED_ELEMENT_MISSING', 'cardNumber: is required');
  if (typeof pan !== 'string' || !/^[0-9]{13,19}$/.test(pan)) throw bad('cardNumber', 'must be 13 to 19 digits');
  const answer = b.answer ?? '';
  if (typeof answer !== 'string' || answer.length > 45) throw bad('answer', 'must be a string of at most 45 characters');
  const cancel = b.cancel ?? false;
  if (typeof cancel !== 'boolean') throw bad('cancel', 'must be true or false');
  const version = b.messageVersion ?? '2.2.0';
  if (!(APP_FLOW_VERSIONS as readonly unknown[]).includes(version))
    throw bad('messageVersion', `must be one of ${APP_FLOW_VERSIONS.join(', ')}`);
  const enc = b.enc ?? 'A128CBC-HS256';
  if (!(APP_FLOW_ENCS as readonly unknown[]).includes(enc)) throw bad('enc', `must be one of ${APP_FLOW_ENCS.join(', ')}`);
  return { cardNumber: pan, answer, cancel, messageVersion: version as AppFlowInput['messageVersion'], enc: enc as ContentEnc };
}

export function consoleApiRoutes(deps: AppDeps): Router {
  const r = Router();
  if (!deps.admin) return r;
  const guard = adminGuard(deps, '/__admin', true);

  r.get('/__admin/scenarios', guard, (_req, res) => {
    res.json({ scenarios: cardTable(deps.config()) });
  });

  r.post('/__admin/app-flow', guard, requireJson, async (req, res) => {
    const input = appFlowInput(req.body);
    const protocol = deps.protocol;
    if (!protocol) throw new AppError('SYSTEM_FAILURE', 'no protocol service in this app');
    const ctx = { baseUrl: publicBaseUrl(deps.config(), req.socket.localPort) };
    const out = await runAppFlow(protocol, ctx, input);
    deps.logger.info('console app flow', {
      by: res.locals.adminName as string,
      threeDSServerTransID: out.threeDSServerTransID,
      last4: input.cardNumber.slice(-4),
      transStatus: out.transStatus,
      challengeStatus: out.challengeStatus,
    });
    res.json(out);
  });

  return r;
}
