// Every EMV message the server emits, validated against the specification (SPEC §15): for every test card
// (SPEC §4, config/default.json) × message version (2.1.0, 2.2.0, 2.3.1) × channel (browser 02, app 01,
// 3RI 03), the flow runs to its end in process through the real app over HTTP — version, authenticate,
// the ACS page or the app CReq/CRes exchange (with the independent TestSdk), final, the RReq posted back to
// /3ds/results — and each message the server produces (the AReq it forwards, ARes, browser CReq, each CRes,
// RReq, RRes, Erro) goes through test/helpers/emv-validator.ts with its channel and transaction context.
// One test per (card, version, channel) lists its failures with the schema errors; the count of messages
// validated is printed at the end (EMV_MESSAGES_VERBOSE=1 prints every message as well). The schemas
// follow the specification, not the code: a red test here names a message the server must fix, never a
// schema to loosen. The broken-response cards (4015–4019, SPEC §4) break the specification on purpose:
// on the channels where they break, the test asserts that each fails in exactly its intended way (the
// only schema errors, the only flow failures, and what a schema cannot state) instead of skipping them.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { loadAcsCredentials } from '../../src/crypto/acs-credentials.js';
import { type CryptoService, createCryptoService } from '../../src/crypto/crypto-service.js';
import { createApp } from '../../src/http/app.js';
import { createProtocol, type Protocol } from '../../src/protocol/protocol.js';
import { isFinalRecord, type TransactionRecord } from '../../src/protocol/transaction/record.js';
import { createStore } from '../../src/store/create-store.js';
import type { TransactionStore } from '../../src/store/store.js';
import { tempDirs, withSigning } from '../crypto/fixtures.js';
import { testDeps } from '../helpers/app-deps.js';
import { type DeviceChannel, type EmvContext, type EmvVersion, formatErrors, validateMessage } from '../helpers/emv-validator.js';
import { TestSdk } from '../helpers/sdk.js';
import { formsOf, hiddenValue, pathOf } from '../http/routes/harness.js';
import { testConfig } from './helpers.js';

type Json = Record<string, unknown>;

const VERSIONS: readonly EmvVersion[] = ['2.1.0', '2.2.0', '2.3.1'];
const CHANNELS: readonly { code: DeviceChannel; name: string }[] = [
  { code: '02', name: 'browser' },
  { code: '01', name: 'app' },
  { code: '03', name: '3RI' },
];

/** How the cardholder (or the SDK) ends a challenge. */
type Finish = 'right' | 'cancel' | 'fail';

/** How a broken-response card breaks on one channel: nothing more, nothing less. */
interface Breakage {
  /** The flow failures it causes: each matches exactly one line, and every line is matched. */
  flow?: readonly RegExp[];
  /** The messages it makes invalid (by source) with exactly these `path: message` schema errors. */
  invalid?: readonly { source: RegExp; errors: readonly string[] }[];
  /** What a schema cannot state (a value against another message's, a signed payload): the problems found. */
  check?: (r: FlowResult) => string[];
}

interface Card {
  label: string;
  last4: string;
  /** The channels a broken-response card breaks on, and how (on the others its flow is checked as any card's). */
  broken?: Partial<Record<DeviceChannel, Breakage>>;
  /** For 2.2.0+: ask for decoupled authentication (threeDSRequestorDecReqInd Y). */
  decoupledAsked?: boolean;
  /** threeDSRequestorChallengeInd other than 01 (05 asks for no challenge, TRA done). */
  challengeInd?: string;
  finish?: Finish;
  /** Versions the variant applies to (all when absent). */
  versions?: readonly EmvVersion[];
  /** Channels the variant applies to (all when absent). */
  channels?: readonly DeviceChannel[];
}

