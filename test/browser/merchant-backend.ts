// The merchant's server side of 3DS, as a shop integrating globalpayments-3ds writes it: the library
// POSTs its own request shapes (checkVersion, initiateAuthentication) to the shop, and the shop turns
// them into the mock's /3ds/version and /3ds/authenticate calls and maps the answers back into the
// shapes the library acts on (methodUrl + methodData, challenge.requestUrl + encodedChallengeRequest).

type Json = Record<string, unknown>;

/** The EMV challengeWindowSize the shop asks for; the page sizes its iframe box to match. */
export type WindowSizeCode = '01' | '02' | '03' | '04' | '05';

export interface CheckVersionBody {
  methodNotificationUrl?: string;
  card?: { number?: string };
  /** Shop-side switch: false means the shop does not hand the method URL to the page. */
  runMethod?: boolean;
}

export interface InitiateAuthenticationBody {
  serverTransactionId?: string;
  methodUrlComplete?: 'YES' | 'NO' | 'UNAVAILABLE';
  challengeNotificationUrl?: string;
  challengeRequestIndicator?: string;
  messageCategory?: string;
  card?: { number?: string; expMonth?: string; expYear?: string; cardHolderName?: string };
  browserData?: {
    colorDepth?: string | boolean;
    javaEnabled?: boolean;
    language?: string | boolean;
    screenHeight?: number | boolean;
    screenWidth?: number | boolean;
    timezoneOffset?: number;
    userAgent?: string | boolean;
  };
  /** Shop-side field: the EMV window size code, sent by the page next to the library's fields. */
  windowSizeCode?: WindowSizeCode;
}

export interface BackendAnswer {
  status: number;
  body: Json;
}

const COMPLETION: Record<string, string> = { YES: 'Y', NO: 'N', UNAVAILABLE: 'U' };
const CHALLENGE_IND: Record<string, string> = {
  NO_PREFERENCE: '01',
  NO_CHALLENGE_REQUESTED: '02',
  CHALLENGE_PREFERRED: '03',
  CHALLENGE_MANDATED: '04',
};
// The library reports colour depth as words; EMV wants its 2-digit codes.
const COLOR_DEPTH: Record<string, string> = {
  ONE_BIT: '01',
  FOUR_BITS: '02',
  EIGHT_BITS: '03',
  FIFTEEN_BITS: '04',
  SIXTEEN_BITS: '05',
  TWENTY_FOUR_BITS: '06',
  THIRTY_TWO_BITS: '07',
  FORTY_EIGHT_BITS: '08',
};
// The library's TransactionStatus enum, from the EMV transStatus.
const STATUS: Record<string, string> = {
  Y: 'AUTHENTICATION_SUCCESSFUL',
  A: 'AUTHENTICATION_ATTEMPTED_BUT_NOT_SUCCESSFUL',
  N: 'AUTHENTICATION_FAILED',
  R: 'AUTHENTICATION_ISSUER_REJECTED',
  U: 'AUTHENTICATION_COULD_NOT_BE_PERFORMED',
  C: 'CHALLENGE_REQUIRED',
};

async function postJson(url: string, body: unknown): Promise<BackendAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

