// POST /3ds/version (SPEC §3.1): the card range lookup. The range table is prebuilt per configuration,
// so a lookup is a binary search and the range object is shared. A record is written only when a later
// step needs it to exist (requireVersionCall, or a card with a 3DS Method): authenticate creates the
// record otherwise, which keeps the hottest route free of a store write.
import { randomUUID } from 'node:crypto';
import { maskPan } from '../../../logger.js';
import type { ProtocolCore, RequestContext } from '../../core.js';
import { configTables } from '../../rules/config-tables.js';
import { scenarioTable } from '../../rules/scenario-overrides.js';
import { openedRecord } from '../../transaction/record.js';
import { bodyObject, type FieldContext, pan } from '../../wire/fields.js';
import type { VersionResponse } from '../../wire/messages.js';
import { PATHS } from '../../wire/paths.js';

export async function versionCall(core: ProtocolCore, body: unknown, ctx: RequestContext): Promise<VersionResponse> {
  const b = bodyObject(body, 'PReq');
  const fctx: FieldContext = { ids: {}, messageType: 'PReq' };
  const card = pan(fctx, b.cardNumber ?? b.acctNumber, 'cardNumber');
  const config = core.config();
  const d = configTables(config);
  const id = randomUUID();
  const match = d.ranges.lookup(card);
  const method = match !== undefined && scenarioTable(core).lookup(card).scenario.threeDSMethod === true;
  if (config.protocol.requireVersionCall || method) {
    const extra = { maskedPan: maskPan(card), ...(match && { scheme: match.scheme }) };
    const now = core.now();
    await core.store.create(id, openedRecord(id, now, extra));
    // The transaction exists from here on (SPEC §17): its trail and index entry start with the version call.
    core.trail?.add(
      id,
      'version',
      { cardNumber: card },
      { createdAt: now, last4: card.slice(-4), ...extra, api: ctx.api ?? 'mock', stage: 'opened' },
    );
  }
  if (!match) return { threeDSServerTransID: id, cardRanges: [] };
  const range = method
    ? { ...match.out, acsInfoInd: [...match.out.acsInfoInd], threeDSMethodURL: `${ctx.baseUrl}${PATHS.threeDSMethod}` }
    : match.out;
  return { threeDSServerTransID: id, cardRanges: [range] };
}
