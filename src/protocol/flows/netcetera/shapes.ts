// The Netcetera-shaped API (SPEC §16) as data: its paths, the bodies it answers with, and how the
// product's own answers map onto them. Pure functions over plain objects; netcetera.ts runs the calls.
// The shapes are the ones Netcetera documents and the ones Hyperswitch's Netcetera connector reads:
// - a card range names its scheme as Netcetera does ("Visa", "American Express", …) and lists the ACS's
//   versions with their 3DS Method URL; clients take the range with the highest
//   highestCommonSupportedVersion and the method URL of that version's entry;
// - the authentication answer never carries an `errorDetails` key on success (the connector reads it as
//   an untagged enum that tries the error shape first), `acsChallengeMandated` is "Y" on every challenge
//   (the connector opens a challenge on that flag alone) and the echoed challenge indicator is an array;
// - errors are `{errorDetails}` with the Erro's fields.
import { type AppError, erroMessage } from '../../../errors.js';
import { compareVersions } from '../../rules/version-negotiation.js';
import { toBase64Url } from '../../wire/encoding.js';
import type { ARes, AuthenticateResponse, CardRangeOut } from '../../wire/messages.js';

export const NETCETERA_PATHS = {
  versioning: '/3ds/versioning',
  /** The versioned forms of the same call (Netcetera's API versions 3 and 4 share this card range list). */
  versioningV3: '/3ds/v3/versioning',
  versioningV4: '/3ds/v4/versioning',
  authentication: '/3ds/authentication',
  challengeResponse: '/3ds/challenge-response',
  /** Where the ACS's 3DS Method page reports back (the threeDSMethodNotificationURL in threeDSMethodDataForm). */
  methodNotification: '/3ds/3ds-method-notification',
} as const;

/** Netcetera's scheme IDs and the Directory Servers' registered IDs (RID), by the configured scheme name. */
const SCHEMES: Record<string, { schemeId: string; directoryServerId?: string }> = {
  visa: { schemeId: 'Visa', directoryServerId: 'A000000003' },
  mastercard: { schemeId: 'Mastercard', directoryServerId: 'A000000004' },
  amex: { schemeId: 'American Express', directoryServerId: 'A000000025' },
  'american express': { schemeId: 'American Express', directoryServerId: 'A000000025' },
  // Discover and Diners Club share one network; Netcetera (and the connector) know it as "Diners".
  discover: { schemeId: 'Diners', directoryServerId: 'A000000152' },
  diners: { schemeId: 'Diners', directoryServerId: 'A000000152' },
  jcb: { schemeId: 'JCB', directoryServerId: 'A000000065' },
  unionpay: { schemeId: 'UnionPay', directoryServerId: 'A000000333' },
  cb: { schemeId: 'CB', directoryServerId: 'A000000042' },
  cartesbancaires: { schemeId: 'CB', directoryServerId: 'A000000042' },
  mir: { schemeId: 'Mir', directoryServerId: 'A000000658' },
};

/** The Netcetera scheme of a configured scheme name; an unknown name is passed on as configured. */
export function netceteraScheme(scheme: string): { schemeId: string; directoryServerId?: string } {
  return SCHEMES[scheme.toLowerCase()] ?? { schemeId: scheme };
}

export interface AcsProtocolVersion {
  version: string;
  acsInfoInd: string[];
  threeDSMethodURL?: string;
}

export interface NetceteraCardRange {
  schemeId: string;
  directoryServerId?: string;
  acsStartProtocolVersion: string;
  acsEndProtocolVersion: string;
  dsStartProtocolVersion: string;
  dsEndProtocolVersion: string;
  acsInfoInd: string[];
  acsProtocolVersions: AcsProtocolVersion[];
  dsProtocolVersions: string[];
  threeDSMethodDataForm?: { threeDSMethodData: string };
  highestCommonSupportedVersion: string;
}

export interface NetceteraVersioningResponse {
  threeDSServerTransID: string;
  isCardFoundIn2xRanges: boolean;
  cardRanges: NetceteraCardRange[];
}

export interface VersioningFacts {
  threeDSServerTransID: string;
  /** The product's card range for the card (absent: the card is in no range). */
  range?: CardRangeOut;
  /** The configured scheme of that range. */
  scheme?: string;
  /** The versions this server (and its Directory Server) speaks. */
  supportedVersions: readonly string[];
  /** {base}: the threeDSMethodNotificationURL is built from it. */
  baseUrl: string;
}

/**
 * The versioning answer. A card in no range, or in a range that shares no version with this server, has
 * no card range (the connector then treats it as not enrolled, version 0.0.0).
 */
