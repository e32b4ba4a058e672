// docs/openapi.json, built: every public route of the server (src/http/app.ts and src/http/routes/) with
// its request bodies, every status it can answer, the headers that matter and its examples. The paths
// come from the constants the routes mount (PATHS, NETCETERA_PATHS), error bodies from the error
// registry, the test cards from README's table. `npm run openapi` writes the file; test/scripts/
// openapi-postman.test.ts fails when the committed file is not what this builds, and the conformance test
// (test/http/routes/openapi.test.ts) sends real requests for every test card and validates each answer.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERRORS, type ErrorName } from '../../src/errors.js';
import { NETCETERA_PATHS } from '../../src/protocol/flows/netcetera/shapes.js';
import { PATHS } from '../../src/protocol/wire/paths.js';
import * as ex from './examples.js';
import { ref, type Schema, schemas } from './schemas.js';

type Json = Record<string, unknown>;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the document is written and what the worker serves at GET /openapi.json. */
export const OPENAPI_FILE = path.join(ROOT, 'docs/openapi.json');

const JSON_TYPE = 'application/json';
const FORM = 'application/x-www-form-urlencoded';
const HTML = 'text/html';

// ------------------------------------------------------------------ test cards (README's table)
export interface TestCard {
  /** The last four digits; "other" for the row of every other card. */
  last4: string;
  /** The scenario's name, when the table has that column (X-Mock-Scenario takes it). */
  name?: string;
  /** A Visa PAN with these last four digits (any PAN in a configured range works). */
  pan: string;
  ares: string;
  afterwards: string;
}

