// POST /3ds/results and POST /3ds/final (SPEC §3.3). Results are recorded once: a repeat that agrees
// with what is recorded (the same status, and the same value where given) is acknowledged again, one
// that disagrees is Erro 305 with 409. A transaction still in a challenge or decoupled authentication
// answers "results pending" (409, Erro 305) from final. An RReq is read in any version's shape (SPEC §15:
// authenticationMethod as an array, deviceUserInterfaceMode, the 2.3.1 codes) and kept shaped for the
// messageVersion it states, which is how /3ds/final and the results push hand it on.
import { AppError } from '../../../errors.js';
import type { ProtocolCore } from '../../core.js';
import { BROKEN_NOTES } from '../../rules/broken-responses.js';
import { shapeRReq } from '../../rules/message-shapes.js';
import { maxMessageExtensions } from '../../rules/version-values.js';
import { loadRecord, transition, withResults } from '../../transaction/lifecycle.js';
import { finalOutcome, type TransactionRecord } from '../../transaction/record.js';
import { resultsResponse } from '../../transaction/results-messages.js';
import { DirectoryServerError } from '../../wire/ds-error.js';
import {
  bodyObject,
  checkMessageType,
  code2,
  type FieldContext,
  invalid,
  isMessageVersion,
  type Json,
  messageCategory,
  missing,
  numeric,
  text,
  transactionId,
} from '../../wire/fields.js';
import { parseMessageExtension } from '../../wire/message-extension.js';
import type { FinalOutcome, ResultsRequest, ResultsResponse } from '../../wire/messages.js';

const RESULT_STATUSES = ['Y', 'N', 'U', 'A', 'R'];

async function known(core: ProtocolCore, id: string, messageType: string): Promise<TransactionRecord> {
  const rec = await loadRecord(core, id);
  if (!rec)
    throw new AppError(
      'TRANSACTION_NOT_FOUND',
      'threeDSServerTransID: unknown or expired transaction',
      { threeDSServerTransID: id },
      { errorMessageType: messageType },
    );
  return rec;
}

export async function resultsCall(core: ProtocolCore, raw: unknown): Promise<ResultsResponse> {
  const body = bodyObject(raw, 'RReq');
  const fctx: FieldContext = { ids: {}, messageType: 'RReq' };
  checkMessageType(fctx, body.messageType);
  const id = transactionId(fctx, body.threeDSServerTransID);
  const rec = await known(core, id, 'RReq');
  const a = rec.auth;
  if (!a)
    throw new AppError('TRANSACTION_DATA_INVALID', 'threeDSServerTransID: the transaction has not been authenticated', fctx.ids, {
      errorMessageType: 'RReq',
    });
  fctx.messageVersion = a.messageVersion;
  if (rec.stage === 'ds-error')
    throw new AppError('TRANSACTION_DATA_INVALID', 'the Directory Server refused this transaction', fctx.ids, { errorMessageType: 'RReq' });
  for (const [name, expected] of [
    ['acsTransID', a.acsTransID],
    ['dsTransID', a.dsTransID],
  ] as const) {
    const got = body[name];
    if (got === undefined || got === null || got === '') throw missing(fctx, name);
    if (got !== expected)
      throw new AppError('TRANSACTION_DATA_INVALID', `${name}: does not match the transaction`, fctx.ids, {
        errorMessageType: 'RReq',
        messageVersion: a.messageVersion,
      });
  }
  const sdk = body.sdkTransID;
  if (sdk !== undefined && sdk !== null && sdk !== '' && sdk !== rec.app?.sdkTransID) {
    throw new AppError('TRANSACTION_DATA_INVALID', 'sdkTransID: does not match the transaction', fctx.ids, {
      errorMessageType: 'RReq',
      messageVersion: a.messageVersion,
    });
  }
  const rq = parseRReq(body, fctx, rec, core.config().protocol.supportedVersions);

  // Already decided (results recorded, or a frictionless ARes): acknowledge an agreeing repeat only.
  const decided = finalOutcome(rec);
  if (decided) return acknowledge(rec, decided, rq, fctx);
  const now = core.now();
  const r = await transition(core, id, (cur) => withResults(cur, rq, now, 'client'));
  if (!r)
    throw new AppError('TRANSACTION_NOT_FOUND', 'threeDSServerTransID: unknown or expired transaction', fctx.ids, {
      errorMessageType: 'RReq',
    });
  if (r.changed) return (r.record.results as NonNullable<TransactionRecord['results']>).response;
  const nowDecided = finalOutcome(r.record);
  if (nowDecided) return acknowledge(r.record, nowDecided, rq, fctx);
  throw new AppError('TRANSACTION_DATA_INVALID', 'the transaction cannot take results', fctx.ids, { errorMessageType: 'RReq' });
}

function acknowledge(rec: TransactionRecord, decided: FinalOutcome, rq: ResultsRequest, fctx: FieldContext): ResultsResponse {
  const agrees =
    decided.transStatus === rq.transStatus &&
    (rq.authenticationValue === undefined || rq.authenticationValue === decided.authenticationValue) &&
    (rq.eci === undefined || rq.eci === decided.eci);
  if (!agrees) {
    throw new AppError(
      'CONFLICTING_REPEAT',
      `transStatus: results ${decided.transStatus} are already recorded for this transaction`,
      fctx.ids,
      {
        errorMessageType: 'RReq',
        ...(fctx.messageVersion && { messageVersion: fctx.messageVersion }),
      },
    );
  }
  return rec.results?.response ?? resultsResponse(rec);
}

