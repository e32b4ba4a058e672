// The Netcetera-shaped 3DS Server API (SPEC §16) over the product's own flows: versioning is the card
// range lookup, authentication is the AReq → ARes step, both answered in Netcetera's shapes (shapes.ts),
// so the two APIs share transactions, scenarios and the store. The challenge runs on the product's ACS
// pages and /challenge, and results are pushed by the product's results push, whose body is already the
// one Netcetera clients read. The product's calls come in from protocol.ts (a flow never imports another).
import { AppError } from '../../../errors.js';
import type { ProtocolCore, RequestContext } from '../../core.js';
import { configTables } from '../../rules/config-tables.js';
import { loadRecord } from '../../transaction/lifecycle.js';
import { fromBase64Lenient, parseJsonObject } from '../../wire/encoding.js';
import { bodyObject, checkMessageType, type FieldContext, invalid, missing, pan, text, transactionId, uuid } from '../../wire/fields.js';
import type { AuthenticateResponse, VersionResponse } from '../../wire/messages.js';
import {
  type NetceteraAuthenticationResponse,
  type NetceteraChallengeResponse,
  type NetceteraVersioningResponse,
  toAuthenticationResponse,
  toVersioningResponse,
} from './shapes.js';

/** The product's calls this API is built on. */
export interface ProductCalls {
  version(body: unknown, ctx: RequestContext): Promise<VersionResponse>;
  authenticate(body: unknown, ctx: RequestContext): Promise<AuthenticateResponse>;
}

export interface NetceteraApi {
  /** POST /3ds/versioning: {cardholderAccountNumber, schemeId?} → the card's ranges and a new transaction. */
  versioning(body: unknown, ctx: RequestContext): Promise<NetceteraVersioningResponse>;
  /** POST /3ds/authentication: Netcetera's authentication request → its success shape (errors are thrown). */
  authentication(body: unknown, ctx: RequestContext): Promise<NetceteraAuthenticationResponse>;
  /** POST /3ds/challenge-response: {base64EncodedCRes} → the CRes decoded, checked against its transaction. */
  challengeResponse(body: unknown): Promise<NetceteraChallengeResponse>;
}

export function netceteraApi(core: ProtocolCore, calls: ProductCalls): NetceteraApi {
  return {
    async versioning(body, ctx) {
      const b = bodyObject(body, '');
      const fctx: FieldContext = { ids: {}, messageType: '' };
      const card = pan(fctx, b.cardholderAccountNumber, 'cardholderAccountNumber');
      // Accepted and checked, not used to filter: a card belongs to one configured range, and the
      // connector only names the scheme of co-badged cards.
      text(fctx, b.schemeId, 'schemeId');
      const v = await calls.version({ cardNumber: card }, ctx);
      const config = core.config();
      const match = configTables(config).ranges.lookup(card);
      const range = v.cardRanges[0];
      return toVersioningResponse({
        threeDSServerTransID: v.threeDSServerTransID,
        ...(range !== undefined && { range }),
        ...(range !== undefined && match !== undefined && { scheme: match.scheme }),
        supportedVersions: config.protocol.supportedVersions,
        baseUrl: ctx.baseUrl,
      });
    },

    async authentication(body, ctx) {
      return toAuthenticationResponse(await calls.authenticate(withoutLatest(body), ctx));
    },

    async challengeResponse(body) {
      const b = bodyObject(body, 'CRes');
      const fctx: FieldContext = { ids: {}, messageType: 'CRes' };
      const encoded = b.base64EncodedCRes;
      if (encoded === undefined || encoded === null || encoded === '') throw missing(fctx, 'base64EncodedCRes');
      if (typeof encoded !== 'string') throw invalid(fctx, 'base64EncodedCRes', 'must be a string');
      const decoded = fromBase64Lenient(encoded);
      const cres = decoded === undefined ? undefined : parseJsonObject(decoded);
      if (!cres) throw invalid(fctx, 'base64EncodedCRes', 'must be a CRes as base64 or base64url');
      checkMessageType(fctx, cres.messageType, true);
      const id = transactionId(fctx, cres.threeDSServerTransID);
      const acsTransID = uuid(fctx, cres.acsTransID, 'acsTransID');
      const rec = await loadRecord(core, id);
      if (!rec)
        throw new AppError('TRANSACTION_NOT_FOUND', 'threeDSServerTransID: unknown or expired transaction', fctx.ids, {
          errorMessageType: 'CRes',
        });
      if (rec.auth?.acsTransID !== acsTransID) {
        throw new AppError('TRANSACTION_DATA_INVALID', 'acsTransID: does not match the transaction', fctx.ids, {
          errorMessageType: 'CRes',
          ...(rec.auth && { messageVersion: rec.auth.messageVersion }),
        });
      }
      return { threeDSServerTransID: id, base64EncodedCRes: encoded, challengeResponse: cres };
    },
  };
}

/**
 * Netcetera accepts preferredProtocolVersion "latest" (the highest version it is certified for): that is
 * what the product does without a preferred version, so the field is dropped.
 */
function withoutLatest(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const o = body as Record<string, unknown>;
  if (o.preferredProtocolVersion !== 'latest') return body;
  const { preferredProtocolVersion: _latest, ...rest } = o;
  return rest;
}
