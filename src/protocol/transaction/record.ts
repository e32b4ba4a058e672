// The transaction record (SPEC §7): everything later steps of a 3DS transaction need, and nothing they
// can rebuild (a million of them may sit in the embedded store: issue 10), as one plain JSON-serializable
// object stored under its threeDSServerTransID. The PAN is kept masked and the CVC never enters it.
// `final: true` marks records nothing can change any more: the store's L1 serves those without asking
// L2, so it is set only once results exist or the ARes ended the transaction.
import type { BrokenResponse } from '../../config/index.js';
import type { AuthenticateResponse, FinalOutcome, ResultsRequest, ResultsResponse } from '../wire/messages.js';
import type { ChallengeState } from './challenge-machine.js';

export type Flow = 'browser' | 'app' | '3ri';

/** Where a transaction stands. */
type Stage =
  /** Opened by a version call (or a 3DS Method), no authenticate yet. */
  | 'opened'
  /** ARes answered without a results phase (Y, A, N, R, U, I). */
  | 'frictionless'
  /** ARes answered C: a challenge is open. */
  | 'challenge'
  /** ARes answered D: decoupled authentication is running. */
  | 'decoupled'
  /** Results recorded (by the ACS or a client RReq). */
  | 'completed'
  /** The Directory Server answered an Erro. */
  | 'ds-error';

/** App-channel state, filled by the app challenge (crypto) work; kept opaque here. */
export interface AppFlowState {
  sdkTransID: string;
  /** The SDK's ephemeral public key, normalised to one JWK shape. */
  sdkEphemPubKey?: { kty: 'EC'; crv: 'P-256'; x: string; y: string };
  sdkReferenceNumber?: string;
  sdkAppID?: string;
  /** ACS ephemeral private key (JWK) for the challenge's key agreement. */
  acsEphemPrivKey?: Record<string, string>;
  /** Next expected sdkCounterStoA and next acsCounterAtoS, as numbers. */
  sdkCounterStoA?: number;
  acsCounterAtoS?: number;
  /** Room for what the app challenge adds later. */
  [key: string]: unknown;
}

export interface AuthState {
  /** sha256 (hex) of the canonical JSON of the AReq body: tells a retry from a conflicting repeat. */
  requestHash: string;
  flow: Flow;
  messageVersion: string;
  messageCategory: string;
  acsTransID: string;
  dsTransID: string;
  acsOperatorID: string;
  acsReferenceNumber: string;
  notificationURL?: string;
  resultsURL?: string;
  challengeWindowSize?: string;
  /**
   * What the answer holds beyond this AuthState and the AReq (ares-builder.ts renders a retry's answer
   * from them, byte for byte the first). Layout 1 records hold the whole answer, acctNumber masked.
   */
  response?: StoredAnswer | AuthenticateResponse;
  /** The Erro of the DS scenario, replayed to a retry. */
  dsError?: { errorCode: string; errorComponent: string; errorDescription: string };
  /** How the answer of a broken-response test card broke the specification (SPEC §4), replayed to a retry. */
  broken?: BrokenResponse;
  /** ARes outcome. */
  transStatus: string;
  transStatusReason?: string;
  eci?: string;
  authenticationValue?: string;
  authenticatedAt: number;
}

/** The echo's fields the ACS page shows (merchant and amount), as the echo carried them. */
export type PageEcho = { merchantName?: string; purchaseAmount?: string; purchaseCurrency?: string; purchaseExponent?: string };

/** The parts of an authenticate answer that neither AuthState nor a retry's AReq holds. */
export interface StoredAnswer {
  /** The public base URL of the answer's URLs (acsURL, threeDSServerURL): it may change on reload. */
  baseUrl: string;
  authenticationType?: string;
  /** The 2.3.1 authenticationMethod, kept only when authenticationType does not imply it (the select UIs). */
  authenticationMethod?: string;
  /** App challenge: the ARes's acsRenderingType template. */
  acsUiType?: string;
  /** App challenge: the signed content as sent (its signature is randomised: it cannot be rebuilt). */
  acsSignedContent?: string;
  /** Named as in the whole answer, so readers of the echo find the page's fields in either layout. */
  authenticationRequest: PageEcho;
}

/** True for a layout 1 record's answer, stored whole. */
export function isWholeAnswer(r: StoredAnswer | AuthenticateResponse): r is AuthenticateResponse {
  return 'authenticationResponse' in r;
}

export interface TransactionRecord {
  /**
   * Record layout version, for readers of older records after an upgrade: 2 stores the answer as
   * StoredAnswer, 1 stored it whole.
   */
  v: 1 | 2;
  threeDSServerTransID: string;
  createdAt: number;
  updatedAt: number;
  stage: Stage;
  /** Set once nothing can change the record any more (see file header). */
  final?: true;
  /** Masked PAN (first 6, last 4). */
  maskedPan?: string;
  scheme?: string;
  /** The scenario key that matched (last 4, full-PAN entries recorded masked, or "default"). */
  scenarioKey?: string;
  /** How the scenario was chosen when not by the card (SPEC §4): the X-Mock-Scenario header or the M3DS-SCENARIO extension. */
  scenarioSource?: 'header' | 'extension';
  /** The 3DS Method ran for this transaction (the ACS saw it). */
  threeDSMethodSeenAt?: number;
  auth?: AuthState;
  challenge?: ChallengeState;
  /** Decoupled authentication completes (results Y) at this time. */
  decoupledDueAt?: number;
  results?: { request: ResultsRequest; response: ResultsResponse; recordedAt: number; source: 'acs' | 'client' };
  app?: AppFlowState;
}

/** For the store's isImmutable: a final record can never change, so L1 may serve it without asking L2. */
export function isFinalRecord(rec: TransactionRecord): boolean {
  return rec.final === true;
}

/** A fresh record for an ID opened by a version call or a 3DS Method. */
export function openedRecord(id: string, now: number, extra: Partial<TransactionRecord> = {}): TransactionRecord {
  return { v: 2, threeDSServerTransID: id, createdAt: now, updatedAt: now, stage: 'opened', ...extra };
}

/**
 * The final outcome of a record as /3ds/final and the results push present it (exactly the fields real
 * 3DS Servers send: strict clients reject unknown ones; the reason is inside resultsRequest); undefined
 * while open.
 */
export function finalOutcome(rec: TransactionRecord): FinalOutcome | undefined {
  if (rec.results) {
    const rq = rec.results.request;
    return {
      threeDSServerTransID: rec.threeDSServerTransID,
      transStatus: rq.transStatus,
      ...(rq.eci !== undefined && { eci: rq.eci }),
      ...(rq.authenticationValue !== undefined && { authenticationValue: rq.authenticationValue }),
      resultsRequest: rq,
      resultsResponse: rec.results.response,
    };
  }
  if (rec.stage === 'frictionless' && rec.auth) {
    const a = rec.auth;
    return {
      threeDSServerTransID: rec.threeDSServerTransID,
      transStatus: a.transStatus,
      ...(a.eci !== undefined && { eci: a.eci }),
      ...(a.authenticationValue !== undefined && { authenticationValue: a.authenticationValue }),
    };
  }
  return undefined;
}
