// The browser CReq as clients post it (SPEC §5): base64url or base64, padded or not (the EMV way), or
// raw JSON (the existing mock's way, whose clients also spell the IDs threeDsServerTransId/acsTransId).
import { AppError } from '../errors.js';
import { isUuid, fromBase64Lenient, parseJsonObject } from './encoding.js';
import { code2, type FieldContext, invalid, missing } from './fields.js';

export interface ParsedCReq {
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
  const type = field(o, 'messageType');
  if (type !== undefined && type !== 'CReq') {
    throw new AppError('MESSAGE_NOT_RECOGNISED', `messageType: expected CReq, got ${String(type).slice(0, 20)}`, {}, { errorMessageType: 'CReq' });
  }
  const id = field(o, 'threeDSServerTransID');
  if (id === undefined || id === null || id === '') throw missing(fctx, 'threeDSServerTransID');
  if (!isUuid(id)) throw invalid(fctx, 'threeDSServerTransID', 'must be a UUID (36 characters)');
  fctx.ids = { threeDSServerTransID: id };
  const acs = field(o, 'acsTransID');
  if (acs !== undefined && acs !== null && !isUuid(acs)) throw invalid(fctx, 'acsTransID', 'must be a UUID (36 characters)');
  const version = field(o, 'messageVersion');
  const size = code2(fctx, field(o, 'challengeWindowSize'), 'challengeWindowSize', ['01', '02', '03', '04', '05']);
  return {
    threeDSServerTransID: id,
    ...(typeof acs === 'string' && { acsTransID: acs }),
    ...(typeof version === 'string' && /^[0-9]+\.[0-9]+\.[0-9]+$/.test(version) && { messageVersion: version }),
    ...(size !== undefined && { challengeWindowSize: size }),
    encoding,
  };
}