function parseRReq(body: Json, fctx: FieldContext, rec: TransactionRecord, supported: readonly string[]): ResultsRequest {
  const a = rec.auth as NonNullable<TransactionRecord['auth']>;
  const status = text(fctx, body.transStatus, 'transStatus');
  if (!status) throw missing(fctx, 'transStatus');
  if (!RESULT_STATUSES.includes(status)) throw invalid(fctx, 'transStatus', `must be one of ${RESULT_STATUSES.join(', ')}`);
  const version = text(fctx, body.messageVersion, 'messageVersion') ?? a.messageVersion;
  if (!isMessageVersion(version)) throw invalid(fctx, 'messageVersion', 'must be a version such as 2.2.0');
  if (!supported.includes(version)) {
    throw new AppError(
      'VERSION_NOT_SUPPORTED',
      `messageVersion: ${version} is not supported; supported: ${supported.join(', ')}`,
      fctx.ids,
      {
        errorMessageType: 'RReq',
        messageVersion: a.messageVersion,
      },
    );
  }
  const extensions = parseMessageExtension(fctx, body.messageExtension);
  // SPEC §15: the entry limit of the RReq's own version (10 before 2.3.1), as for the AReq.
  if ((extensions?.length ?? 0) > maxMessageExtensions(version))
    throw invalid(fctx, 'messageExtension', `at most ${maxMessageExtensions(version)} entries in ${version}`);
  const rq: ResultsRequest = {
    messageType: 'RReq',
    messageVersion: version,
    messageCategory: messageCategory(fctx, body.messageCategory) ?? a.messageCategory,
    threeDSServerTransID: rec.threeDSServerTransID,
    acsTransID: a.acsTransID,
    dsTransID: a.dsTransID,
    ...(rec.app?.sdkTransID && { sdkTransID: rec.app.sdkTransID }),
    transStatus: status,
  };
  const reason = code2(fctx, body.transStatusReason, 'transStatusReason');
  if (reason) rq.transStatusReason = reason;
  const eci = numeric(fctx, body.eci, 'eci', 2);
  if (eci) rq.eci = eci.padStart(2, '0');
  const av = text(fctx, body.authenticationValue, 'authenticationValue');
  if (av) {
    if (!/^[A-Za-z0-9+/]{1,40}={0,2}$/.test(av)) throw invalid(fctx, 'authenticationValue', 'must be base64');
    rq.authenticationValue = av;
  }
  // authenticationMethod: an array in 2.3.1; one code as a string is read too.
  const rawMethod = body.authenticationMethod;
  const methods = (Array.isArray(rawMethod) ? rawMethod : [rawMethod])
    .map((m) => code2(fctx, m, 'authenticationMethod'))
    .filter((m): m is string => m !== undefined);
  if (Array.isArray(rawMethod) && (rawMethod.length === 0 || rawMethod.length > 99))
    throw invalid(fctx, 'authenticationMethod', 'must hold 1 to 99 codes');
  if (methods.length > 0) rq.authenticationMethod = methods;
  const type = code2(fctx, body.authenticationType, 'authenticationType');
  if (type) rq.authenticationType = type;
  const counter = numeric(fctx, body.interactionCounter, 'interactionCounter', 2);
  if (counter) rq.interactionCounter = counter.padStart(2, '0');
  const cancel = code2(fctx, body.challengeCancel, 'challengeCancel');
  if (cancel) rq.challengeCancel = cancel;
  const rendering = body.acsRenderingType;
  if (rendering !== undefined && rendering !== null) {
    const r = rendering as Json;
    if (typeof r !== 'object' || Array.isArray(r)) throw invalid(fctx, 'acsRenderingType', 'must be an object');
    const acsInterface = code2(fctx, r.acsInterface, 'acsInterface', ['01', '02']);
    const acsUiTemplate = code2(fctx, r.acsUiTemplate, 'acsUiTemplate');
    const mode = code2(fctx, r.deviceUserInterfaceMode, 'deviceUserInterfaceMode', ['01', '02', '03', '04']);
    if (acsInterface && acsUiTemplate)
      rq.acsRenderingType = { acsInterface, acsUiTemplate, ...(mode !== undefined && { deviceUserInterfaceMode: mode }) };
  }
  return shapeRReq(rq, a.flow);
}

export async function finalCall(core: ProtocolCore, raw: unknown): Promise<FinalOutcome> {
  const body = bodyObject(raw, '');
  const fctx: FieldContext = { ids: {}, messageType: '' };
  const id = transactionId(fctx, body.threeDSServerTransID);
  const rec = await known(core, id, '');
  const a = rec.auth;
  if (a?.dsError) throw new DirectoryServerError(a.dsError, { threeDSServerTransID: id, dsTransID: a.dsTransID }, a.messageVersion);
  const outcome = finalOutcome(rec);
  if (outcome) return outcome;
  if (!a) throw new AppError('TRANSACTION_DATA_INVALID', 'threeDSServerTransID: the transaction has not been authenticated', fctx.ids);
  const what = rec.stage === 'decoupled' ? 'decoupled authentication' : 'challenge';
  // A broken-response card says why the challenge may never complete (SPEC §4).
  const why = a.broken === undefined ? '' : ` (${BROKEN_NOTES[a.broken]})`;
  throw new AppError(
    'RESULTS_PENDING',
    `the ${what} of this transaction is not completed yet${why}`,
    { ...fctx.ids, acsTransID: a.acsTransID, dsTransID: a.dsTransID },
    {
      messageVersion: a.messageVersion,
    },
  );
}
