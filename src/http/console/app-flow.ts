// The QA console's app-flow runner (SPEC §6, §17): the server plays a 3DS SDK against its own protocol
// service, in process — version, an app AReq carrying a fresh P-256 ephemeral key, acsSignedContent
// verified with its x5c certificate (and checked to echo the SDK key), the session key (ECDH and the
// EMV Concat KDF), then CReq/CRes as compact JWE (`dir`, A128CBC-HS256 or A128GCM) until the challenge
// ends, and /3ds/final. The cardholder's part is one answer given up front (or a cancel). Every message
// goes back masked, as the trail keeps it. This is a tool, not the tests' independent SDK
// (test/helpers/sdk.ts): it reuses the server's key derivation, which the tests check separately.
import crypto, { X509Certificate } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, compactVerify, decodeProtectedHeader } from 'jose';
import { deriveEmvKey } from '../../crypto/concat-kdf.js';
import type { ContentEnc } from '../../crypto/crypto-types.js';
import { contentKey } from '../../crypto/jwe.js';
import { AppError, errorEnvelope } from '../../errors.js';
import type { RequestContext } from '../../protocol/core.js';
import type { Protocol } from '../../protocol/protocol.js';
import { maskedJson } from '../../store/inspection/trail-entry.js';

export const APP_FLOW_ENCS: readonly ContentEnc[] = ['A128CBC-HS256', 'A128GCM'];
export const APP_FLOW_VERSIONS = ['2.1.0', '2.2.0', '2.3.1'] as const;
/** CReqs at most: the first (asks for the UI), then answers; a wrong answer repeats until the ACS gives up. */
const MAX_CREQS = 8;
// The reference numbers the SDKs of test/helpers/sdk.ts use; the ACS takes the AReq's for the KDF.
const SDK_REFERENCE: Record<ContentEnc, string> = {
  'A128CBC-HS256': '3DS_LOA_SDK_JTPL_020200_00788',
  A128GCM: '3DS_LOA_SDK_JTPL_020200_00805',
};

export interface AppFlowInput {
  cardNumber: string;
  /** What the cardholder enters: the code, the option(s) "02" or "01,03"; ignored for out of band. */
  answer: string;
  /** Cancel the challenge once it is shown, instead of answering. */
  cancel: boolean;
  messageVersion: (typeof APP_FLOW_VERSIONS)[number];
  enc: ContentEnc;
}

export interface AppFlowStep {
  /** version, ARes, CReq, CRes, Erro, final, or note (something the SDK noticed). */
  kind: string;
  time: string;
  note?: string;
  message?: unknown;
}

export interface AppFlowResult {
  threeDSServerTransID: string;
  /** The ARes's transStatus (absent after an Erro). */
  transStatus?: string;
  /** The final CRes's transStatus, when a challenge ran to its end. */
  challengeStatus?: string;
  steps: AppFlowStep[];
  /** /3ds/final's answer, or its error envelope. */
  final: unknown;
}

interface Jwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

const pad3 = (n: number) => String(n).padStart(3, '0');
const masked = (m: unknown): unknown => JSON.parse(maskedJson(m));

/** The answer of a CReq to a CRes showing `acsUiType`. */
function answerFor(ui: unknown, input: AppFlowInput): Record<string, unknown> {
  if (input.cancel) return { challengeCancel: '01' };
  switch (ui) {
    case '04':
      return { oobContinue: input.messageVersion === '2.3.1' ? '01' : true };
    case '05':
      return { challengeHTMLDataEntry: `code=${encodeURIComponent(input.answer)}` };
    default:
      return { challengeDataEntry: input.answer };
  }
}

function appAReq(input: AppFlowInput, id: string, sdk: { transID: string; appID: string; key: Jwk }): Record<string, unknown> {
  return {
    threeDSServerTransID: id,
    deviceChannel: '01',
    messageCategory: '01',
    preferredProtocolVersion: input.messageVersion,
    enforcePreferredProtocolVersion: false,
    threeDSCompInd: 'U',
    sdkTransID: sdk.transID,
    sdkInformation: {
      sdkAppID: sdk.appID,
      sdkReferenceNumber: SDK_REFERENCE[input.enc],
      sdkTransID: sdk.transID,
      sdkMaxTimeout: 5,
      sdkEphemPubKey: sdk.key,
    },
    threeDSRequestor: { threeDSRequestorAuthenticationInd: '01', threeDSRequestorChallengeInd: '01' },
    cardholderAccount: { acctType: '02', cardExpiryDate: '2911', acctNumber: input.cardNumber },
    cardholder: { cardholderName: 'QA Console', email: 'qa.console@example.test', billAddrCountry: '756' },
    purchase: { purchaseAmount: 1000, purchaseCurrency: '978', purchaseExponent: 2, purchaseDate: purchaseDate(), transType: '01' },
    acquirer: { acquirerBin: '400551', acquirerMerchantId: 'QA-CONSOLE' },
    merchant: {
      mcc: '5411',
      merchantCountryCode: '756',
      threeDSRequestorID: 'qa-console',
      threeDSRequestorName: 'QA console',
      merchantName: 'QA console',
    },
    deviceRenderOptions: { sdkInterface: '03', sdkUiType: ['01', '02', '03', '04', '05'] },
  };
}

