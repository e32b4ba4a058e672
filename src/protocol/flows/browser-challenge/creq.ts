// The browser CReq as clients post it (SPEC §5): base64url or base64, padded or not (the EMV way), or
// raw JSON (the existing mock's way, whose clients also spell the IDs threeDsServerTransId/acsTransId).
import { fromBase64Lenient, isUuid, parseJsonObject } from '../../wire/encoding.js';
import { checkMessageType, code2, type FieldContext, invalid, isMessageVersion, missing, transactionId } from '../../wire/fields.js';

interface ParsedCReq {
  threeDSServerTransID: string;
  acsTransID?: string;
  messageVersion?: string;
  challengeWindowSize?: string;
  /** "json" when the CReq came as raw JSON (the existing mock's clients), else "base64". */
  encoding: 'json' | 'base64';
}

/** Value of `key` matched case-insensitively (threeDSServerTransID / threeDsServerTransId). */
function field(o: Record<string, unknown>, key: string): unknown {
  if (key in o) return o[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(o)) if (k.toLowerCase() === lower) return o[k];
  return undefined;
}

export function parseCReq(raw: unknown): ParsedCReq {
  const fctx: FieldContext = { ids: {}, messageType: 'CReq' };
  if (raw === undefined || raw === null || raw === '') throw missing(fctx, 'creq');
  if (typeof raw !== 'string') throw invalid(fctx, 'creq', 'must be a string');
  const trimmed = raw.trim();
  const encoding = trimmed.startsWith('{') ? 'json' : 'base64';
  const decoded = encoding === 'json' ? trimmed : fromBase64Lenient(trimmed);
  const o = decoded === undefined ? undefined : parseJsonObject(decoded);
  if (!o) throw invalid(fctx, 'creq', 'must be a CReq as base64url, base64 or JSON');
  checkMessageType(fctx, field(o, 'messageType'));
  const id = transactionId(fctx, field(o, 'threeDSServerTransID'));
  const acs = field(o, 'acsTransID');
  if (acs !== undefined && acs !== null && !isUuid(acs)) throw invalid(fctx, 'acsTransID', 'must be a UUID (36 characters)');
  const version = field(o, 'messageVersion');
  const size = code2(fctx, field(o, 'challengeWindowSize'), 'challengeWindowSize', ['01', '02', '03', '04', '05']);
  return {
    threeDSServerTransID: id,
    ...(typeof acs === 'string' && { acsTransID: acs }),
    ...(isMessageVersion(version) && { messageVersion: version }),
    ...(size !== undefined && { challengeWindowSize: size }),
    encoding,
  };
}
