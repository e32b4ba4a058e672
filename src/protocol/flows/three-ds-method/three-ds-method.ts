// The 3DS Method (SPEC §4): the browser POSTs threeDSMethodData (base64url of {threeDSServerTransID,
// threeDSMethodNotificationURL}) to the threeDSMethodURL in a hidden iframe; the ACS records that it saw
// the method for the transaction and answers a page that POSTs threeDSMethodData (base64url of
// {threeDSServerTransID}) to the notification URL. Scenario 4014 reads the record at authenticate.
import { AppError } from '../../../errors.js';
import { StoreConflictError } from '../../../store/store.js';
import type { ProtocolCore } from '../../core.js';
import { transition } from '../../transaction/lifecycle.js';
import { openedRecord } from '../../transaction/record.js';
import { fromBase64Lenient, parseJsonObject, toBase64Url } from '../../wire/encoding.js';
import { type FieldContext, httpUrl, invalid, missing, transactionId } from '../../wire/fields.js';

export interface MethodResult {
  action: string;
  fields: { threeDSMethodData: string };
}

export async function threeDSMethodCall(core: ProtocolCore, input: { threeDSMethodData?: unknown }): Promise<MethodResult> {
  const fctx: FieldContext = { ids: {}, messageType: '' };
  const raw = input.threeDSMethodData;
  if (raw === undefined || raw === null || raw === '') throw missing(fctx, 'threeDSMethodData');
  const decoded = typeof raw === 'string' ? fromBase64Lenient(raw) : undefined;
  const data = decoded === undefined ? undefined : parseJsonObject(decoded);
  if (!data) throw invalid(fctx, 'threeDSMethodData', 'must be base64url of a JSON object');
  const id = transactionId(fctx, data.threeDSServerTransID);
  const url = httpUrl(fctx, data.threeDSMethodNotificationURL, 'threeDSMethodNotificationURL');
  if (!url) throw missing(fctx, 'threeDSMethodNotificationURL');

  const now = core.now();
  const r = await transition(core, id, (cur) =>
    cur.auth || cur.threeDSMethodSeenAt !== undefined ? undefined : { ...cur, updatedAt: now, threeDSMethodSeenAt: now },
  );
  if (!r && core.config().protocol.requireVersionCall) {
    throw new AppError('TRANSACTION_NOT_FOUND', 'threeDSServerTransID: no version call opened this transaction', fctx.ids);
  }
  if (!r) {
    // No version call wrote a record (it does so only when needed): the method opens the transaction.
    try {
      await core.store.create(id, openedRecord(id, now, { threeDSMethodSeenAt: now }));
    } catch (err) {
      if (!(err instanceof StoreConflictError)) throw err;
      await transition(core, id, (cur) =>
        cur.auth || cur.threeDSMethodSeenAt !== undefined ? undefined : { ...cur, updatedAt: now, threeDSMethodSeenAt: now },
      );
    }
  }
  // A method that opened the transaction (no version call wrote a record) opens its index entry too (SPEC §17).
  core.trail?.add(id, 'method', { threeDSMethodNotificationURL: url }, r ? undefined : { createdAt: now, stage: 'opened' });
  return { action: url, fields: { threeDSMethodData: toBase64Url(JSON.stringify({ threeDSServerTransID: id })) } };
}
