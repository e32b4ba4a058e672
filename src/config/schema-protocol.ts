// The protocol keys of the configuration schema (SPEC §4–§6, §15: versions, card ranges, scenarios, the
// ACS, signing) and the results push, part of configSchema in schema.ts.
import type { CardRangeConfig, ScenarioConfig } from './formats.js';

export const protocolSchema = {
  supportedVersions: {
    doc: 'Message versions this server speaks.',
    format: 'version-list',
    default: ['2.1.0', '2.2.0', '2.3.1'],
    env: 'PROTOCOL_VERSIONS',
  },
  ranges: {
    doc: 'Card ranges per scheme (start/end PANs, protocol versions); higher priority wins on overlap.',
    format: 'card-ranges',
    default: [] as CardRangeConfig[],
  },
  scenarios: {
    doc: 'Scenario table keyed by the last 4 digits (or a full PAN), "default" for the rest; each entry may have a name.',
    format: Object,
    default: {} as Record<string, ScenarioConfig>,
  },
  scenarioHeaderEnabled: {
    doc:
      'Honour the X-Mock-Scenario request header on /3ds/authenticate and /3ds/authentication (a scenario code or name for that ' +
      'transaction, above the M3DS-SCENARIO message extension and the card). config/production.json turns it off.',
    format: Boolean,
    default: true,
    env: 'SCENARIO_HEADER_ENABLED',
  },
  hangMaxMs: {
    doc:
      'Longest time the ACS of the no-answer test card (acs-no-answer) holds a CReq before it closes the connection without an ' +
      'answer (sooner when the client leaves or the worker drains).',
    format: 'positive-int',
    default: 60000,
    env: 'HANG_MAX_MS',
  },
  otp: { doc: 'The one-time code that completes a challenge.', format: String, default: '1234', env: 'PROTOCOL_OTP', sensitive: true },
  challenge: {
    maxAttempts: { doc: 'Wrong codes before a challenge ends N.', format: 'positive-int', default: 3, env: 'CHALLENGE_MAX_ATTEMPTS' },
    timeoutSeconds: {
      doc: 'A challenge not completed in time ends N (reason 14).',
      format: 'positive-int',
      default: 600,
      env: 'CHALLENGE_TIMEOUT_SECONDS',
    },
  },
  decoupledDelayMs: {
    doc: 'Delay before a decoupled authentication records Y.',
    format: 'non-negative-int',
    default: 5000,
    env: 'DECOUPLED_DELAY_MS',
  },
  slowResponseMs: {
    doc: 'Delay of the slow test card.',
    format: 'non-negative-int',
    default: 3000,
    env: 'SLOW_RESPONSE_MS',
  },
  requireVersionCall: {
    doc: 'Refuse authenticate for IDs no version call opened (Erro 301).',
    format: Boolean,
    default: false,
    env: 'REQUIRE_VERSION_CALL',
  },
  echoFullPan: {
    doc: 'Echo the full PAN in authenticationRequest.acctNumber (existing clients read it).',
    format: Boolean,
    default: true,
    env: 'ECHO_FULL_PAN',
  },
  authValueSecret: {
    doc: 'Secret of the HMAC that derives authentication values from transaction IDs.',
    format: String,
    default: 'mock-3ds-development-secret',
    env: 'AUTH_VALUE_SECRET',
    sensitive: true,
  },
  signing: {
    algorithm: {
      doc: 'JWS algorithm of acsSignedContent.',
      format: ['PS256', 'ES256'] as const,
      default: 'PS256',
      env: 'SIGNING_ALGORITHM',
    },
    keyPath: { doc: 'PEM private key of the ACS (required in production).', format: String, default: '', env: 'SIGNING_KEY_PATH' },
    certPath: { doc: 'PEM certificate of the ACS (required in production).', format: String, default: '', env: 'SIGNING_CERT_PATH' },
    dataDir: {
      doc: 'Where development/test keep the generated key and certificate; with the embedded store, also where the scenario overrides are kept (overrides.json).',
      format: String,
      default: 'data',
      env: 'DATA_DIR',
    },
  },
  sdkReferenceDefaults: {
    cbc: {
      doc: 'PartyVInfo when the AReq has no sdkReferenceNumber, A128CBC-HS256.',
      format: String,
      default: '3DS_LOA_SDK_JTPL_020200_00788',
      env: 'SDK_REFERENCE_DEFAULT_CBC',
    },
    gcm: {
      doc: 'PartyVInfo when the AReq has no sdkReferenceNumber, A128GCM.',
      format: String,
      default: '3DS_LOA_SDK_JTPL_020200_00805',
      env: 'SDK_REFERENCE_DEFAULT_GCM',
    },
  },
};

export const notificationsSchema = {
  enabled: {
    doc: 'Push results to merchant.resultsResponseNotificationUrl.',
    format: Boolean,
    default: true,
    env: 'RESULTS_PUSH_ENABLED',
  },
  allowedHosts: {
    doc: 'Hosts results may be pushed to; empty means any.',
    format: 'string-list',
    default: [] as string[],
    env: 'RESULTS_PUSH_ALLOWED_HOSTS',
  },
  timeoutMs: { doc: 'Timeout of one push.', format: 'positive-int', default: 3000, env: 'RESULTS_PUSH_TIMEOUT_MS' },
  tries: { doc: 'Tries per push.', format: 'positive-int', default: 3, env: 'RESULTS_PUSH_TRIES' },
  backoffMs: { doc: 'First backoff between tries (doubles).', format: 'positive-int', default: 500, env: 'RESULTS_PUSH_BACKOFF_MS' },
};