function purchaseDate(): string {
  return new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The Erro a protocol call answered (client errors), as the console shows it; anything else is thrown. */
function erroOf(err: unknown): unknown {
  if (err instanceof AppError) return errorEnvelope(err);
  throw err;
}

export async function runAppFlow(protocol: Protocol, ctx: RequestContext, input: AppFlowInput): Promise<AppFlowResult> {
  const steps: AppFlowStep[] = [];
  const step = (kind: string, message?: unknown, note?: string) =>
    steps.push({ kind, time: new Date().toISOString(), ...(note !== undefined && { note }), ...(message !== undefined && { message }) });

  const version = await protocol.version({ cardNumber: input.cardNumber }, ctx);
  const id = version.threeDSServerTransID;
  step('version', masked(version));
  const result: AppFlowResult = { threeDSServerTransID: id, steps, final: null };

  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pub = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
  const sdk = { transID: crypto.randomUUID(), appID: crypto.randomUUID(), key: { kty: 'EC', crv: 'P-256', x: pub.x, y: pub.y } as Jwk };

  let ares: Record<string, unknown> | undefined;
  try {
    const answer = await protocol.authenticate(appAReq(input, id, sdk), ctx);
    ares = answer.authenticationResponse as unknown as Record<string, unknown>;
    step('ARes', masked(ares));
  } catch (err) {
    step('Erro', erroOf(err), 'the AReq was answered with an error');
  }
  result.transStatus = str(ares?.transStatus) ?? 'E';
  if (ares && ares.transStatus === 'C') await challenge(protocol, input, sdk.transID, privateKey, ares, step, result);

  try {
    result.final = masked(await protocol.final({ threeDSServerTransID: id }, ctx));
    step('final', result.final);
  } catch (err) {
    result.final = erroOf(err);
    step('final', result.final, '/3ds/final answered an error');
  }
  return result;
}

async function challenge(
  protocol: Protocol,
  input: AppFlowInput,
  sdkTransID: string,
  privateKey: crypto.KeyObject,
  ares: Record<string, unknown>,
  step: (kind: string, message?: unknown, note?: string) => void,
  result: AppFlowResult,
): Promise<void> {
  const jws = str(ares.acsSignedContent);
  if (!jws) {
    step('note', undefined, 'a challenge without acsSignedContent: an SDK stops here');
    return;
  }
  let payload: Record<string, unknown>;
  try {
    const header = decodeProtectedHeader(jws);
    const x5c = Array.isArray(header.x5c) ? str(header.x5c[0]) : undefined;
    if (!x5c) throw new Error('acsSignedContent has no x5c certificate');
    const cert = new X509Certificate(Buffer.from(x5c, 'base64'));
    const verified = await compactVerify(jws, cert.publicKey, { algorithms: ['PS256', 'ES256'] });
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>;
  } catch (err) {
    step('note', undefined, `acsSignedContent does not verify: ${(err as Error).message}`);
    return;
  }
  const echoed = payload.sdkEphemPubKey as Jwk | undefined;
  const own = privateKey.export({ format: 'jwk' }) as { x: string; y: string };
  if (echoed?.x !== own.x || echoed?.y !== own.y) step('note', undefined, 'acsSignedContent does not echo the SDK key');
  if (ares.sdkTransID !== undefined && ares.sdkTransID !== sdkTransID)
    step('note', undefined, "the ARes's sdkTransID is not the SDK's: a real SDK stops here; the console goes on with its own");
  if (!str(payload.acsURL)) step('note', undefined, 'acsSignedContent carries no acsURL: a real SDK stops here; the console goes on');

  let session: Buffer;
  try {
    const acsKey = crypto.createPublicKey({ key: { ...(payload.acsEphemPubKey as Jwk) }, format: 'jwk' });
    session = deriveEmvKey(crypto.diffieHellman({ privateKey, publicKey: acsKey }), SDK_REFERENCE[input.enc]);
  } catch (err) {
    step('note', undefined, `no session key: ${(err as Error).message}`);
    return;
  }
  const acsTransID = str(ares.acsTransID) ?? str(payload.acsTransID) ?? '';
  const messageVersion = str(ares.messageVersion) ?? input.messageVersion;
  let fields: Record<string, unknown> = {};
  for (let n = 0; n < MAX_CREQS; n++) {
    const creq: Record<string, unknown> = {
      threeDSServerTransID: result.threeDSServerTransID,
      acsTransID,
      messageType: 'CReq',
      messageVersion,
      sdkTransID,
      sdkCounterStoA: pad3(n),
      ...fields,
    };
    step('CReq', masked({ ...creq, ...(creq.challengeDataEntry !== undefined && { challengeDataEntry: '(entered)' }) }));
    const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(creq)))
      .setProtectedHeader({ alg: 'dir', enc: input.enc, kid: acsTransID })
      .encrypt(contentKey(session, input.enc, 'sdk-to-acs'));
    const reply = await protocol.appChallenge(jwe);
    if (reply.type === 'erro') {
      step('Erro', masked(reply.erro), 'the ACS answered the CReq with an Erro');
      return;
    }
    if (reply.type === 'no-answer') {
      step('note', undefined, 'the ACS does not answer this CReq (it holds the request until the client gives up)');
      return;
    }
    if (reply.type !== 'cres') {
      step('note', undefined, `unexpected answer to the CReq: ${reply.type}`);
      return;
    }
    const { plaintext } = await compactDecrypt(reply.jwe, contentKey(session, input.enc, 'acs-to-sdk'), {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: [input.enc],
    });
    const cres = JSON.parse(new TextDecoder().decode(plaintext)) as Record<string, unknown>;
    step('CRes', masked(cres));
    if (cres.challengeCompletionInd === 'Y' || cres.transStatus !== undefined) {
      const status = str(cres.transStatus);
      if (status !== undefined) result.challengeStatus = status;
      return;
    }
    fields = answerFor(cres.acsUiType, input);
  }
  step('note', undefined, `the challenge did not end within ${MAX_CREQS} CReqs`);
}
