// Shapes of the EMV 3DS app-channel cryptography (SPEC §6), shared by the crypto modules, the pool
// threads and the protocol layer. Types only: importing this file loads nothing at run time.

/** JWS algorithm of acsSignedContent. */
export type SigningAlg = 'PS256' | 'ES256';

/** JWE content encryption of CReq/CRes (always with `alg: "dir"`). */
export type ContentEnc = 'A128CBC-HS256' | 'A128GCM';

export const CONTENT_ENCS: readonly ContentEnc[] = ['A128CBC-HS256', 'A128GCM'];

/** A P-256 public key as EMV messages carry it. */
export interface EcPublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

/** A P-256 private key: serializable, so the transaction record can keep it. */
export interface EcPrivateJwk extends EcPublicJwk {
  d: string;
}

/** The ACS ephemeral key of one transaction. */
export interface EphemeralKey {
  publicJwk: EcPublicJwk;
  privateJwk: EcPrivateJwk;
}

/** Payload of acsSignedContent (SPEC §6); key order is the order of the JSON. */
export interface AcsSignedContentPayload {
  /** Absent only for the broken-response test card no-acs-url (SPEC §4). */
  acsURL?: string;
  acsEphemPubKey: EcPublicJwk;
  sdkEphemPubKey: EcPublicJwk;
  acsTransID?: string;
  acsRefNumber?: string;
}

/** Protected header of a compact JWE, as read before decrypting. */
export interface JweHeader {
  alg: string;
  enc: string;
  kid?: string;
  [param: string]: unknown;
}

/** A decrypted CReq: its header and its JSON object. */
export interface DecryptedMessage {
  header: JweHeader;
  payload: Record<string, unknown>;
}
