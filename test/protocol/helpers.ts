// Shared test setup for the protocol: the real configuration (config/default + test), a protocol over
// the test store with a settable clock, and AReq bodies shaped like the shared fixtures.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import path from 'node:path';
import { type Config, loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import { createProtocol, type Protocol, type ProtocolOptions } from '../../src/protocol/protocol.js';
import type { TransactionRecord } from '../../src/protocol/transaction/record.js';
import { MemoryStore } from './memory-store.js';

/** A request body as tests edit it: deliberately loose, bodies are meant to be malformed at will. */
// biome-ignore lint/suspicious/noExplicitAny: test bodies are edited freely, including into invalid shapes
export type Body = Record<string, any>;

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };
export type MutableConfig = Mutable<Config>;

const loaded = loadConfig({ env: { NODE_ENV: 'test' }, configDir: path.resolve(import.meta.dirname, '../../config') }).config;

/** A fresh, unfrozen copy of the test configuration, adjusted by `edit`. */
export function testConfig(edit?: (c: MutableConfig) => void): Config {
  const c = structuredClone(loaded) as MutableConfig;
  edit?.(c);
  return c as Config;
}

export interface Harness {
  protocol: Protocol;
  store: MemoryStore<TransactionRecord>;
  metrics: Metrics;
  clock: { now: number };
  config: { current: Config };
  ctx: { baseUrl: string };
}

export function harness(opts: { config?: Config; fetchImpl?: typeof fetch; extra?: Partial<ProtocolOptions> } = {}): Harness {
  const store = new MemoryStore<TransactionRecord>();
  const metrics = createMetrics('worker', { defaults: false });
  const clock = { now: Date.UTC(2026, 10, 21, 9, 30, 0) };
  const config = { current: opts.config ?? testConfig() };
  const protocol = createProtocol({
    config: () => config.current,
    store,
    logger: createLogger('silent'),
    metrics,
    now: () => clock.now,
    ...(opts.fetchImpl && { fetchImpl: opts.fetchImpl }),
    ...opts.extra,
  });
  return { protocol, store, metrics, clock, config, ctx: { baseUrl: 'http://acs.test:8080' } };
}

export async function counterValue(
  metrics: Metrics,
  name: 'threeds_transactions_total' | 'results_push_total',
  labels: Record<string, string>,
): Promise<number> {
  const m = await metrics.counter(name).get();
  const hit = m.values.find((v) => Object.entries(labels).every(([k, val]) => (v.labels as Record<string, unknown>)[k] === val));
  return hit?.value ?? 0;
}

/** The browser AReq of the shared fixture, for `pan`, with a fresh ID unless given. */
export function browserAReq(pan: string, edit?: (b: Body) => void): Body {
  const b: Body = {
    threeDSServerTransID: randomUUID(),
    deviceChannel: '02',
    messageCategory: '01',
    preferredProtocolVersion: '2.2.0',
    enforcePreferredProtocolVersion: false,
    threeDSCompInd: 'N',
    threeDSRequestor: {
      threeDSRequestorAuthenticationInd: '01',
      threeDSRequestorAuthenticationInfo: { threeDSReqAuthMethod: '02', threeDSReqAuthTimestamp: '202611210930' },
      threeDSRequestorChallengeInd: '01',
    },
    cardholderAccount: { acctType: '02', cardExpiryDate: '2911', schemeId: 'VISA', acctNumber: pan, cardSecurityCode: '737' },
    cardholder: {
      addrMatch: 'Y',
      cardholderName: 'Ada Tester',
      email: 'ada.tester@example.test',
      billAddrCity: 'Basel',
      billAddrCountry: '756',
      billAddrLine1: 'Teststrasse 1',
      billAddrPostCode: '4051',
      homePhone: { cc: '41', subscriber: '611234567' },
    },
    purchase: {
      purchaseInstalData: 1,
      purchaseAmount: 4599,
      purchaseCurrency: '756',
      purchaseExponent: 2,
      purchaseDate: '20261121093000',
      recurringExpiry: '20271231',
      recurringFrequency: 30,
      transType: '01',
    },
    acquirer: { acquirerBin: '400551', acquirerMerchantId: 'MERCHANT-0001' },
    merchant: {
      mcc: '5411',
      merchantCountryCode: '756',
      threeDSRequestorID: 'requestor-0001',
      threeDSRequestorName: 'Test Shop',
      merchantName: 'Test Shop',
      notificationURL: 'http://127.0.0.1:9901/3ds/notify',
      resultsResponseNotificationUrl: 'http://127.0.0.1:9901/3ds/results',
    },
    browserInformation: {
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
    },
    deviceRenderOptions: { sdkInterface: '03', sdkUiType: ['01', '02', '03', '04', '05'], sdkAuthenticationType: ['01'] },
  };
  edit?.(b);
  return b;
}

/** A valid P-256 public JWK (the SDK's ephemeral key), generated once per process. */
export const SDK_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }) as {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
};

export function appAReq(pan: string, edit?: (b: Body) => void): Body {
  const sdkTransID = randomUUID();
  const b = browserAReq(pan, (x) => {
    x.deviceChannel = '01';
    delete x.browserInformation;
    delete x.merchant.resultsResponseNotificationUrl;
    x.sdkTransID = sdkTransID;
    x.sdkInformation = {
      sdkAppID: '9063b12c-fcde-43c7-b28e-8d0af5520e8a',
      sdkReferenceNumber: '3DS_LOA_SDK_JTPL_020200_00788',
      sdkTransID,
      sdkMaxTimeout: 5,
      sdkEphemPubKey: SDK_KEY,
    };
  });
  edit?.(b);
  return b;
}
