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
  authenticationType?: string;
  authenticationValue?: string;
  eci?: string;
  acsReferenceNumber: string;
  acsOperatorID: string;
  dsReferenceNumber: string;
  acsURL?: string;
  acsDecConInd?: 'Y' | 'N';
  acsSignedContent?: string;
  acsRenderingType?: { acsInterface: string; acsUiTemplate: string };
  deviceInfoRecognisedVersion?: string;
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
  authenticationMethod?: string;
  authenticationType?: string;
  interactionCounter?: string;
  challengeCancel?: string;
  acsRenderingType?: { acsInterface: string; acsUiTemplate: string };
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