function purchaseDate(d = new Date()): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export class MerchantBackend {
  /** Every AReq the shop sent, newest last, for assertions. */
  readonly areqs: Json[] = [];

  constructor(private readonly mockBase: string) {}

  async checkVersion(body: CheckVersionBody): Promise<BackendAnswer> {
    const v = await postJson(`${this.mockBase}/3ds/version`, { cardNumber: body.card?.number });
    if (v.status !== 200) return { status: 502, body: v.body };
    const id = v.body.threeDSServerTransID as string;
    const range = (v.body.cardRanges as Json[])[0];
    const methodURL = range?.threeDSMethodURL as string | undefined;
    const out: Json = { enrolled: range !== undefined, serverTransactionId: id };
    if (range) {
      out.versions = {
        accessControlServer: { start: range.acsStartProtocolVersion, end: range.acsEndProtocolVersion },
        directoryServer: { start: range.acsStartProtocolVersion, end: range.acsEndProtocolVersion },
      };
    }
    if (methodURL && body.runMethod !== false && body.methodNotificationUrl) {
      out.methodUrl = methodURL;
      out.methodData = Buffer.from(
        JSON.stringify({ threeDSServerTransID: id, threeDSMethodNotificationURL: body.methodNotificationUrl }),
      ).toString('base64url');
    }
    return { status: 200, body: out };
  }

  async initiateAuthentication(body: InitiateAuthenticationBody, browser: { accept: string; ip: string }): Promise<BackendAnswer> {
    const b = body.browserData ?? {};
    const card = body.card ?? {};
    const areq: Json = {
      threeDSServerTransID: body.serverTransactionId,
      deviceChannel: '02',
      messageCategory: body.messageCategory === 'NON_PAYMENT_AUTHENTICATION' ? '02' : '01',
      preferredProtocolVersion: '2.2.0',
      threeDSCompInd: COMPLETION[body.methodUrlComplete ?? ''] ?? 'U',
      threeDSRequestor: { threeDSRequestorChallengeInd: CHALLENGE_IND[body.challengeRequestIndicator ?? ''] ?? '01' },
      cardholderAccount: {
        acctNumber: card.number,
        cardExpiryDate: `${String(card.expYear ?? '').slice(-2)}${String(card.expMonth ?? '').padStart(2, '0')}`,
      },
      cardholder: { cardholderName: card.cardHolderName ?? 'Ada Tester' },
      purchase: { purchaseAmount: 4599, purchaseCurrency: '756', purchaseExponent: 2, purchaseDate: purchaseDate() },
      acquirer: { acquirerBin: '400551', acquirerMerchantId: 'MERCHANT-0001' },
      merchant: {
        mcc: '5411',
        merchantCountryCode: '756',
        merchantName: 'Browser Test Shop',
        notificationURL: body.challengeNotificationUrl,
      },
      // The library leaves the accept header and IP to the server side; its timezone offset is in hours.
      browserInformation: {
        browserAcceptHeader: browser.accept,
        browserIP: browser.ip,
        browserLanguage: typeof b.language === 'string' ? b.language : 'en',
        browserColorDepth: COLOR_DEPTH[String(b.colorDepth)] ?? '06',
        browserScreenHeight: typeof b.screenHeight === 'number' ? b.screenHeight : 768,
        browserScreenWidth: typeof b.screenWidth === 'number' ? b.screenWidth : 1024,
        browserTZ: Math.round((b.timezoneOffset ?? 0) * 60),
        browserUserAgent: typeof b.userAgent === 'string' ? b.userAgent : 'unknown',
        browserJavaEnabled: b.javaEnabled === true,
        browserJavascriptEnabled: true,
        challengeWindowSize: body.windowSizeCode ?? '05',
      },
    };
    this.areqs.push(areq);
    const a = await postJson(`${this.mockBase}/3ds/authenticate`, areq);
    if (a.status !== 200) return { status: 502, body: a.body };
    const ares = (a.body.authenticationResponse ?? {}) as Json;
    const transStatus = a.body.transStatus as string;
    const out: Json = {
      serverTransactionId: a.body.threeDSServerTransID,
      acsTransactionId: ares.acsTransID,
      dsTransactionId: ares.dsTransID,
      messageVersion: ares.messageVersion,
      status: STATUS[transStatus] ?? transStatus,
      // The library starts a challenge on any truthy challengeMandated: only a C may set it.
      challengeMandated: transStatus === 'C',
      mpi: { eci: a.body.eci, authenticationValue: a.body.authenticationValue },
      emv: { transStatus, transStatusReason: ares.transStatusReason },
    };
    if (transStatus === 'C') out.challenge = { requestUrl: a.body.acsURL, encodedChallengeRequest: a.body.base64EncodedChallengeRequest };
    return { status: 200, body: out };
  }
}