// The scenario table of config/default.json (SPEC §4), one card per entry, plus variants that reach the
// other outcomes a version defines: the cancelled and the failed challenge, a decoupled authentication
// the requestor asked for, the I status of card 4007.
const CARDS: readonly Card[] = [
  ...['4000', '4001', '4002', '4003', '4004', '4005', '4006', '4007', '4008', '4009', '4010', '4011', '4012', '4013', '4014'].map(
    (last4) => ({
      label: last4,
      last4,
    }),
  ),
  { label: 'other (4321)', last4: '4321' },
  { label: '4001 cancelled', last4: '4001', finish: 'cancel' },
  { label: '4001 wrong code ×3', last4: '4001', finish: 'fail' },
  { label: '4006 decoupled asked', last4: '4006', decoupledAsked: true, versions: ['2.2.0', '2.3.1'] },
  // The challenge indicator is an 01-APP/02-BRW element before 2.3.1, so I is reachable in 3RI only in 2.3.1.
  { label: '4007 indicator 05', last4: '4007', challengeInd: '05', versions: ['2.2.0', '2.3.1'], channels: ['01', '02'] },
  { label: '4007 indicator 05 (3RI)', last4: '4007', challengeInd: '05', versions: ['2.3.1'], channels: ['03'] },
  // The broken-response cards: 3RI never challenges (U, reason 21), so the challenge breaks do not exist there.
  {
    label: '4015 no-acs-url',
    last4: '4015',
    broken: {
      // Browsers: the ARes (and the answer) without acsURL, so the challenge cannot be opened.
      '02': {
        flow: [/^browser challenge: no acsURL or base64EncodedChallengeRequest/, /^POST \/3ds\/final: HTTP 409,/],
        invalid: [{ source: /^authenticationResponse \(ARes\)$/, errors: ['/acsURL: is required but absent'] }],
      },
      // Apps find acsURL in acsSignedContent: the signed payload lacks it (this test's SDK posts to /challenge anyway).
      '01': {
        check: (r) => {
          const ares = messageFrom(r, /^authenticationResponse/);
          if (typeof ares?.acsSignedContent !== 'string') return ['no acsSignedContent'];
          const payload = jwsPayload(ares.acsSignedContent);
          const out = 'acsURL' in payload ? ['acsSignedContent still carries acsURL'] : [];
          if (!('acsEphemPubKey' in payload && 'acsTransID' in payload)) out.push('acsSignedContent lost more than acsURL');
          return out;
        },
      },
    },
  },
  {
    label: '4016 no-ds-trans-id',
    last4: '4016',
    broken: everyChannel({ invalid: [{ source: /^authenticationResponse \(ARes\)$/, errors: ['/dsTransID: is required but absent'] }] }),
  },
  {
    label: '4017 wrong-sdk-trans-id',
    last4: '4017',
    broken: {
      '01': {
        check: (r) => {
          const areq = messageFrom(r, /^authenticationRequest/);
          const ares = messageFrom(r, /^authenticationResponse/);
          if (!areq || !ares) return ['no AReq echo or ARes'];
          if (typeof ares.sdkTransID !== 'string' || !UUID_V4.test(ares.sdkTransID)) return ['the ARes sdkTransID is not a UUID'];
          return ares.sdkTransID === areq.sdkTransID ? ["the ARes sdkTransID is the AReq's"] : [];
        },
      },
    },
  },
  {
    label: '4018 acs-erro',
    last4: '4018',
    broken: everyChannel({
      check: (r) => {
        if (messageFrom(r, /^authenticationResponse/)) return ['an ARes was answered'];
        const erro = r.produced.find((p) => p.source.startsWith('POST /3ds/authenticate'));
        if (!erro) return ['no Erro from authenticate'];
        const m = erro.message as Json;
        return erro.source.endsWith('(HTTP 502)') && m.errorComponent === 'A' && m.errorCode === '405'
          ? []
          : [`authenticate: ${erro.source} ${JSON.stringify(m)}, expected HTTP 502 with Erro 405 component A`];
      },
    }),
  },
  {
    label: '4019 acs-no-answer',
    last4: '4019',
    broken: {
      '02': { flow: [/^browser challenge: the ACS page closed the connection without an answer/, /^POST \/3ds\/final: HTTP 409,/] },
      '01': { flow: [/^app challenge: \/challenge closed the connection without an answer/, /^POST \/3ds\/final: HTTP 409,/] },
    },
  },
];

