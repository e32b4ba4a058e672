// The error registry (SPEC §8): every error the server answers with has a name here, an HTTP status and
// an EMVCo error code. The error handler middleware is the only place that turns these into responses;
// README's error table is checked against this registry by a test.

export interface ErrorSpec {
  status: number;
  emvCode: string;
  description: string;
  /** Seconds for a Retry-After header. */
  retryAfter?: number;
}

export const ERRORS = {
  MESSAGE_NOT_RECOGNISED: { status: 400, emvCode: '101', description: 'Message not recognised' },
  MALFORMED_JSON: { status: 400, emvCode: '101', description: 'Message not recognised: body is not valid JSON' },
  VERSION_NOT_SUPPORTED: { status: 400, emvCode: '102', description: 'Message version not supported' },
  REQUIRED_ELEMENT_MISSING: { status: 400, emvCode: '201', description: 'Required data element missing' },
  /** A messageExtension entry with criticalityIndicator true that this server does not process (SPEC §15). */
  CRITICAL_EXTENSION_NOT_RECOGNISED: { status: 400, emvCode: '202', description: 'Critical message extension not recognised' },
  INVALID_FORMAT: { status: 400, emvCode: '203', description: 'Format or value of one or more data elements is invalid' },
  TRANSACTION_NOT_FOUND: { status: 404, emvCode: '301', description: 'Transaction ID not recognised' },
  DECRYPTION_FAILURE: { status: 400, emvCode: '302', description: 'Data decryption failure' },
  TRANSACTION_DATA_INVALID: { status: 400, emvCode: '305', description: 'Transaction data not valid' },
  CONFLICTING_REPEAT: { status: 409, emvCode: '305', description: 'Transaction data not valid: conflicting repeat of a step' },
  RESULTS_PENDING: { status: 409, emvCode: '305', description: 'Results pending: authentication not completed yet' },
  TRANSACTION_TIMED_OUT: { status: 408, emvCode: '402', description: 'Transaction timed out' },
  NOT_FOUND: { status: 404, emvCode: '101', description: 'Route not found' },
  BODY_TOO_LARGE: { status: 413, emvCode: '203', description: 'Request body too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, emvCode: '101', description: 'Unsupported content type' },
  RATE_LIMITED: { status: 429, emvCode: '405', description: 'Too many requests', retryAfter: 1 },
  UNAUTHORIZED: { status: 401, emvCode: '405', description: 'Missing or wrong admin token' },
  CONFIG_REJECTED: { status: 422, emvCode: '405', description: 'Configuration rejected; the running one is kept' },
  /** DELETE /__admin/overrides/:key for a key that has no override (SPEC §17). */
  OVERRIDE_NOT_FOUND: { status: 404, emvCode: '101', description: 'No scenario override under this key' },
  STORE_UNAVAILABLE: { status: 503, emvCode: '405', description: 'Transaction store unavailable', retryAfter: 1 },
  OVERLOADED: { status: 503, emvCode: '405', description: 'Server overloaded', retryAfter: 1 },
  SHUTTING_DOWN: { status: 503, emvCode: '405', description: 'Server shutting down', retryAfter: 1 },
  SYSTEM_FAILURE: { status: 500, emvCode: '405', description: 'System failure' },
  /** The Directory Server answered an Erro (scenario 4012): a gateway failure, not the client's fault. */
  DS_ERROR: { status: 502, emvCode: '405', description: 'Directory Server error' },
  /** redirectUrl of the existing mock's challenge completion is not an allowed origin (no open redirect). */
  REDIRECT_NOT_ALLOWED: { status: 400, emvCode: '203', description: 'Redirect URL not allowed' },
  /** Answered by fault injection (faults.rules, X-Mock-Error); the rule or header sets status and errorCode. */
  INJECTED_FAULT: { status: 503, emvCode: '405', description: 'Injected fault' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorName = keyof typeof ERRORS;

export interface ErrorIds {
  threeDSServerTransID?: string;
  acsTransID?: string;
  dsTransID?: string;
  sdkTransID?: string;
}

/** An error a client caused or may see; carries what the SPEC §8 envelope needs. */
export class AppError extends Error {
  readonly spec: ErrorSpec;
  constructor(
    readonly kind: ErrorName,
    /** errorDetail: names the element, or says what failed. */
    readonly detail: string = ERRORS[kind].description,
    readonly ids: ErrorIds = {},
    readonly extra: { messageVersion?: string | undefined; errorMessageType?: string; errorComponent?: string } = {},
  ) {
    super(`${ERRORS[kind].description}: ${detail}`);
    this.name = 'AppError';
    this.spec = ERRORS[kind];
  }
}

export interface ErroMessage {
  messageType: 'Erro';
  messageVersion: string;
  errorCode: string;
  errorComponent: string;
  errorDescription: string;
  errorDetail: string;
  /** The 4-character type of the message at fault; absent when it is not recognisable (never ""). */
  errorMessageType?: string;
  threeDSServerTransID?: string;
  acsTransID?: string;
  dsTransID?: string;
  sdkTransID?: string;
}

export interface ErrorEnvelope {
  error: string;
  errorDetails: ErroMessage;
}

/** The message types of EMV 3DS (Annex A messageType): the only values errorMessageType may hold. */
const MESSAGE_TYPES: ReadonlySet<string> = new Set([
  'AReq',
  'ARes',
  'CReq',
  'CRes',
  'PReq',
  'PRes',
  'RReq',
  'RRes',
  'OReq',
  'ORes',
  'Erro',
]);

/** The EMVCo Erro message for an AppError. */
export function erroMessage(err: AppError, defaultVersion = '2.2.0'): ErroMessage {
  const type = err.extra.errorMessageType;
  const m: ErroMessage = {
    messageType: 'Erro',
    messageVersion: err.extra.messageVersion ?? defaultVersion,
    errorCode: err.spec.emvCode,
    errorComponent: err.extra.errorComponent ?? 'S',
    errorDescription: err.spec.description,
    errorDetail: err.detail,
    ...(type !== undefined && MESSAGE_TYPES.has(type) && { errorMessageType: type }),
  };
  for (const k of ['threeDSServerTransID', 'acsTransID', 'dsTransID', 'sdkTransID'] as const) {
    const v = err.ids[k];
    if (v) m[k] = v;
  }
  return m;
}

/** The SPEC §8 envelope. */
export function errorEnvelope(err: AppError): ErrorEnvelope {
  return { error: err.message, errorDetails: erroMessage(err) };
}
