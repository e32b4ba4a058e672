// Shapes of the EMV 3DS messages and API bodies this server answers with (SPEC §3). Plain data: built by
// the protocol functions, serialized by the adapters.

/** The 3DS SDK's ephemeral public key (sdkEphemPubKey), as the AReq parser normalises it. */
export interface SdkKey {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

export interface CardRangeOut {
  startRange: string;
  endRange: string;
  acsStartProtocolVersion: string;
  acsEndProtocolVersion: string;
  acsInfoInd: string[];
  threeDSMethodURL?: string;
}

export interface VersionResponse {
  threeDSServerTransID: string;
  cardRanges: CardRangeOut[];
}

export interface ARes {
  messageType: 'ARes';
  messageVersion: string;
  threeDSServerTransID: string;
  acsTransID: string;
  dsTransID: string;
  sdkTransID?: string;
  transStatus: string;
  transStatusReason?: string;
  acsChallengeMandated: 'Y' | 'N';
  /** 2.1.0, 2.2.0 (C, D); message-shapes.ts turns it into authenticationMethod for 2.3.1. */
  authenticationType?: string;
  /** 2.3.1 (C, D): an array; builders may give one code, the shaper makes the array. */
  authenticationMethod?: string | string[];
  authenticationValue?: string;
  eci?: string;
  acsReferenceNumber: string;
  acsOperatorID: string;
  dsReferenceNumber: string;
  acsURL?: string;
  acsDecConInd?: 'Y' | 'N';
  /** D: text for the cardholder; a string of at most 128 characters before 2.3.1, `{text}` in 2.3.1. */
  cardholderInfo?: string | { text: string };
  acsSignedContent?: string;
  acsRenderingType?: AcsRenderingType;
  deviceInfoRecognisedVersion?: string;
  /** 2.3.1 app ARes (required): whether the OOB app supports the 3DS Requestor App URL. */
  threeDSRequestorAppURLInd?: 'Y' | 'N';
  messageExtension?: MessageExtension[];
}

/** ACS Rendering Type (Annex A Table A.14); deviceUserInterfaceMode is required from 2.3.1. */
export interface AcsRenderingType {
  acsInterface: string;
  acsUiTemplate: string;
  deviceUserInterfaceMode?: string;
}

/** One Message Extension (Annex A.12): data the core specification does not define. */
export interface MessageExtension {
  name: string;
  id: string;
  criticalityIndicator: boolean;
  data: unknown;
}

export interface CReq {
  messageType: 'CReq';
  messageVersion: string;
  threeDSServerTransID: string;
  acsTransID: string;
  challengeWindowSize?: string;
  sdkTransID?: string;
}

export interface CRes {
  messageType: 'CRes';
  messageVersion: string;
  threeDSServerTransID: string;
  acsTransID: string;
  transStatus: string;
  challengeCompletionInd: 'Y';
}

export interface AuthenticateResponse {
  threeDSServerTransID: string;
  transStatus: string;
  acsChallengeMandated: 'Y' | 'N';
  purchaseDate: string;
  authenticationRequest: Record<string, unknown>;
  authenticationResponse: ARes;
  challengeRequest?: CReq;
  base64EncodedChallengeRequest?: string;
  acsURL?: string;
  eci?: string;
  authenticationValue?: string;
}

export interface ResultsRequest {
  messageType: 'RReq';
  messageVersion: string;
  messageCategory: string;
  threeDSServerTransID: string;
  acsTransID: string;
  dsTransID: string;
  sdkTransID?: string;
  transStatus: string;
  transStatusReason?: string;
  eci?: string;
  authenticationValue?: string;
  /** 2.3.1 (Y, N): an array; builders may give one code, the shaper makes the array. */
  authenticationMethod?: string | string[];
  /** 2.1.0, 2.2.0 (Y, N). */
  authenticationType?: string;
  interactionCounter?: string;
  challengeCancel?: string;
  acsRenderingType?: AcsRenderingType;
}

export interface ResultsResponse {
  messageType: 'RRes';
  messageVersion: string;
  threeDSServerTransID: string;
  acsTransID: string;
  dsTransID: string;
  sdkTransID?: string;
  resultsStatus: '01';
}

/** /3ds/final's body and (with the results parts) the results push payload. */
export interface FinalOutcome {
  threeDSServerTransID: string;
  transStatus: string;
  eci?: string;
  authenticationValue?: string;
  resultsRequest?: ResultsRequest;
  resultsResponse?: ResultsResponse;
}