function everyChannel(b: Breakage): Record<DeviceChannel, Breakage> {
  return { '01': b, '02': b, '03': b };
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The first produced message whose source matches. */
function messageFrom(r: FlowResult, source: RegExp): Json | undefined {
  return r.produced.find((p) => source.test(p.source))?.message as Json | undefined;
}

/** The payload of a compact JWS, unverified (the SDK verifies it in the flow). */
function jwsPayload(jws: unknown): Json {
  return JSON.parse(Buffer.from(String(jws).split('.')[1] ?? '', 'base64url').toString('utf8')) as Json;
}

/** How a broken card's flow differs from what `b` says it must be: empty when exactly as intended. */
function breakageProblems(b: Breakage, r: FlowResult): string[] {
  const out: string[] = [];
  const expectedFlow = b.flow ?? [];
  for (const line of r.flowFailures) {
    const n = expectedFlow.filter((re) => re.test(line)).length;
    if (n !== 1) out.push(`flow failure ${n === 0 ? 'not expected' : 'matched twice'}: ${line}`);
  }
  for (const re of expectedFlow) {
    const n = r.flowFailures.filter((line) => re.test(line)).length;
    if (n !== 1) out.push(`expected one flow failure matching ${re}, got ${n}`);
  }
  const seen = new Map<RegExp, number>();
  for (const p of r.produced) {
    const res = validateMessage(p.message, p.ctx);
    if (res.valid) continue;
    const errors = res.errors.map((e) => `${e.path}: ${e.message}`);
    const want = b.invalid?.find((x) => x.source.test(p.source));
    if (!want) {
      out.push(`${p.source} is invalid, not as intended:`, ...formatErrors(res.errors).map((l) => `    ${l}`));
      continue;
    }
    seen.set(want.source, (seen.get(want.source) ?? 0) + 1);
    if (JSON.stringify([...errors].sort()) !== JSON.stringify([...want.errors].sort()))
      out.push(`${p.source}: schema errors ${JSON.stringify(errors)}, intended exactly ${JSON.stringify(want.errors)}`);
  }
  for (const want of b.invalid ?? []) {
    if (seen.get(want.source) !== 1) out.push(`expected one invalid message from ${want.source}, got ${seen.get(want.source) ?? 0}`);
  }
  out.push(...(b.check?.(r) ?? []));
  return out;
}

// PANs of every scheme in the default ranges (SPEC §3.1), rotated over the cards so that each scheme's
// ECI and authentication value (SPEC §3.2) are emitted too; Amex PANs have 15 digits.
const SCHEMES = [
  { prefix: '400000000000', schemeId: 'VISA' },
  { prefix: '510000000000', schemeId: 'MASTERCARD' },
  { prefix: '34000000000', schemeId: 'AMEX' },
  { prefix: '601100000000', schemeId: 'DISCOVER' },
  { prefix: '352800000000', schemeId: 'JCB' },
  { prefix: '620000000000', schemeId: 'UNIONPAY' },
] as const;

const OTP = '1234';
const SESSION = 'c2Vzc2lvbi0x';

/** One message the server produced, where it came from, and the context its channel rules need. */
interface Produced {
  source: string;
  message: unknown;
  ctx: EmvContext;
}

interface FlowResult {
  produced: Produced[];
  /** Steps that did not go as the product specifies (an HTTP failure, a refused RReq, no final CRes). */
  flowFailures: string[];
}

describe('EMV messages of every test card × version × channel are valid for their version (SPEC §15)', function () {
  this.timeout(60_000);
  const tmp = tempDirs();
  let server: http.Server;
  let base: string;
  let store: TransactionStore<TransactionRecord>;
  let protocol: Protocol;
  let crypto: CryptoService;
  let validated = 0;
  let invalidMessages = 0;
  let flows = 0;
  let redFlows = 0;
  let brokenAsIntended = 0;
  let invalidAsIntended = 0;

  before(async () => {
    const deps = testDeps();
    const config = withSigning(
      testConfig((c) => {
        c.notifications.enabled = false;
        c.protocol.slowResponseMs = 0;
        // Long enough for a "results pending" Erro before the decoupled results, short for the suite.
        c.protocol.decoupledDelayMs = 40;
        // The silent ACS of card 4019 drops the connection after this.
        c.protocol.hangMaxMs = 20;
      }),
      { dataDir: await tmp.make() },
    );
    deps.setConfig(config);
    store = await createStore<TransactionRecord>({ config, logger: deps.logger, metrics: deps.metrics, isImmutable: isFinalRecord });
    await loadAcsCredentials({ config });
    crypto = await createCryptoService({ config, logger: deps.logger, metrics: deps.metrics, workers: 1, cores: 1 });
    protocol = createProtocol({ config: () => deps.config(), store, logger: deps.logger, metrics: deps.metrics, crypto });
    deps.protocol = protocol;
    server = http.createServer(createApp(deps));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await protocol?.close();
    server?.closeAllConnections();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await crypto?.close();
    await store?.close();
    await tmp.cleanup();
    // The figures the issue asks for: how much was checked, and how much of it failed.
    console.log(
      `      EMV messages validated: ${validated} (${invalidMessages} invalid, ${invalidAsIntended} invalid as intended) over ${flows} flows ` +
        `(${CARDS.length} cards and variants × ${VERSIONS.length} versions × ${CHANNELS.length} channels, ` +
        `variants limited to the versions and channels that define them); ${redFlows} flows with failures; ` +
        `${brokenAsIntended} flows of broken-response cards broke exactly as intended`,
    );
  });

  // ------------------------------------------------------------------ HTTP
  async function post(path: string, body: unknown, type: 'json' | 'form' | 'jose' = 'json') {
    const headers = { json: 'application/json', form: 'application/x-www-form-urlencoded', jose: 'application/jose; charset=UTF-8' }[type];
    const payload =
      type === 'json'
        ? JSON.stringify(body)
        : type === 'form'
          ? new URLSearchParams(body as Record<string, string>).toString()
          : (body as string);
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': headers }, body: payload, redirect: 'manual' });
    const text = await res.text();
    let json: Json | undefined;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) json = JSON.parse(text) as Json;
    return { status: res.status, type: res.headers.get('content-type') ?? '', text, json };
  }

  // ------------------------------------------------------------------ the AReq a client sends
  /**
   * The authenticate body in the shape the existing mock's clients send (blocks, numbers for numeric
   * strings), with what each version requires; elements only Hyperswitch-style clients send use their
   * spellings (top-level threeDSRequestorURL, acquirer.acquirerCountryCode, browserInformation.acceptLanguage,
   * sdkInformation.sdkType), as SPEC §15 asks the server to understand them.
   */
  function authenticateBody(
    v: EmvVersion,
    channel: DeviceChannel,
    card: Card,
    pan: string,
    schemeId: string,
    id: string,
    sdk?: TestSdk,
    methodRan = false,
  ): Json {
    const v231 = v === '2.3.1';
    const requestor: Json = {};
    if (channel !== '03') {
      requestor.threeDSRequestorAuthenticationInd = '01';
      requestor.threeDSRequestorAuthenticationInfo = v231
        ? [{ threeDSReqAuthMethod: '02', threeDSReqAuthTimestamp: '202611210930' }]
        : { threeDSReqAuthMethod: '02', threeDSReqAuthTimestamp: '202611210930' };
    }
    const ind = card.challengeInd ?? (channel === '03' && !v231 ? undefined : '01');
    if (ind !== undefined) requestor.threeDSRequestorChallengeInd = v231 ? [ind] : ind;
    if (card.decoupledAsked) Object.assign(requestor, { threeDSRequestorDecReqInd: 'Y', threeDSRequestorDecMaxTime: '00010' });
    const body: Json = {
      threeDSServerTransID: id,
      deviceChannel: channel,
      messageCategory: '01',
      preferredProtocolVersion: v,
      enforcePreferredProtocolVersion: true,
      threeDSRequestorURL: 'https://shop.example/',
      threeDSRequestor: requestor,
      cardholderAccount: { acctType: '02', cardExpiryDate: '2911', schemeId, acctNumber: pan, cardSecurityCode: '737' },
      cardholder: {
        addrMatch: channel === '03' ? undefined : 'Y',
        cardholderName: 'Ada Tester',
        email: 'ada.tester@example.test',
        billAddrCity: 'Basel',
        billAddrCountry: '756',
        billAddrLine1: 'Teststrasse 1',
        billAddrPostCode: '4051',
        homePhone: { cc: '41', subscriber: '611234567' },
      },
      purchase: { purchaseAmount: 4599, purchaseCurrency: '756', purchaseExponent: 2, purchaseDate: '20261121093000', transType: '01' },
      acquirer: { acquirerBin: '400551', acquirerMerchantId: 'MERCHANT-0001', acquirerCountryCode: '756' },
      merchant: {
        mcc: '5411',
        merchantCountryCode: '756',
        threeDSRequestorID: 'requestor-0001',
        threeDSRequestorName: 'Test Shop',
        merchantName: 'Test Shop',
      },
    };
    if (channel === '02') {
      body.threeDSCompInd = methodRan ? 'Y' : 'N';
      (body.merchant as Json).notificationURL = 'http://127.0.0.1:9901/3ds/notify';
      body.browserInformation = {
        browserAcceptHeader: 'text/html,application/json',
        browserIP: '192.0.2.10',
        browserLanguage: 'en-GB',
        browserColorDepth: '24',
        browserScreenHeight: 900,
        browserScreenWidth: 1440,
        browserTZ: -60,
        browserUserAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
        challengeWindowSize: '03',
        browserJavaEnabled: false,
        browserJavascriptEnabled: true,
        acceptLanguage: ['en-GB'],
      };
      // The existing mock's sample browser body carries deviceRenderOptions as well.
      body.deviceRenderOptions = { sdkInterface: '03', sdkUiType: ['01', '02', '03', '04', '05'] };
    }
    if (channel === '01' && sdk) {
      body.sdkTransID = sdk.sdkTransID;
      body.sdkInformation = {
        ...sdk.sdkInformation(),
        sdkEncData: 'eyJhbGciOiJSU0EtT0FFUC0yNTYiLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0.a2V5.aXZpdml2aXZpdg.Y2lwaGVydGV4dA.dGFn',
        sdkType: '01',
        defaultSdkType: { sdkVariant: '01' },
      };
      body.deviceRenderOptions = {
        sdkInterface: '03',
        sdkUiType: v231 ? ['01', '02', '03', '04', '05', '06', '07'] : ['01', '02', '03', '04', '05'],
      };
    }
    if (channel === '03') body.threeRIInd = '04';
    return body;
  }

  // ------------------------------------------------------------------ one flow
  async function runFlow(card: Card, v: EmvVersion, channel: DeviceChannel, pan: string, schemeId: string): Promise<FlowResult> {
    const produced: Produced[] = [];
    const flowFailures: string[] = [];
    let areq: Json | undefined;
    let ares: Json | undefined;
    const ctx = (): EmvContext => ({ deviceChannel: channel, ...(areq && { areq }), ...(ares && { ares }) });
    const erro = (source: string, res: { status: number; json?: Json | undefined }) => {
      const details = res.json?.errorDetails ?? (res.json?.messageType === 'Erro' ? res.json : undefined);
      if (details) produced.push({ source: `${source} (HTTP ${res.status})`, message: details, ctx: {} });
      else flowFailures.push(`${source}: HTTP ${res.status} without an Erro message`);
    };

    const version = await post('/3ds/version', { cardNumber: pan });
    if (version.status !== 200) {
      erro('POST /3ds/version', version);
      return { produced, flowFailures };
    }
    const id = (version.json?.threeDSServerTransID as string) ?? randomUUID();
    const ranges = (version.json?.cardRanges as Json[] | undefined) ?? [];
    const methodURL = ranges[0]?.threeDSMethodURL as string | undefined;
    let methodRan = false;
    if (methodURL && channel === '02') {
      // The 3DS Method in its hidden iframe (SPEC §4): then threeDSCompInd Y.
      const data = Buffer.from(
        JSON.stringify({ threeDSServerTransID: id, threeDSMethodNotificationURL: 'http://127.0.0.1:9901/3ds/method' }),
      ).toString('base64url');
      const m = await post(pathOf(methodURL), { threeDSMethodData: data }, 'form');
      methodRan = m.status === 200;
      if (!methodRan) flowFailures.push(`POST threeDSMethodURL: HTTP ${m.status}`);
    }

    const sdk = channel === '01' ? new TestSdk({ enc: 'A128CBC-HS256', messageVersion: v }) : undefined;
    const auth = await post('/3ds/authenticate', authenticateBody(v, channel, card, pan, schemeId, id, sdk, methodRan));
    if (auth.status !== 200 || !auth.json?.authenticationResponse) {
      erro('POST /3ds/authenticate', auth);
      const fin = await post('/3ds/final', { threeDSServerTransID: id });
      if (fin.status !== 200) erro('POST /3ds/final after an error', fin);
      return { produced, flowFailures };
    }
    areq = auth.json.authenticationRequest as Json | undefined;
    ares = auth.json.authenticationResponse as Json;
    if (areq) produced.push({ source: 'authenticationRequest (AReq as forwarded to the DS)', message: areq, ctx: {} });
    produced.push({ source: 'authenticationResponse (ARes)', message: ares, ctx: ctx() });
    const status = ares.transStatus as string;

    if (status === 'C') {
      const pending = await post('/3ds/final', { threeDSServerTransID: id });
      if (pending.status === 200) flowFailures.push('POST /3ds/final answered 200 before the challenge was completed');
      else erro('POST /3ds/final while the challenge is open', pending);
      const finish = card.finish ?? 'right';
      if (channel === '02') await browserChallenge(auth.json, finish, produced, flowFailures);
      else if (channel === '01' && sdk) await appChallenge(sdk, ares, v, finish, produced, flowFailures);
      else flowFailures.push(`transStatus C on channel ${channel}: no challenge can follow`);
    } else if (status === 'D') {
      const pending = await post('/3ds/final', { threeDSServerTransID: id });
      if (pending.status !== 200) erro('POST /3ds/final while the decoupled authentication runs', pending);
    }

    // Final: results when a challenge or decoupled authentication ran, the ARes outcome otherwise.
    let fin = await post('/3ds/final', { threeDSServerTransID: id });
    for (let i = 0; i < 20 && fin.status === 409 && status === 'D'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      fin = await post('/3ds/final', { threeDSServerTransID: id });
    }
    if (fin.status !== 200) {
      erro('POST /3ds/final', fin);
      flowFailures.push(`POST /3ds/final: HTTP ${fin.status}, the flow did not reach an outcome`);
      return { produced, flowFailures };
    }
    const rreq = fin.json?.resultsRequest as Json | undefined;
    const rres = fin.json?.resultsResponse as Json | undefined;
    if (status === 'C' || status === 'D') {
      if (!rreq || !rres)
        flowFailures.push('POST /3ds/final: no resultsRequest/resultsResponse after a challenge or decoupled authentication');
    }
    if (rreq) produced.push({ source: '/3ds/final resultsRequest (RReq)', message: rreq, ctx: ctx() });
    if (rres) produced.push({ source: '/3ds/final resultsResponse (RRes)', message: rres, ctx: ctx() });
    if (rreq) {
      // The RReq as a DS would forward it to the 3DS Server's results endpoint: acknowledged with an RRes.
      const back = await post('/3ds/results', rreq);
      if (back.status === 200 && back.json) produced.push({ source: 'POST /3ds/results answer (RRes)', message: back.json, ctx: ctx() });
      else {
        erro("POST /3ds/results with the transaction's own RReq", back);
        flowFailures.push(`POST /3ds/results refused the transaction's own RReq: HTTP ${back.status}`);
      }
    }
    return { produced, flowFailures };
  }

  // ------------------------------------------------------------------ browser challenge (SPEC §5)
  async function browserChallenge(envelope: Json, finish: Finish, produced: Produced[], flowFailures: string[]): Promise<void> {
    const creq = envelope.challengeRequest as Json | undefined;
    if (creq) produced.push({ source: 'challengeRequest (browser CReq)', message: creq, ctx: { deviceChannel: '02' } });
    const acsURL = envelope.acsURL as string | undefined;
    const encoded = envelope.base64EncodedChallengeRequest as string | undefined;
    if (!acsURL || !encoded) {
      flowFailures.push('browser challenge: no acsURL or base64EncodedChallengeRequest in the authenticate answer');
      return;
    }
    let page: Awaited<ReturnType<typeof post>>;
    try {
      page = await post(pathOf(acsURL), { creq: encoded, threeDSSessionData: SESSION }, 'form');
    } catch (err) {
      flowFailures.push(`browser challenge: the ACS page closed the connection without an answer (${(err as Error).message})`);
      return;
    }
    const steps: Record<string, string>[] = [];
    for (let i = 0; i < 6; i++) {
      const f = formsOf(page.text).find((x) => x.name === 'cardholderInput');
      if (!f) break;
      const tid = hiddenValue(f, 'threeDSServerTransID') as string;
      const action = pathOf(f.action);
      const names = f.fields.map((x) => `${x.name}:${x.type}`);
      let answer: Record<string, string>;
      if (finish === 'cancel') answer = { action: 'cancel' };
      else if (names.includes('select-01:checkbox')) answer = { 'select-01': '01', 'select-03': '03' };
      else if (names.includes('challengeDataEntry:radio')) answer = { challengeDataEntry: '02' };
      else if (f.fields.some((x) => x.name === 'action' && x.value === 'oob-continue')) answer = { action: 'oob-continue' };
      else {
        // Code entry (text, issuer HTML): a wrong code and a resend first, then the code (or wrong ones).
        const wrong = finish === 'fail' || i === 0;
        const resend = finish === 'right' && i === 1 && formsOf(page.text).some((x) => x.name === 'resendForm');
        answer = resend ? { action: 'resend' } : { challengeDataEntry: wrong ? '0000' : OTP };
      }
      steps.push(answer);
      page = await post(action, { threeDSServerTransID: tid, ...answer }, 'form');
    }
    const auto = formsOf(page.text).find((x) => x.name === 'autoPost');
    const cres = auto && hiddenValue(auto, 'cres');
    if (!auto || !cres) {
      flowFailures.push(`browser challenge: no final page posting cres after ${steps.length} steps (HTTP ${page.status})`);
      return;
    }
    if (hiddenValue(auto, 'threeDSSessionData') !== SESSION)
      flowFailures.push('browser challenge: threeDSSessionData not returned unchanged');
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(cres, 'base64url').toString('utf8'));
    } catch {
      flowFailures.push('browser challenge: cres is not base64url JSON');
      return;
    }
    produced.push({ source: 'final CRes posted to notificationURL', message: decoded, ctx: { deviceChannel: '02' } });
  }

  // ------------------------------------------------------------------ app challenge (SPEC §6)
  async function appChallenge(
    sdk: TestSdk,
    ares: Json,
    v: EmvVersion,
    finish: Finish,
    produced: Produced[],
    flowFailures: string[],
  ): Promise<void> {
    if (typeof ares.acsSignedContent !== 'string') {
      flowFailures.push('app challenge: no acsSignedContent in the ARes');
      return;
    }
    try {
      await sdk.startChallenge({
        acsSignedContent: ares.acsSignedContent,
        acsTransID: ares.acsTransID as string,
        threeDSServerTransID: ares.threeDSServerTransID as string,
        messageVersion: v,
      });
    } catch (err) {
      flowFailures.push(`app challenge: acsSignedContent refused by the SDK: ${(err as Error).message}`);
      return;
    }
    /** One CReq → CRes step; the CReq the test SDK sends must itself be valid (a test bug otherwise). */
    const step = async (fields: Json, what: string): Promise<Json | undefined> => {
      const creq = sdk.buildCReq({ ...(v === '2.3.1' && { oobAppURLInd: '02' }), ...fields });
      const own = validateMessage(creq, { deviceChannel: '01' });
      expect(own.valid, `the test SDK's own CReq (${what}) is invalid:\n${formatErrors(own.errors).join('\n')}`).to.equal(true);
      let res: Awaited<ReturnType<typeof post>>;
      try {
        res = await post('/challenge', await sdk.encryptCReq(creq), 'jose');
      } catch (err) {
        flowFailures.push(
          `app challenge: /challenge closed the connection without an answer to the CReq (${what}): ${(err as Error).message}`,
        );
        return undefined;
      }
      if (res.type.startsWith('application/json') && res.json) {
        produced.push({ source: `POST /challenge (${what}): Erro`, message: res.json, ctx: {} });
        flowFailures.push(
          `app challenge: the ACS answered an Erro to the CReq (${what}): ${String(res.json.errorCode)} ${String(res.json.errorDetail)}`,
        );
        return undefined;
      }
      if (res.status !== 200) {
        flowFailures.push(`app challenge: HTTP ${res.status} to the CReq (${what})`);
        return undefined;
      }
      const cres = await sdk.decryptCRes(res.text);
      produced.push({ source: `app CRes (${what})`, message: cres, ctx: { deviceChannel: '01' } });
      return cres;
    };
    let cres = await step({}, 'first CReq');
    for (let i = 0; cres && cres.challengeCompletionInd !== 'Y' && i < 6; i++) {
      const ui = cres.acsUiType as string | undefined;
      let fields: Json;
      let what: string;
      if (finish === 'cancel') [fields, what] = [{ challengeCancel: '01' }, 'cancel'];
      else if (ui === '02') [fields, what] = [{ challengeDataEntry: '02' }, 'single select'];
      else if (ui === '03') [fields, what] = [{ challengeDataEntry: '01,03' }, 'multi select'];
      else if (ui === '04') [fields, what] = [{ oobContinue: v === '2.3.1' ? '01' : true }, 'OOB continue'];
      else if (ui === '05' || ui === '06')
        [fields, what] = [{ challengeHTMLDataEntry: `code=${finish === 'fail' ? '0000' : OTP}&action=submit` }, 'HTML entry'];
      else if (finish === 'fail') [fields, what] = [{ challengeDataEntry: '0000' }, 'wrong code'];
      else if (i === 0) [fields, what] = [{ challengeDataEntry: '0000' }, 'wrong code'];
      else if (i === 1 && cres.resendInformationLabel !== undefined) [fields, what] = [{ resendChallenge: 'Y' }, 'resend'];
      else [fields, what] = [{ challengeDataEntry: OTP }, 'right code'];
      cres = await step(fields, what);
    }
    if (cres && cres.challengeCompletionInd !== 'Y') flowFailures.push('app challenge: no final CRes after 7 CReqs');
  }

  // ------------------------------------------------------------------ the matrix
  for (const v of VERSIONS) {
    for (const { code: channel, name } of CHANNELS) {
      describe(`${v} ${name} (deviceChannel ${channel})`, () => {
        CARDS.forEach((card, i) => {
          if (card.versions && !card.versions.includes(v)) return;
          if (card.channels && !card.channels.includes(channel)) return;
          const scheme = SCHEMES[i % SCHEMES.length] as (typeof SCHEMES)[number];
          const pan = scheme.prefix + card.last4;
          it(`card ${card.label} (${scheme.schemeId} ${pan.slice(0, 6)}…${card.last4})`, async () => {
            const r = await runFlow(card, v, channel, pan, scheme.schemeId);
            flows++;
            if (process.env.EMV_MESSAGES_VERBOSE)
              console.log(JSON.stringify({ card: card.label, v, name, produced: r.produced, flow: r.flowFailures }));
            expect(r.produced.length, 'the flow produced no message to validate').to.be.greaterThan(0);
            const broken = card.broken?.[channel];
            if (broken) {
              validated += r.produced.length;
              invalidAsIntended += r.produced.filter((p) => !validateMessage(p.message, p.ctx).valid).length;
              const problems = breakageProblems(broken, r);
              if (problems.length > 0) {
                redFlows++;
                expect.fail(`card ${card.label}, ${v}, ${name} did not break as intended:\n  ${problems.join('\n  ')}`);
              }
              brokenAsIntended++;
              return;
            }
            const lines: string[] = [...r.flowFailures.map((f) => `flow: ${f}`)];
            for (const p of r.produced) {
              const res = validateMessage(p.message, p.ctx);
              validated++;
              if (res.valid) continue;
              invalidMessages++;
              lines.push(`${p.source} [${res.schema ?? 'no schema'}]:`, ...formatErrors(res.errors).map((l) => `    ${l}`));
            }
            // A flow that produced no ARes (or DS Erro) validated nothing: that is a failure of the test.
            expect(r.produced.length, 'the flow produced no message to validate').to.be.greaterThan(0);
            if (lines.length > 0) {
              redFlows++;
              expect.fail(`card ${card.label}, ${v}, ${name}: ${lines.length} problem lines\n  ${lines.join('\n  ')}`);
            }
          });
        });
      });
    }
  }
});