/** The rows of README's "Test cards" table, read by its column headings. */
export function readmeTestCards(readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')): TestCard[] {
  const start = readme.indexOf('\n## Test cards');
  if (start === -1) throw new Error('README has no "## Test cards" section');
  const end = readme.indexOf('\n## ', start + 5);
  const lines = readme.slice(start, end === -1 ? undefined : end).split('\n');
  const cells = (line: string) =>
    line
      .trim()
      .replace(/^\|/, '')
      .replace(/\|$/, '')
      .split(/(?<!\\)\|/)
      .map((c) => c.replace(/\[([^\]]+)\]\([^)]*\)/g, '$1').trim());
  const head = lines.findIndex((l) => /^\|\s*last 4\s*\|/.test(l));
  if (head === -1) throw new Error('README\'s "Test cards" section has no table starting with "last 4"');
  const columns = cells(lines[head] as string);
  const col = (name: string) => columns.indexOf(name);
  const out: TestCard[] = [];
  for (const line of lines.slice(head + 2)) {
    if (!line.startsWith('|')) break;
    const row = cells(line);
    const key = row[col('last 4')] ?? '';
    const last4 = key === 'any other' ? 'other' : key;
    if (!/^([0-9]{4}|other)$/.test(last4)) throw new Error(`README test-card row not understood: ${line}`);
    const name = col('name') === -1 ? undefined : row[col('name')]?.replace(/`/g, '');
    out.push({
      last4,
      ...(name ? { name } : {}),
      pan: `400040004000${last4 === 'other' ? '4321' : last4}`,
      ares: row[col('ARes')] ?? '',
      afterwards: row[col('afterwards')] ?? '',
    });
  }
  if (out.length === 0) throw new Error('README\'s "Test cards" table has no rows');
  return out;
}

// ------------------------------------------------------------------ shared pieces
const header = (name: string): Json => ({ $ref: `#/components/headers/${name}` });
const param = (name: string): Json => ({ $ref: `#/components/parameters/${name}` });
const resp = (name: string): Json => ({ $ref: `#/components/responses/${name}` });

/** Headers every answer carries. */
const ALWAYS = { 'X-Request-ID': header('X-Request-ID') };
/** Headers of answers on rate-limited routes (draft-7 by default; http.rateLimit.headers). */
const LIMITED = { ...ALWAYS, RateLimit: header('RateLimit'), 'RateLimit-Policy': header('RateLimit-Policy') };

function examplesOf(list: Record<string, { summary: string; value: unknown }>): Json {
  return Object.fromEntries(Object.entries(list).map(([k, v]) => [k, { summary: v.summary, value: v.value }]));
}

function json(schema: Schema, examples?: Record<string, { summary: string; value: unknown }>): Json {
  return { [JSON_TYPE]: { schema, ...(examples && { examples: examplesOf(examples) }) } };
}

function ok(description: string, content: Json | undefined, headers: Json = LIMITED): Json {
  return { description, headers, ...(content && { content }) };
}

/** The registry's errors with this HTTP status, for a response's description. */
function registryLine(status: number, only?: readonly ErrorName[]): string {
  const names = (Object.entries(ERRORS) as [ErrorName, (typeof ERRORS)[ErrorName]][])
    .filter(([n, e]) => e.status === status && (!only || only.includes(n)))
    .map(([n, e]) => `\`${n}\` (EMVCo ${e.emvCode})`);
  return names.length > 0 ? ` Registry errors: ${names.join(', ')}.` : '';
}

type ErrorExamples = Record<string, { summary: string; value: unknown }>;

/** An error response in the SPEC §8 envelope. */
function envelopeResponse(
  status: number,
  what: string,
  examples: ErrorExamples,
  headers: Json = LIMITED,
  only?: readonly ErrorName[],
): Json {
  return { description: `${what}.${registryLine(status, only)}`, headers, content: json(ref('ErrorEnvelope'), examples) };
}

/**
 * An error response of the Netcetera-shaped routes: `{errorDetails}`. `alsoEnvelope`: an injected fault
 * (faults.rules, X-Mock-Error) with this status is answered in the SPEC §8 envelope instead.
 */
function netceteraResponse(status: number, what: string, examples: ErrorExamples, alsoEnvelope = false): Json {
  const schema = alsoEnvelope ? { oneOf: [ref('NetceteraError'), ref('ErrorEnvelope')] } : ref('NetceteraError');
  const headers = status === 503 ? { ...LIMITED, 'Retry-After': header('Retry-After') } : LIMITED;
  return {
    description: `${what}, as \`{errorDetails}\`${alsoEnvelope ? ' (an injected fault with this status: the SPEC §8 envelope)' : ''}.${registryLine(status)}`,
    headers,
    content: json(schema, examples),
  };
}

const RETRY = { ...LIMITED, 'Retry-After': header('Retry-After') };

const components = {
  schemas,
  headers: {
    'X-Request-ID': {
      description:
        "The request's id: the client's X-Request-ID when sane (1–128 of [A-Za-z0-9._:-]), else a new UUID. Every answer carries it.",
      required: true,
      schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
    },
    'Retry-After': {
      description: 'Seconds to wait before retrying (429: to the end of the rate-limit window; 503: 1).',
      required: true,
      schema: { type: 'string', pattern: '^[0-9]+$' },
    },
    RateLimit: {
      description:
        'Rate-limit state (IETF draft-7 by default: `limit=…, remaining=…, reset=…`; `http.rateLimit.headers`). Not on health, metrics and admin routes.',
      schema: { type: 'string' },
    },
    'RateLimit-Policy': { description: 'The rate-limit policy (draft-7: `<max>;w=<window seconds>`).', schema: { type: 'string' } },
    Location: { description: 'Where the browser goes next.', required: true, schema: ref('HttpUrl') },
    ETag: { description: 'A validator of the document; send it back in If-None-Match.', required: true, schema: { type: 'string' } },
    'Cache-Control': { description: 'Caching policy.', required: true, schema: { type: 'string' } },
    'WWW-Authenticate': {
      description: 'The Bearer challenge of the admin surface.',
      required: true,
      schema: { type: 'string', pattern: '^Bearer' },
    },
    'Content-Security-Policy': {
      description:
        "A CSP with a nonce fresh for each page, form-action limited to where the page posts, frame-ancestors * (the page runs in the merchant's iframe).",
      required: true,
      schema: { type: 'string', pattern: "script-src 'nonce-" },
    },
  },
  parameters: {
    'X-Request-ID': {
      name: 'X-Request-ID',
      in: 'header',
      description: "Reused as the request's id (logs, the X-Request-ID answer header) when 1–128 of [A-Za-z0-9._:-].",
      schema: { type: 'string' },
    },
    'X-Mock-Delay': {
      name: 'X-Mock-Delay',
      in: 'header',
      description:
        'With `faults.headersEnabled`: delay the answer (`250`, `uniform:100-300`, `lognormal:200,0.5`; capped by faults.maxDelayMs).',
      schema: { type: 'string' },
    },
    'X-Mock-Error': {
      name: 'X-Mock-Error',
      in: 'header',
      description:
        'With `faults.headersEnabled`: answer this status (400–599) with the SPEC §8 envelope, EMVCo code 405 or the one given (`503`, `500:402`).',
      schema: { type: 'string', pattern: '^[45][0-9]{2}(:[0-9]{3})?$' },
    },
    'X-Mock-Drop': {
      name: 'X-Mock-Drop',
      in: 'header',
      description: 'With `faults.headersEnabled`: `true` drops the connection without an answer.',
      schema: { type: 'string', enum: ['true', 'false'] },
    },
    'X-Mock-Scenario': {
      name: 'X-Mock-Scenario',
      in: 'header',
      description:
        'With `protocol.scenarioHeaderEnabled` (on outside production): the scenario of this transaction, a code of the test-card table (`4001`, `default`) or its name (`challenge-otp`), whatever the card. It outranks the M3DS-SCENARIO message extension and the card; a value that names no scenario is Erro 203 (400). Ignored, never refused, when disabled (README "Choosing the scenario without changing the card").',
      schema: { type: 'string', examples: ['challenge-otp'] },
    },
    redirectUrl: {
      name: 'redirectUrl',
      in: 'query',
      description:
        "The existing mock's completion: verify-otp answers a 302 to this URL. Only the origin of the notificationURL or one of `security.allowedRedirectOrigins` (else 400: no open redirect).",
      schema: { type: 'string' },
    },
  },
  responses: {
    BadRequest: envelopeResponse(
      400,
      'Bad request: malformed JSON, a missing or invalid element (`errorDetail` names it), an unsupported version',
      {
        malformedJson: { summary: 'Malformed JSON', value: ex.envelope('MALFORMED_JSON', 'request body is not valid JSON') },
        invalidFormat: {
          summary: 'An invalid element',
          value: ex.envelope('INVALID_FORMAT', 'cardNumber: must be 13–19 digits', {}, { errorMessageType: 'PReq' }),
        },
        missing: {
          summary: 'A missing element',
          value: ex.envelope('REQUIRED_ELEMENT_MISSING', 'threeDSServerTransID: is required', {}, { errorMessageType: 'AReq' }),
        },
        version: {
          summary: 'A preferred version that cannot be served',
          value: ex.envelope(
            'VERSION_NOT_SUPPORTED',
            'preferredProtocolVersion: 2.0.0 is not supported',
            { threeDSServerTransID: ex.TRANS_ID },
            {
              errorMessageType: 'AReq',
            },
          ),
        },
      },
    ),
    TransactionNotFound: envelopeResponse(
      404,
      'Unknown or expired transaction (Erro 301)',
      {
        unknown: {
          summary: 'Unknown transaction',
          value: ex.envelope('TRANSACTION_NOT_FOUND', 'threeDSServerTransID: unknown or expired transaction', {
            threeDSServerTransID: ex.TRANS_ID,
          }),
        },
      },
      LIMITED,
      ['TRANSACTION_NOT_FOUND'],
    ),
    Conflict: envelopeResponse(409, 'A conflicting repeat of a step, or results still pending (Erro 305)', {
      pending: {
        summary: 'Results pending (challenge not completed)',
        value: ex.envelope(
          'RESULTS_PENDING',
          'the challenge of this transaction is not completed yet',
          { threeDSServerTransID: ex.TRANS_ID, acsTransID: ex.ACS_TRANS_ID, dsTransID: ex.DS_TRANS_ID },
          { messageVersion: '2.2.0' },
        ),
      },
      repeat: {
        summary: 'A different request under an ID that already authenticated',
        value: ex.envelope('CONFLICTING_REPEAT', 'threeDSServerTransID: this transaction was authenticated with a different request', {
          threeDSServerTransID: ex.TRANS_ID,
        }),
      },
    }),
    PayloadTooLarge: envelopeResponse(413, 'Body above `http.bodyLimitBytes` (64 KiB)', {
      tooLarge: { summary: 'Too large', value: ex.envelope('BODY_TOO_LARGE', 'body of 70017 bytes is above the limit of 65536') },
    }),
    UnsupportedMediaType: envelopeResponse(415, 'Wrong content type', {
      notJson: { summary: 'Not JSON', value: ex.envelope('UNSUPPORTED_MEDIA_TYPE', 'expected application/json, got text/plain') },
    }),
    TooManyRequests: envelopeResponse(
      429,
      'Rate limited (`http.rateLimit`, exact across workers; README "Protection")',
      {
        limited: {
          summary: 'Rate limited',
          value: ex.envelope('RATE_LIMITED', 'more than 1000000 requests within 1000 ms from this client'),
        },
      },
      RETRY,
    ),
    InternalError: envelopeResponse(500, 'Unexpected failure (no input a client can send causes one); also `X-Mock-Error: 500`', {
      failure: { summary: 'System failure', value: ex.envelope('SYSTEM_FAILURE', 'unexpected server error') },
      injected: {
        summary: 'Injected (X-Mock-Error: 500)',
        value: ex.envelope('INJECTED_FAULT', 'injected fault: HTTP 500, errorCode 405'),
      },
    }),
    DirectoryServerError: envelopeResponse(
      502,
      'The Directory Server (card 4012, errorComponent D) or the ACS (card 4018, errorComponent A) answered an Erro instead of an ARes',
      {
        ds: { summary: 'Card 4012', value: ex.dsError },
      },
    ),
    ServiceUnavailable: envelopeResponse(
      503,
      'Store unavailable (breaker open), server shutting down, or an injected fault; retry after Retry-After',
      {
        store: { summary: 'Store unavailable', value: ex.envelope('STORE_UNAVAILABLE', 'L2 store unavailable (circuit breaker open)') },
        draining: { summary: 'Shutting down', value: ex.envelope('SHUTTING_DOWN', 'the worker is shutting down; retry') },
        injected: {
          summary: 'Injected (X-Mock-Error: 503)',
          value: ex.envelope('INJECTED_FAULT', 'injected fault: HTTP 503, errorCode 405'),
        },
      },
      RETRY,
    ),
    InjectedFault: {
      description:
        'A fault injected by `faults.rules` or the X-Mock-Error header (when `faults.headersEnabled`): any status 400–599 the rule names, in the SPEC §8 envelope (Retry-After with 429 and 503).',
      headers: LIMITED,
      content: json(ref('ErrorEnvelope'), {
        injected: { summary: 'X-Mock-Error: 504:402', value: ex.envelope('INJECTED_FAULT', 'injected fault: HTTP 504, errorCode 402') },
      }),
    },
    RouteNotFound: envelopeResponse(
      404,
      'No such route — an unknown path, or a method the path does not serve (the server answers 404, never 405)',
      { route: { summary: 'Unknown route', value: ex.envelope('NOT_FOUND', 'no route for GET /3ds/version') } },
      LIMITED,
      ['NOT_FOUND'],
    ),
    Unauthorized: envelopeResponse(
      401,
      'Missing or wrong Bearer token',
      { token: { summary: 'No token', value: ex.envelope('UNAUTHORIZED', 'a valid Bearer token is required') } },
      { ...ALWAYS, 'WWW-Authenticate': header('WWW-Authenticate') },
    ),
    AdminDisabled: envelopeResponse(
      404,
      'No `security.adminToken` configured: the admin routes do not exist',
      { disabled: { summary: 'Admin disabled', value: ex.envelope('NOT_FOUND', 'no route for POST /admin/reload') } },
      ALWAYS,
      ['NOT_FOUND'],
    ),
    ControlServiceUnavailable: envelopeResponse(
      503,
      'The worker is shutting down; retry after Retry-After',
      {
        draining: { summary: 'Shutting down', value: ex.envelope('SHUTTING_DOWN', 'the worker is shutting down; retry') },
      },
      { ...ALWAYS, 'Retry-After': header('Retry-After') },
    ),
    AdminApiNotFound: envelopeResponse(
      404,
      'No admin token accepted here (none configured; in development the one generated at start-up), an unknown transaction (Erro 301) or no override under the key',
      {
        disabled: { summary: 'Admin API disabled', value: ex.envelope('NOT_FOUND', 'no route for GET /__admin/transactions') },
        transaction: {
          summary: 'Unknown transaction',
          value: ex.envelope('TRANSACTION_NOT_FOUND', 'threeDSServerTransID: unknown or expired transaction', {
            threeDSServerTransID: ex.TRANS_ID,
          }),
        },
        override: { summary: 'No override', value: ex.envelope('OVERRIDE_NOT_FOUND', 'key ····4001: no override') },
      },
      ALWAYS,
    ),
    AdminBadRequest: envelopeResponse(
      400,
      'A query parameter, key or body the admin API refuses (`errorDetail` names it)',
      {
        param: { summary: 'A bad filter', value: ex.envelope('INVALID_FORMAT', 'last4: must be 4 digits') },
        scenario: {
          summary: 'No scenario in the body',
          value: ex.envelope('REQUIRED_ELEMENT_MISSING', 'scenario: give {"scenario": {…}} or {"scenario": "<key of protocol.scenarios>"}'),
        },
      },
      ALWAYS,
    ),
    AdminServiceUnavailable: envelopeResponse(
      503,
      'Where inspection and overrides live (the primary, or Redis) cannot be reached, or the worker is shutting down; retry after Retry-After',
      {
        store: { summary: 'Store unavailable', value: ex.envelope('STORE_UNAVAILABLE', 'inspection and overrides store: timed out') },
        draining: { summary: 'Shutting down', value: ex.envelope('SHUTTING_DOWN', 'the worker is shutting down; retry') },
      },
      { ...ALWAYS, 'Retry-After': header('Retry-After') },
    ),
    ControlInternalError: envelopeResponse(
      500,
      'Unexpected failure',
      {
        failure: { summary: 'System failure', value: ex.envelope('SYSTEM_FAILURE', 'unexpected server error') },
      },
      ALWAYS,
    ),
    // The Netcetera-shaped routes' own error shape (SPEC §16).
    NetceteraBadRequest: netceteraResponse(400, 'Bad request', {
      missing: { summary: 'A missing element', value: ex.netcetera('REQUIRED_ELEMENT_MISSING', 'cardholderAccountNumber: is required') },
      malformedJson: { summary: 'Malformed JSON', value: ex.netcetera('MALFORMED_JSON', 'request body is not valid JSON') },
      otherAcs: {
        summary: 'A CRes of another ACS transaction',
        value: ex.netcetera(
          'TRANSACTION_DATA_INVALID',
          'acsTransID: does not match the transaction',
          { threeDSServerTransID: ex.TRANS_ID },
          {
            errorMessageType: 'CRes',
          },
        ),
      },
    }),
    NetceteraNotFound: netceteraResponse(404, 'Unknown or expired transaction (Erro 301)', {
      unknown: {
        summary: 'Unknown transaction',
        value: ex.netcetera('TRANSACTION_NOT_FOUND', 'threeDSServerTransID: unknown or expired transaction', {
          threeDSServerTransID: ex.TRANS_ID,
        }),
      },
    }),
    NetceteraConflict: netceteraResponse(409, 'A conflicting repeat (Erro 305)', {
      repeat: {
        summary: 'A different request under an ID that already authenticated',
        value: ex.netcetera('CONFLICTING_REPEAT', 'threeDSServerTransID: this transaction was authenticated with a different request', {
          threeDSServerTransID: ex.TRANS_ID,
        }),
      },
    }),
    NetceteraPayloadTooLarge: netceteraResponse(413, 'Body too large', {
      tooLarge: { summary: 'Too large', value: ex.netcetera('BODY_TOO_LARGE', 'body of 70017 bytes is above the limit of 65536') },
    }),
    NetceteraUnsupportedMediaType: netceteraResponse(415, 'Wrong content type', {
      notJson: { summary: 'Not JSON', value: ex.netcetera('UNSUPPORTED_MEDIA_TYPE', 'expected application/json, got text/plain') },
    }),
    NetceteraInternalError: netceteraResponse(
      500,
      'Unexpected failure',
      {
        failure: { summary: 'System failure', value: ex.netcetera('SYSTEM_FAILURE', 'unexpected server error') },
        injected: {
          summary: 'Injected (X-Mock-Error: 500)',
          value: ex.envelope('INJECTED_FAULT', 'injected fault: HTTP 500, errorCode 405'),
        },
      },
      true,
    ),
    NetceteraBadGateway: netceteraResponse(
      502,
      'The Directory Server (card 4012, errorComponent D) or the ACS (card 4018, errorComponent A) answered an Erro instead of an ARes',
      {
        ds: { summary: 'Card 4012', value: ex.netceteraDsError },
      },
    ),
    NetceteraServiceUnavailable: netceteraResponse(
      503,
      'Store unavailable or shutting down; retry after Retry-After',
      {
        draining: { summary: 'Shutting down', value: ex.netcetera('SHUTTING_DOWN', 'the worker is shutting down; retry') },
        injected: {
          summary: 'Injected (X-Mock-Error: 503)',
          value: ex.envelope('INJECTED_FAULT', 'injected fault: HTTP 503, errorCode 405'),
        },
      },
      true,
    ),
  },
  securitySchemes: {
    adminToken: {
      type: 'http',
      scheme: 'bearer',
      description:
        '`Authorization: Bearer <token>`: `security.adminToken` (ADMIN_TOKEN) or one of the named `security.adminTokens`, whose name the audit log records. Without a configured token /admin/* does not exist (404); /__admin/* then exists only in development, with the token generated at start-up and printed in the ready line.',
    },
  },
};

// ------------------------------------------------------------------ operations
const FAULT_PARAMS = [param('X-Request-ID'), param('X-Mock-Delay'), param('X-Mock-Error'), param('X-Mock-Drop')];

/** The answers every 3DS flow route can give besides its own (SPEC §8, §11). */
function flowErrors(jsonOnly: boolean): Json {
  return {
    '400': resp('BadRequest'),
    '413': resp('PayloadTooLarge'),
    ...(jsonOnly && { '415': resp('UnsupportedMediaType') }),
    '429': resp('TooManyRequests'),
    '500': resp('InternalError'),
    '503': resp('ServiceUnavailable'),
    default: resp('InjectedFault'),
  };
}

function netceteraErrors(): Json {
  return {
    '400': resp('NetceteraBadRequest'),
    '413': resp('NetceteraPayloadTooLarge'),
    '415': resp('NetceteraUnsupportedMediaType'),
    '429': resp('TooManyRequests'),
    '500': resp('NetceteraInternalError'),
    '503': resp('NetceteraServiceUnavailable'),
    default: resp('InjectedFault'),
  };
}

function jsonBody(schema: Schema, examples: Record<string, { summary: string; value: unknown }>, description?: string): Json {
  return { required: true, ...(description && { description }), content: json(schema, examples) };
}

/** A form body; the ACS routes read JSON objects with the same fields too. */
function formBody(schema: Schema, examples: Record<string, { summary: string; value: unknown }>): Json {
  return {
    required: true,
    content: { [FORM]: { schema, examples: examplesOf(examples) }, [JSON_TYPE]: { schema } },
  };
}

const html = (examples: Record<string, { summary: string; value: unknown }>): Json => ({
  [HTML]: { schema: ref('HtmlPage'), examples: examplesOf(examples) },
});
const PAGE_HEADERS = { ...LIMITED, 'Content-Security-Policy': header('Content-Security-Policy'), 'Cache-Control': header('Cache-Control') };

const versioningOp = (operationId: string, summary: string): Json => ({
  tags: ['Netcetera-shaped API'],
  operationId,
  summary,
  description:
    'The Netcetera-shaped card range lookup (SPEC §16): opens a transaction and answers the card\'s range in Netcetera\'s shape. `highestCommonSupportedVersion` is the highest version both the range and the server speak; card 4014 has a 3DS Method (`threeDSMethodDataForm`). A card in no range gets `"cardRanges": []`.',
  parameters: FAULT_PARAMS,
  requestBody: jsonBody(ref('VersioningRequest'), { challenge: { summary: 'Card 4001', value: ex.versioningRequest } }),
  responses: {
    '200': ok(
      "The card's range.",
      json(ref('VersioningResponse'), {
        challenge: { summary: 'Card 4001', value: ex.versioningResponse },
        method: { summary: 'Card 4014 (3DS Method)', value: ex.versioningResponseMethod },
        notEnrolled: { summary: 'A card in no range', value: { ...ex.versioningResponse, isCardFoundIn2xRanges: false, cardRanges: [] } },
      }),
    ),
    ...netceteraErrors(),
  },
});

const ADMIN = [{ adminToken: [] }];
/** The answers every /__admin route can give besides its own (a control path: never rate limited or faulted). */
const ADMIN_ERRORS = {
  '400': resp('AdminBadRequest'),
  '401': resp('Unauthorized'),
  '404': resp('AdminApiNotFound'),
  '413': resp('PayloadTooLarge'),
  '500': resp('ControlInternalError'),
  '503': resp('AdminServiceUnavailable'),
};
const query = (name: string, description: string, schema: Schema): Json => ({ name, in: 'query', description, schema });

/** The QA console's CSP: this origin only (and the public base URL, where the framed ACS page lives). */
const CONSOLE_CSP: Json = {
  description:
    "default-src 'none'; script-src, style-src and connect-src 'self'; frame-src and form-action 'self' and the public base URL; frame-ancestors 'none'.",
  required: true,
  schema: { type: 'string', pattern: "script-src 'self';.*frame-ancestors 'none'" },
};
const NOTIFY_CSP: Json = {
  description: "Only this origin's script; framed by this origin only.",
  required: true,
  schema: { type: 'string', pattern: "script-src 'self';.*frame-ancestors 'self'" },
};
/** The answers of every /console route besides its own (a control path: never rate limited or faulted). */
const CONSOLE_ERRORS = {
  '404': envelopeResponse(
    404,
    'No admin token accepted here (none configured, outside development): the console does not exist; or an unknown asset, or a script not built',
    {
      disabled: { summary: 'Console disabled', value: ex.envelope('NOT_FOUND', 'no route for GET /console') },
      asset: { summary: 'Unknown asset', value: ex.envelope('NOT_FOUND', 'no console asset app.js') },
    },
    ALWAYS,
    ['NOT_FOUND'],
  ),
  '500': resp('ControlInternalError'),
  '503': resp('ControlServiceUnavailable'),
};

const paths: Record<string, Json> = {
  [PATHS.version]: {
    post: {
      tags: ['3DS Server API'],
      operationId: 'version',
      summary: 'Card range lookup: opens a transaction',
      description:
        "Looks the PAN up in the card ranges (SPEC §3.1) and answers a new `threeDSServerTransID` with the card's range; `cardRanges` is `[]` when the card is in no range. Card 4014 gets a `threeDSMethodURL`.",
      parameters: FAULT_PARAMS,
      requestBody: jsonBody(ref('VersionRequest'), { frictionless: { summary: 'Card 4000', value: ex.versionRequest } }),
      responses: {
        '200': ok(
          "The transaction and the card's range.",
          json(ref('VersionResponse'), {
            frictionless: { summary: 'Card 4000', value: ex.versionResponse },
            method: { summary: 'Card 4014 (3DS Method)', value: ex.versionResponseMethod },
            notEnrolled: { summary: 'A card in no range', value: ex.versionResponseNotEnrolled },
          }),
        ),
        ...flowErrors(true),
      },
    },
  },
  [PATHS.authenticate]: {
    post: {
      tags: ['3DS Server API'],
      operationId: 'authenticate',
      summary: 'AReq → ARes',
      description:
        'Authenticates: the test card (README "Test cards"), or the scenario X-Mock-Scenario or the M3DS-SCENARIO extension names, decides the outcome. A challenge (C) comes with the CReq and the `acsURL` (browser) or `acsSignedContent` (app). The identical request again (with the same X-Mock-Scenario) returns the stored answer; a different one under the same ID is 409. The broken cards 4015–4017 answer 200 with an ARes that breaks EMV on purpose; 4018 is the ACS\'s Erro (502, errorComponent A).',
      parameters: [...FAULT_PARAMS, param('X-Mock-Scenario')],
      requestBody: jsonBody(ref('AuthenticateRequest'), {
        browser: { summary: 'Browser, card 4001 (examples/authenticate-browser.json)', value: ex.authenticateBrowser },
        app: { summary: 'App, card 5200000000004001 (examples/authenticate-app.json)', value: ex.authenticateApp },
      }),
      responses: {
        '200': ok(
          "The ARes in the existing mock's envelope.",
          json(ref('AuthenticateResponse'), {
            frictionless: { summary: 'Card 4000: Y', value: ex.authenticateFrictionless },
            challenge: { summary: 'Card 4001: C, browser challenge', value: ex.authenticateChallenge },
          }),
        ),
        ...flowErrors(true),
        '404': resp('TransactionNotFound'),
        '409': resp('Conflict'),
        '502': resp('DirectoryServerError'),
      },
    },
  },
  [PATHS.results]: {
    post: {
      tags: ['3DS Server API'],
      operationId: 'results',
      summary: 'RReq → RRes',
      description:
        'Records the results of a transaction (SPEC §3.3). The IDs must belong to one transaction; a repeat that agrees with the results on record is acknowledged again, one that disagrees is 409.',
      parameters: FAULT_PARAMS,
      requestBody: jsonBody(ref('ResultsRequest'), { rreq: { summary: 'examples/results.json', value: ex.resultsRequest } }),
      responses: {
        '200': ok('The RRes.', json(ref('RRes'), { rres: { summary: 'Recorded', value: ex.rres } })),
        ...flowErrors(true),
        '404': resp('TransactionNotFound'),
        '409': resp('Conflict'),
      },
    },
  },
  [PATHS.final]: {
    post: {
      tags: ['3DS Server API'],
      operationId: 'final',
      summary: 'The final outcome of a transaction',
      description:
        'The results on record after a challenge or decoupled authentication, or the ARes outcome of a frictionless one. 409 "results pending" while a challenge or decoupled authentication is unfinished; 502 for the Directory Server error card 4012.',
      parameters: FAULT_PARAMS,
      requestBody: jsonBody(ref('FinalRequest'), { final: { summary: 'examples/final.json', value: ex.finalRequest } }),
      responses: {
        '200': ok(
          'The final outcome.',
          json(ref('FinalOutcome'), {
            afterChallenge: { summary: 'After a challenge (card 4001, code 1234)', value: ex.finalAfterChallenge },
            frictionless: { summary: 'Frictionless (card 4000)', value: ex.finalFrictionless },
          }),
        ),
        ...flowErrors(true),
        '404': resp('TransactionNotFound'),
        '409': resp('Conflict'),
        '502': resp('DirectoryServerError'),
      },
    },
  },
  [PATHS.acsChallenge]: {
    post: {
      tags: ['ACS'],
      operationId: 'acsChallengePage',
      summary: 'The ACS challenge page (the acsURL of browser flows)',
      description:
        "Opens the browser challenge (SPEC §5): the page depends on the card — code entry (4001, 4014, 4006 without decoupled), single select (4008), multi select (4009), out of band (4010), issuer HTML (4011) — and always offers cancel, plus resend where a code is involved. A challenge already completed answers its completion (the auto-post page, or a 302 for the existing mock's completion). Test card 4019 (acs-no-answer): no answer at all — the request is held until the client gives up or `protocol.hangMaxMs` passes, then the connection is closed.",
      parameters: [param('X-Request-ID'), param('redirectUrl'), param('X-Mock-Delay'), param('X-Mock-Error'), param('X-Mock-Drop')],
      requestBody: formBody(ref('ChallengePageForm'), {
        emv: { summary: 'The EMV way: base64url CReq', value: ex.challengePageForm },
        mock: { summary: "The existing mock's way: the raw JSON CReq", value: ex.challengePageFormJson },
      }),
      responses: {
        '200': ok('The challenge page.', html({ page: { summary: 'Code entry (card 4001)', value: ex.challengePage } }), PAGE_HEADERS),
        '302': ok(
          "The challenge was completed the existing mock's way: to the redirectUrl with the outcome.",
          text('Found. Redirecting to …'),
          {
            ...LIMITED,
            Location: header('Location'),
          },
        ),
        ...flowErrors(false),
        '404': resp('TransactionNotFound'),
      },
    },
  },
  [PATHS.acsSubmit]: {
    post: {
      tags: ['ACS'],
      operationId: 'acsSubmit',
      summary: "The challenge page's form target: code, select, out of band, resend, cancel",
      description:
        'Every form of the challenge page posts here (README "How the challenge page completes"). A wrong answer brings the page back with the attempts left; after `protocol.challenge.maxAttempts` the outcome is N. On completion the results are recorded first, then the answer is a page that auto-posts `cres` and `threeDSSessionData` to the notificationURL (EMV), or, for the existing mock\'s completion, a 302 to `redirectUrl?transStatus=…&threeDSServerTransID=…&eci=…&authenticationValue=…`. Test card 4019: no answer (as the ACS page).',
      parameters: [param('X-Request-ID'), param('redirectUrl'), param('X-Mock-Delay'), param('X-Mock-Error'), param('X-Mock-Drop')],
      requestBody: formBody(ref('ChallengeSubmitForm'), {
        code: { summary: 'The code', value: ex.submitCode },
        otp: { summary: "The existing mock's direct completion", value: ex.submitOtp },
        multi: { summary: 'Multi select (card 4009)', value: ex.submitMulti },
        cancel: { summary: 'Cancel', value: ex.submitCancel },
      }),
      responses: {
        '200': ok(
          'The challenge page again (wrong answer, resend), or the page that auto-posts the final CRes to the merchant.',
          html({
            final: { summary: 'Completed: auto-post of cres to the notificationURL', value: ex.autoPostPage },
            again: { summary: 'Wrong code: the page again', value: ex.challengePage },
          }),
          PAGE_HEADERS,
        ),
        '302': ok("Completed the existing mock's way.", text(`Found. Redirecting to ${ex.redirectLocation}`), {
          ...LIMITED,
          Location: header('Location'),
        }),
        ...flowErrors(false),
        '404': resp('TransactionNotFound'),
      },
    },
  },
  [PATHS.threeDSMethod]: {
    post: {
      tags: ['ACS'],
      operationId: 'threeDSMethod',
      summary: 'The 3DS Method (threeDSMethodURL)',
      description:
        'Run in a hidden iframe (SPEC §4): the ACS notes that the method ran for the transaction, and answers a page that posts `threeDSMethodData` (base64url of {"threeDSServerTransID"}) to the threeDSMethodNotificationURL. Card 4014 then answers Y with `threeDSCompInd` Y.',
      parameters: FAULT_PARAMS,
      requestBody: formBody(ref('ThreeDSMethodForm'), {
        method: { summary: 'threeDSMethodData', value: { threeDSMethodData: ex.methodData } },
      }),
      responses: {
        '200': ok(
          'A page that auto-posts to the notification URL.',
          html({ page: { summary: 'Auto-post', value: '<!doctype html>…<form …>…</form>…' } }),
          PAGE_HEADERS,
        ),
        ...flowErrors(false),
        '404': resp('TransactionNotFound'),
      },
    },
  },
  [PATHS.appChallenge]: {
    post: {
      tags: ['ACS'],
      operationId: 'appChallenge',
      summary: 'The ACS of app flows: JWE CReq in, JWE CRes out',
      description:
        'The 3DS SDK posts each CReq as a compact JWE (SPEC §6; README "App challenge"); the answer is the CRes as a compact JWE. Failures on this channel are EMV Erro messages (errorComponent A) in application/json with HTTP 200 — SDKs tell a CRes from an Erro by the content type: unknown kid 301, undecryptable or counter out of step 302, missing element 201, invalid 203, not a CReq 101, IDs that do not match or a CReq after completion 305, after the deadline 402. An Erro the SDK posts (JSON) ends the transaction (results U) and gets 204. Test card 4019 (acs-no-answer): no answer — the CReq is held until the SDK gives up or `protocol.hangMaxMs` passes, then the connection is closed.',
      parameters: FAULT_PARAMS,
      requestBody: {
        required: true,
        content: {
          'application/jose': { schema: ref('CompactJwe'), examples: examplesOf({ creq: { summary: 'A CReq', value: ex.cresJwe } }) },
          'application/jwe': { schema: ref('CompactJwe') },
          'text/plain': { schema: ref('CompactJwe') },
          [JSON_TYPE]: { schema: ref('SdkErro'), examples: examplesOf({ erro: { summary: "The SDK's Erro", value: ex.sdkErro } }) },
        },
      },
      responses: {
        '200': {
          description: 'The CRes (application/jose), or an Erro (application/json).',
          headers: { ...LIMITED, 'Cache-Control': header('Cache-Control') },
          content: {
            'application/jose': { schema: ref('CompactJwe'), examples: examplesOf({ cres: { summary: 'A CRes', value: ex.cresJwe } }) },
            [JSON_TYPE]: { schema: ref('Erro'), examples: examplesOf({ erro: { summary: 'Undecryptable CReq', value: ex.appErro } }) },
          },
        },
        '204': ok("The SDK's Erro is recorded.", undefined, { ...LIMITED, 'Cache-Control': header('Cache-Control') }),
        ...flowErrors(true),
      },
    },
  },
  [NETCETERA_PATHS.versioning]: { post: versioningOp('versioning', 'Card range lookup (Netcetera shape)') },
  [NETCETERA_PATHS.versioningV3]: { post: versioningOp('versioningV3', 'Card range lookup (Netcetera API v3 path)') },
  [NETCETERA_PATHS.versioningV4]: { post: versioningOp('versioningV4', 'Card range lookup (Netcetera API v4 path)') },
  [NETCETERA_PATHS.authentication]: {
    post: {
      tags: ['Netcetera-shaped API'],
      operationId: 'authentication',
      summary: 'Authentication (Netcetera shape)',
      description:
        "The authentication as Hyperswitch's Netcetera connector sends it (SPEC §16). A browser challenge posts `base64EncodedChallengeRequest` verbatim as the form field `creq` to `authenticationResponse.acsURL`; an app gets `acsSignedContent` and talks JWE to /challenge. Results are pushed to `merchant.resultsResponseNotificationUrl` once a challenge or decoupled authentication ends.",
      parameters: [...FAULT_PARAMS, param('X-Mock-Scenario')],
      requestBody: jsonBody(ref('AuthenticationRequest'), {
        browser: { summary: 'Browser, card 4001 (examples/netcetera-authentication-browser.json)', value: ex.authenticationRequest },
      }),
      responses: {
        '200': ok(
          'The success shape (never an `errorDetails` key).',
          json(ref('AuthenticationResponse'), {
            challenge: { summary: 'Card 4001: C', value: ex.authenticationChallenge },
            frictionless: { summary: 'Card 4000: Y', value: ex.authenticationFrictionless },
          }),
        ),
        ...netceteraErrors(),
        '404': resp('NetceteraNotFound'),
        '409': resp('NetceteraConflict'),
        '502': resp('NetceteraBadGateway'),
      },
    },
  },
  [NETCETERA_PATHS.challengeResponse]: {
    post: {
      tags: ['Netcetera-shaped API'],
      operationId: 'challengeResponse',
      summary: 'Decode and check a CRes',
      description:
        'Decodes the `cres` the ACS posted to the merchant and checks that it belongs to its transaction (unknown transaction 404, another ACS transaction 400).',
      parameters: FAULT_PARAMS,
      requestBody: jsonBody(ref('ChallengeResponseRequest'), { cres: { summary: 'The final CRes', value: ex.challengeResponseRequest } }),
      responses: {
        '200': ok(
          'The CRes, decoded.',
          json(ref('ChallengeResponseResponse'), { cres: { summary: 'Y', value: ex.challengeResponseResponse } }),
        ),
        ...netceteraErrors(),
        '404': resp('NetceteraNotFound'),
      },
    },
  },
  [NETCETERA_PATHS.methodNotification]: {
    post: {
      tags: ['Netcetera-shaped API'],
      operationId: 'methodNotification',
      summary: 'The 3DS Method notification URL of a Netcetera-shaped versioning',
      description:
        'Where the 3DS Method page reports back; it only acknowledges (the ACS noted the method when its page ran). Any body; its errors are in the SPEC §8 envelope.',
      parameters: FAULT_PARAMS,
      requestBody: {
        required: false,
        content: { [FORM]: { schema: ref('MethodNotificationForm') }, [JSON_TYPE]: { schema: {} }, '*/*': { schema: {} } },
      },
      responses: {
        '204': ok('Acknowledged.', undefined),
        ...flowErrors(false),
      },
    },
  },
  '/health': {
    get: {
      tags: ['Operations'],
      operationId: 'health',
      summary: "Health, the existing mock's shape",
      description: 'Path `monitoring.healthPath` (default /health). Never rate limited.',
      parameters: [param('X-Request-ID')],
      responses: {
        '200': ok('Healthy.', json(ref('Health'), { healthy: { summary: 'Healthy', value: ex.health } }), ALWAYS),
        '503': resp('ControlServiceUnavailable'),
      },
    },
  },
  '/health/live': {
    get: {
      tags: ['Operations'],
      operationId: 'healthLive',
      summary: 'Liveness: the process is up',
      parameters: [param('X-Request-ID')],
      responses: {
        '200': ok('Live.', json(ref('Liveness'), { live: { summary: 'Live', value: ex.live } }), ALWAYS),
        '503': resp('ControlServiceUnavailable'),
      },
    },
  },
  '/health/ready': {
    get: {
      tags: ['Operations'],
      operationId: 'healthReady',
      summary: 'Readiness: every configured worker serves, L2 is reachable, this worker is not draining',
      parameters: [param('X-Request-ID')],
      responses: {
        '200': ok('Ready.', json(ref('Readiness'), { ready: { summary: 'Ready', value: ex.ready } }), ALWAYS),
        '503': {
          description: 'Not ready (the same checks, with Retry-After), or the worker is shutting down (the SPEC §8 envelope).',
          headers: { ...ALWAYS, 'Retry-After': header('Retry-After') },
          content: json(
            { oneOf: [ref('Readiness'), ref('ErrorEnvelope')] },
            {
              notReady: { summary: 'Store down', value: ex.notReady },
              draining: { summary: 'Shutting down', value: ex.envelope('SHUTTING_DOWN', 'the worker is shutting down; retry') },
            },
          ),
        },
      },
    },
  },
  '/metrics': {
    get: {
      tags: ['Operations'],
      operationId: 'metrics',
      summary: 'Prometheus metrics, summed over every worker',
      description:
        'Path `monitoring.metricsPath` (default /metrics; `monitoring.metricsEnabled`). Never rate limited. README "Metrics" lists the series.',
      parameters: [param('X-Request-ID')],
      responses: {
        '200': ok(
          'The metrics.',
          { 'text/plain': { schema: ref('PrometheusText'), examples: examplesOf({ m: { summary: 'An excerpt', value: ex.metrics } }) } },
          ALWAYS,
        ),
        '500': resp('ControlInternalError'),
        '503': resp('ControlServiceUnavailable'),
      },
    },
  },
  '/openapi.json': {
    get: {
      tags: ['Operations'],
      operationId: 'openapi',
      summary: 'This document',
      description:
        'docs/openapi.json, read once when the worker starts, with a weak ETag: a request whose If-None-Match holds it gets 304 without a body. `Access-Control-Allow-Origin: *`, so browser tools on other origins can load it.',
      parameters: [
        param('X-Request-ID'),
        { name: 'If-None-Match', in: 'header', description: 'The ETag of a copy the client holds.', schema: { type: 'string' } },
      ],
      responses: {
        '200': ok('The OpenAPI document.', json(ref('OpenApiDocument')), {
          ...LIMITED,
          ETag: header('ETag'),
          'Cache-Control': header('Cache-Control'),
        }),
        '304': ok("The client's copy is current.", undefined, {
          ...LIMITED,
          ETag: header('ETag'),
          'Cache-Control': header('Cache-Control'),
        }),
        '404': envelopeResponse(
          404,
          'The document is not deployed next to the server (docs/openapi.json)',
          {
            missing: {
              summary: 'Not deployed',
              value: ex.envelope('NOT_FOUND', 'the OpenAPI document is not deployed (docs/openapi.json)'),
            },
          },
          LIMITED,
          ['NOT_FOUND'],
        ),
        '429': resp('TooManyRequests'),
        '500': resp('InternalError'),
        '503': resp('ServiceUnavailable'),
        default: resp('InjectedFault'),
      },
    },
  },
  '/__admin/transactions': {
    get: {
      tags: ['Admin'],
      operationId: 'adminListTransactions',
      summary: 'Recent transactions, newest first (SPEC §17)',
      description: 'From the inspection index; filters combine; pages by cursor.',
      security: ADMIN,
      parameters: [
        param('X-Request-ID'),
        query('last4', 'The last 4 digits of the card.', { type: 'string', pattern: '^[0-9]{4}$' }),
        query('status', 'One transStatus letter (Y, N, U, A, C, R, D, I; E for an Erro).', { type: 'string', pattern: '^[A-Z]$' }),
        query('flow', 'The channel.', { type: 'string', enum: ['browser', 'app', '3ri'] }),
        query('api', 'Which API opened it.', { type: 'string', enum: ['mock', 'netcetera'] }),
        query('since', 'Created at or after: ISO 8601 or epoch milliseconds.', { type: 'string' }),
        query('until', 'Created at or before: ISO 8601 or epoch milliseconds.', { type: 'string' }),
        query('limit', 'Page size, 1 to 500 (default 50).', { type: 'integer', minimum: 1, maximum: 500 }),
        query('cursor', 'The `next` of the previous page.', { type: 'string' }),
      ],
      responses: {
        '200': ok('A page.', json(ref('AdminTransactionList'), { page: { summary: 'One transaction', value: ex.adminList } }), ALWAYS),
        ...ADMIN_ERRORS,
      },
    },
  },
  '/__admin/transactions/{id}': {
    get: {
      tags: ['Admin'],
      operationId: 'adminGetTransaction',
      summary: 'One transaction: its record and its message trail',
      description:
        'The trail holds the AReq as received (masked), ARes, CReq, each CRes, RReq, RRes and every results-push attempt, with times; it is bounded and expires with the record.',
      security: ADMIN,
      parameters: [
        param('X-Request-ID'),
        { name: 'id', in: 'path', required: true, description: 'The threeDSServerTransID.', schema: { type: 'string' } },
      ],
      responses: {
        '200': ok(
          'The transaction.',
          json(ref('AdminTransactionDetail'), { detail: { summary: 'Card 4001 after its challenge', value: ex.adminDetail } }),
          ALWAYS,
        ),
        ...ADMIN_ERRORS,
      },
    },
  },
  '/__admin/overrides': {
    get: {
      tags: ['Admin'],
      operationId: 'adminListOverrides',
      summary: 'The runtime scenario overrides',
      description:
        'Keyed by full PAN or last 4, layered on top of the configured table, seen by every worker (and every instance sharing Redis), surviving worker restarts.',
      security: ADMIN,
      parameters: [param('X-Request-ID')],
      responses: {
        '200': ok('The overrides.', json(ref('OverrideList'), { list: { summary: 'One override', value: ex.overrideList } }), ALWAYS),
        ...ADMIN_ERRORS,
      },
    },
    delete: {
      tags: ['Admin'],
      operationId: 'adminClearOverrides',
      summary: 'Remove every override',
      security: ADMIN,
      parameters: [param('X-Request-ID')],
      responses: {
        '200': ok('Removed.', json(ref('OverridesCleared'), { cleared: { summary: 'One removed', value: ex.overridesCleared } }), ALWAYS),
        ...ADMIN_ERRORS,
      },
    },
  },
  '/__admin/overrides/{key}': {
    parameters: [{ name: 'key', in: 'path', required: true, description: 'A full PAN or last 4 digits.', schema: { type: 'string' } }],
    get: {
      tags: ['Admin'],
      operationId: 'adminGetOverride',
      summary: 'One override',
      security: ADMIN,
      parameters: [param('X-Request-ID')],
      responses: {
        '200': ok(
          'The override.',
          json(ref('OverrideEntry'), { entry: { summary: 'Card 4000 challenged', value: ex.overrideList.overrides[0] } }),
          ALWAYS,
        ),
        ...ADMIN_ERRORS,
      },
    },
    put: {
      tags: ['Admin'],
      operationId: 'adminSetOverride',
      summary: 'Set an override (201 new, 200 replaced)',
      security: ADMIN,
      parameters: [param('X-Request-ID')],
      requestBody: jsonBody(ref('OverrideRequest'), {
        scenario: { summary: 'A scenario', value: ex.overrideRequest },
        copy: { summary: 'Copy the scenario of a configured key', value: ex.overrideRequestCopy },
      }),
      responses: {
        '200': ok(
          'Replaced (with `previous`).',
          json(ref('OverrideSet'), {
            replaced: { summary: 'Replaced', value: { ...ex.overrideSet, previous: ex.overrideList.overrides[0] } },
          }),
          ALWAYS,
        ),
        '201': ok('Set.', json(ref('OverrideSet'), { set: { summary: 'Set', value: ex.overrideSet } }), ALWAYS),
        ...ADMIN_ERRORS,
        '415': {
          ...envelopeResponse(
            415,
            'Not JSON',
            { notJson: { summary: 'Not JSON', value: ex.envelope('UNSUPPORTED_MEDIA_TYPE', 'expected application/json, got text/plain') } },
            ALWAYS,
          ),
        },
      },
    },
    delete: {
      tags: ['Admin'],
      operationId: 'adminDeleteOverride',
      summary: 'Remove one override',
      security: ADMIN,
      parameters: [param('X-Request-ID')],
      responses: {
        '200': ok('Removed.', json(ref('OverrideRemoved'), { removed: { summary: 'Removed', value: ex.overrideRemoved } }), ALWAYS),
        ...ADMIN_ERRORS,
      },
    },
  },
  '/__admin/reset': {
    post: {
      tags: ['Admin'],
      operationId: 'adminReset',
      summary: 'Forget the inspection index and trails, remove every override',
      description: 'Transaction records (flows in progress), rate-limit counters and the configuration stay. No body is needed.',
      security: ADMIN,
      parameters: [param('X-Request-ID')],
      responses: {
        '200': ok('Reset.', json(ref('AdminReset'), { reset: { summary: 'Reset', value: ex.adminReset } }), ALWAYS),
        ...ADMIN_ERRORS,
      },
    },
  },
  '/__admin/scenarios': {
    get: {
      tags: ['Admin', 'Console'],
      operationId: 'adminListScenarios',
      summary: 'The test-card table, with a card number for each row (the QA console)',
      description:
        "The configured `protocol.scenarios` (reloaded with the configuration) as the QA console's card table and overrides editor use it. Runtime overrides are not applied here: GET /__admin/overrides lists them.",
      security: ADMIN,
      parameters: [param('X-Request-ID')],
      responses: {
        '200': ok('The table.', json(ref('ConsoleScenarios'), { table: { summary: 'Three rows', value: ex.consoleScenarios } }), ALWAYS),
        ...ADMIN_ERRORS,
      },
    },
  },
  '/__admin/app-flow': {
    post: {
      tags: ['Admin', 'Console'],
      operationId: 'adminRunAppFlow',
      summary: 'Run one app flow with the server playing the 3DS SDK (the QA console)',
      description:
        "In process: /3ds/version, an app AReq with a fresh ephemeral P-256 key, acsSignedContent verified with its x5c certificate, the session key (ECDH, EMV Concat KDF), CReq/CRes as JWE on /challenge's logic until the challenge ends (one answer, or a cancel), then /3ds/final. The transaction is a real one: it is in the list and has its trail. A flow that ends in an Erro, a silent ACS (4019) or no final outcome is still a 200 whose steps say so.",
      security: ADMIN,
      parameters: [param('X-Request-ID')],
      requestBody: jsonBody(ref('AppFlowRequest'), { challenge: { summary: 'Card 4001, the right code', value: ex.appFlowRequest } }),
      responses: {
        '200': ok(
          'The flow, message by message.',
          json(ref('AppFlowResult'), { challenge: { summary: 'Card 4001', value: ex.appFlowResult } }),
          ALWAYS,
        ),
        ...ADMIN_ERRORS,
        '415': envelopeResponse(
          415,
          'Not JSON',
          { notJson: { summary: 'Not JSON', value: ex.envelope('UNSUPPORTED_MEDIA_TYPE', 'expected application/json, got text/plain') } },
          ALWAYS,
        ),
      },
    },
  },
  '/console': {
    get: {
      tags: ['Console'],
      operationId: 'consolePage',
      summary: 'The QA console (SPEC §17)',
      description:
        'A web page for testers: the live list of transactions, the timeline of one, the test-card table whose buttons run a browser flow with the page playing the merchant, the app-flow runner and the overrides editor (README "QA console"). It asks for the admin token and sends it to /__admin only. Served where /__admin is (development, or with a token configured); 404 otherwise. Never rate limited.',
      parameters: [param('X-Request-ID')],
      responses: {
        '200': ok(
          'The page.',
          { [HTML]: { schema: ref('ConsolePage') } },
          { ...ALWAYS, 'Content-Security-Policy': CONSOLE_CSP, 'Cache-Control': header('Cache-Control') },
        ),
        ...CONSOLE_ERRORS,
      },
    },
  },
  '/console/assets/{file}': {
    get: {
      tags: ['Console'],
      operationId: 'consoleAsset',
      summary: "The console's script (console.js and the modules it imports), its notification page's script, its stylesheet",
      parameters: [
        param('X-Request-ID'),
        {
          name: 'file',
          in: 'path',
          required: true,
          description: 'The asset.',
          schema: {
            type: 'string',
            enum: [
              'console.js',
              'api.js',
              'app-flow.js',
              'browser-areq.js',
              'cards.js',
              'dom.js',
              'overrides.js',
              'runner.js',
              'state.js',
              'tabs.js',
              'transactions.js',
              'notify.js',
              'console.css',
            ],
          },
        },
      ],
      responses: {
        '200': ok(
          'The asset (`X-Content-Type-Options: nosniff`).',
          { 'text/javascript': { schema: ref('ConsoleAsset') }, 'text/css': { schema: ref('ConsoleAsset') } },
          { ...ALWAYS, 'Cache-Control': header('Cache-Control') },
        ),
        ...CONSOLE_ERRORS,
      },
    },
  },
  '/console/notify': {
    post: {
      tags: ['Console'],
      operationId: 'consoleNotify',
      summary: 'The notificationURL of the flows the console runs',
      description:
        "Where the ACS posts the final CRes and the 3DS Method page its threeDSMethodData, inside the console's frame: a page that hands the fields (cres, threeDSSessionData, threeDSMethodData; strings of at most 16 KiB) to the console with postMessage, to the console's origin only. Its CSP allows only this origin's script and framing by this origin.",
      parameters: [param('X-Request-ID')],
      requestBody: formBody(ref('ConsoleNotifyForm'), {
        cres: {
          summary: 'The final CRes',
          value: { cres: 'eyJtZXNzYWdlVHlwZSI6IkNSZXMiLCJ0cmFuc1N0YXR1cyI6IlkifQ', threeDSSessionData: 'Y29uc29sZS1ydW4tMQ' },
        },
      }),
      responses: {
        '200': ok(
          'The page that passes the fields on.',
          { [HTML]: { schema: { type: 'string', contentMediaType: 'text/html' } } },
          { ...ALWAYS, 'Content-Security-Policy': NOTIFY_CSP, 'Cache-Control': header('Cache-Control') },
        ),
        '400': resp('BadRequest'),
        '413': resp('PayloadTooLarge'),
        ...CONSOLE_ERRORS,
      },
    },
  },
  '/admin/reload': {
    post: {
      tags: ['Admin'],
      operationId: 'adminReload',
      summary: 'Reload the configuration (what SIGHUP does)',
      description:
        'Re-reads and validates the configuration in the primary; live keys apply at once, restart-only keys roll the workers one at a time (README "Operations"). No body is needed.',
      security: ADMIN,
      parameters: [param('X-Request-ID')],
      responses: {
        '200': ok('Reloaded.', json(ref('ReloadResult'), { reloaded: { summary: 'Log level changed', value: ex.reloaded } }), ALWAYS),
        '400': resp('BadRequest'),
        '401': resp('Unauthorized'),
        '404': resp('AdminDisabled'),
        '413': resp('PayloadTooLarge'),
        '422': envelopeResponse(
          422,
          'The configuration is invalid: the running one is kept',
          {
            rejected: { summary: 'Invalid', value: ex.envelope('CONFIG_REJECTED', 'server.port: must be a port number') },
          },
          ALWAYS,
        ),
        '500': resp('ControlInternalError'),
        '503': resp('ControlServiceUnavailable'),
      },
    },
  },
};

function text(value: string): Json {
  return { 'text/plain': { schema: { type: 'string' }, examples: examplesOf({ text: { summary: 'Body', value } }) } };
}

function description(cards: readonly TestCard[]): string {
  const rows = cards.map(
    (c) => `| ${c.last4 === 'other' ? 'any other' : c.last4} | ${c.name ? `\`${c.name}\`` : ''} | ${c.ares} | ${c.afterwards} |`,
  );
  return [
    'A mock of the whole EMV 3-D Secure 2.x chain — 3DS Server API, Directory Server and issuer ACS — for CI, QA and load tests (docs/spec.md).',
    '',
    '**Conventions.** Bodies are JSON except the ACS pages (HTML forms) and the app challenge (`application/jose`). Every URL the server hands out is built from `server.publicUrl` (`{base}`, default `http://localhost:<port>`). Every answer carries `X-Request-ID`. Errors are one JSON envelope `{"error","errorDetails":{Erro}}` (SPEC §8) — the Netcetera-shaped routes answer `{"errorDetails"}` alone — with the status and EMVCo code of the error registry (README "Errors"); an unknown path, or a method a path does not serve, is 404 in that envelope (the server never answers 405). Rate-limited answers (429) carry `Retry-After` and the `RateLimit` headers; 503 carries `Retry-After`. With `faults.headersEnabled` the X-Mock-Delay, X-Mock-Error and X-Mock-Drop headers inject faults, answered in the envelope with the status asked for (each operation\'s `default` response).',
    '',
    '**Flows.** Browser: `POST /3ds/version` → `POST /3ds/authenticate` → the browser posts `creq` to `acsURL` (`POST /processor/mock/acs/trigger-otp`) → the code form (`POST /processor/mock/acs/verify-otp`, code 1234) → `POST /3ds/final`. Netcetera-shaped: `POST /3ds/versioning` → `POST /3ds/authentication` → the same ACS pages → `POST /3ds/challenge-response`. App: `POST /3ds/authenticate` with deviceChannel 01 → the SDK talks JWE to `POST /challenge`.',
    '',
    '**Test cards** (any PAN in a configured range; the last four digits choose the outcome, or X-Mock-Scenario names it; README "Test cards"). The **broken** cards break EMV on purpose, within the shapes of this document (4016 is the ARes without `dsTransID`; 4019 sends no answer at all):',
    '',
    '| last 4 | name | ARes | afterwards |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** The whole document. */
export function buildOpenApi(readme?: string): Json {
  const cards = readmeTestCards(readme);
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Mock 3DS Server',
      version: (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
      description: description(cards),
    },
    servers: [{ url: '{base}', description: '`server.publicUrl`', variables: { base: { default: ex.BASE } } }],
    tags: [
      { name: '3DS Server API', description: "The existing mock's API (SPEC §3)." },
      { name: 'Netcetera-shaped API', description: "The REST shape Netcetera defined, as Hyperswitch's connector uses it (SPEC §16)." },
      { name: 'ACS', description: 'The issuer ACS: browser challenge pages, the 3DS Method, the app challenge (SPEC §4–§6).' },
      { name: 'Operations', description: 'Health, metrics and this document (SPEC §10).' },
      { name: 'Admin', description: 'Guarded by the admin Bearer token (SPEC §11).' },
      { name: 'Console', description: 'The QA console: its page, assets and notification page, and the admin routes it adds (SPEC §17).' },
    ],
    paths,
    components,
    'x-test-cards': cards,
  };
}

/** The document as the committed file holds it. */
export function renderOpenApi(readme?: string): string {
  return `${JSON.stringify(buildOpenApi(readme), null, 2)}\n`;
}