export function toVersioningResponse(f: VersioningFacts): NetceteraVersioningResponse {
  const r = f.range;
  const out: NetceteraVersioningResponse = {
    threeDSServerTransID: f.threeDSServerTransID,
    isCardFoundIn2xRanges: r !== undefined,
    cardRanges: [],
  };
  if (r === undefined || f.scheme === undefined) return out;
  const ds = [...f.supportedVersions].sort(compareVersions);
  const acs = ds.filter((v) => compareVersions(v, r.acsStartProtocolVersion) >= 0 && compareVersions(v, r.acsEndProtocolVersion) <= 0);
  const highest = acs.at(-1);
  if (highest === undefined || ds.length === 0) return out;
  const method = r.threeDSMethodURL;
  const range: NetceteraCardRange = {
    ...netceteraScheme(f.scheme),
    acsStartProtocolVersion: r.acsStartProtocolVersion,
    acsEndProtocolVersion: r.acsEndProtocolVersion,
    dsStartProtocolVersion: ds[0] as string,
    dsEndProtocolVersion: ds.at(-1) as string,
    acsInfoInd: [...r.acsInfoInd],
    acsProtocolVersions: acs.map((version) => ({
      version,
      acsInfoInd: [...r.acsInfoInd],
      ...(method !== undefined && { threeDSMethodURL: method }),
    })),
    dsProtocolVersions: ds,
    ...(method !== undefined && { threeDSMethodDataForm: { threeDSMethodData: methodData(f.threeDSServerTransID, f.baseUrl) } }),
    highestCommonSupportedVersion: highest,
  };
  out.cardRanges.push(range);
  return out;
}

/** threeDSMethodData as the requestor posts it to the threeDSMethodURL: base64url of the EMV JSON. */
function methodData(id: string, baseUrl: string): string {
  return toBase64Url(
    JSON.stringify({ threeDSServerTransID: id, threeDSMethodNotificationURL: `${baseUrl}${NETCETERA_PATHS.methodNotification}` }),
  );
}

export interface NetceteraAuthenticationResponse {
  threeDSServerTransID: string;
  transStatus: string;
  authenticationValue?: string;
  eci?: string;
  acsChallengeMandated: 'Y' | 'N';
  authenticationRequest: Record<string, unknown>;
  authenticationResponse: ARes;
  base64EncodedChallengeRequest?: string;
}

/** The challenge indicator as Netcetera returns it: an array, whatever the message version. */
function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

/** The authentication answer from the product's authenticate answer (the same transaction, reshaped). */
export function toAuthenticationResponse(r: AuthenticateResponse): NetceteraAuthenticationResponse {
  const echo = r.authenticationRequest;
  const ind = echo.threeDSRequestorChallengeInd;
  return {
    threeDSServerTransID: r.threeDSServerTransID,
    transStatus: r.transStatus,
    ...(r.authenticationValue !== undefined && { authenticationValue: r.authenticationValue }),
    ...(r.eci !== undefined && { eci: r.eci }),
    acsChallengeMandated: r.transStatus === 'C' ? 'Y' : r.acsChallengeMandated,
    authenticationRequest: ind === undefined || ind === null ? echo : { ...echo, threeDSRequestorChallengeInd: asList(ind) },
    authenticationResponse: r.authenticationResponse,
    ...(r.base64EncodedChallengeRequest !== undefined && { base64EncodedChallengeRequest: r.base64EncodedChallengeRequest }),
  };
}

export interface NetceteraChallengeResponse {
  threeDSServerTransID: string;
  base64EncodedCRes: string;
  challengeResponse: Record<string, unknown>;
}

export interface NetceteraErrorDetails {
  threeDSServerTransID?: string;
  acsTransID?: string;
  dsTransID?: string;
  sdkTransID?: string;
  errorCode: string;
  errorComponent: string;
  errorDescription: string;
  errorDetail: string;
  errorMessageType?: string;
}

/** The body of an error answer of this API: `{errorDetails}` with the Erro's fields (no envelope line). */
export function netceteraErrorBody(err: AppError): { errorDetails: NetceteraErrorDetails } {
  const m = erroMessage(err);
  const d: NetceteraErrorDetails = {
    ...(m.threeDSServerTransID !== undefined && { threeDSServerTransID: m.threeDSServerTransID }),
    ...(m.acsTransID !== undefined && { acsTransID: m.acsTransID }),
    ...(m.dsTransID !== undefined && { dsTransID: m.dsTransID }),
    ...(m.sdkTransID !== undefined && { sdkTransID: m.sdkTransID }),
    errorCode: m.errorCode,
    errorComponent: m.errorComponent,
    errorDescription: m.errorDescription,
    errorDetail: m.errorDetail,
    ...(m.errorMessageType ? { errorMessageType: m.errorMessageType } : {}),
  };
  return { errorDetails: d };
}
