// The JSON Schemas (2020-12, as OpenAPI 3.1 takes them) of docs/openapi.json: what every public route
// takes and answers (SPEC §3, §5, §6, §8, §10, §16). Requests are described as leniently as the server
// reads them (numbers for EMV numeric strings, `null` for absent fields, either spelling of a key);
// answers as strictly as the server writes them: the API envelopes list every key they can carry
// (additionalProperties false), the EMV messages inside them list their keys and stay open, because
// their exact content per messageVersion is the EMV schemas' job (test/schemas/emv, SPEC §15).

export type Schema = Record<string, unknown>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

/** The types given, or null (what Hyperswitch-style clients send for an absent field). */
const orNull = (...types: string[]): Schema => ({ type: [...types, 'null'] });
const code = (description?: string): Schema => ({
  type: ['string', 'integer', 'null'],
  ...(description && { description }),
});
const lenientObject = (description: string, properties: Record<string, Schema> = {}): Schema => ({
  type: ['object', 'null'],
  description,
  properties,
});

const UUID_RE = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const B64URL = '[A-Za-z0-9_-]';

export const schemas: Record<string, Schema> = {
  // ---------------------------------------------------------------- building blocks
  TransactionId: {
    type: 'string',
    pattern: UUID_RE,
    description: 'A transaction ID (threeDSServerTransID, acsTransID, dsTransID, sdkTransID): a UUID, 36 characters.',
    examples: ['8a880dc0-d2d2-4067-bcb1-b08d1690b26e'],
  },
  MessageVersion: {
    type: 'string',
    enum: ['2.1.0', '2.2.0', '2.3.1'],
    description: 'The EMV 3DS message version a message is shaped for (SPEC §15).',
  },
  TransStatus: {
    type: 'string',
    enum: ['Y', 'N', 'U', 'A', 'C', 'D', 'R', 'I', 'S'],
    description:
      'Y authenticated, A attempts, N not authenticated, U could not be performed, R rejected, C challenge, D decoupled challenge, I informational (README "Test cards").',
  },
  TwoDigitCode: { type: 'string', pattern: '^[0-9]{2}$' },
  Eci: { type: 'string', pattern: '^[0-9]{2}$', description: 'Electronic Commerce Indicator: 05/06/07, Mastercard 02/01/00.' },
  AuthenticationValue: {
    type: 'string',
    pattern: '^[A-Za-z0-9+/]{1,40}={0,2}$',
    description: 'The cryptogram: 20 bytes in base64 (28 characters), an HMAC of the transaction ID (README "Test cards").',
  },
  HttpUrl: { type: 'string', format: 'uri', pattern: '^https?://' },
  Base64Url: { type: 'string', pattern: `^${B64URL}+$`, description: 'base64url without padding.' },
  CompactJws: {
    type: 'string',
    pattern: `^${B64URL}+\\.${B64URL}+\\.${B64URL}+$`,
    description: 'A compact JWS.',
  },
  CompactJwe: {
    type: 'string',
    pattern: `^\\s*${B64URL}+\\.${B64URL}*\\.${B64URL}+\\.${B64URL}+\\.${B64URL}+\\s*$`,
    description:
      'A compact JWE, header {"alg":"dir","enc":"A128CBC-HS256"|"A128GCM","kid":"<acsTransID>"} (SPEC §6; README "App challenge").',
  },
  EcPublicJwk: {
    type: 'object',
    description: 'A P-256 public key as a JWK.',
    required: ['kty', 'crv', 'x', 'y'],
    properties: {
      kty: { const: 'EC' },
      crv: { const: 'P-256' },
      x: ref('Base64Url'),
      y: ref('Base64Url'),
    },
  },
  CardNumber: {
    type: ['string', 'integer'],
    description: 'A PAN of 13 to 19 digits (spaces and dashes are ignored; a JSON number is read too).',
    pattern: '^[0-9 -]{13,40}$',
    examples: ['4000400040004000'],
  },
  MessageExtension: {
    type: ['array', 'null'],
    description:
      'Message extensions, validated (at most 10, 15 in 2.3.1; an unrecognised critical one is Erro 202) and echoed (README "Message versions").',
    items: {
      type: 'object',
      required: ['name', 'id', 'criticalityIndicator', 'data'],
      properties: {
        name: { type: 'string', maxLength: 64 },
        id: { type: 'string', maxLength: 64 },
        criticalityIndicator: { type: 'boolean' },
        data: {},
      },
    },
  },

  // ---------------------------------------------------------------- errors (SPEC §8)
  Erro: {
    type: 'object',
    description:
      'An EMV Erro message. errorComponent S (this server), D (the Directory Server, card 4012), A (the ACS: /challenge). errorMessageType is the 4-character type of the message at fault, left out when it is not recognisable.',
    required: ['messageType', 'messageVersion', 'errorCode', 'errorComponent', 'errorDescription', 'errorDetail'],
    additionalProperties: false,
    properties: {
      messageType: { const: 'Erro' },
      messageVersion: {
        type: 'string',
        pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$',
        description: 'The version of the message at fault; for Erro 102 the unsupported version the client asked for.',
      },
      errorCode: { type: 'string', pattern: '^[0-9]{3}$' },
      errorComponent: { type: 'string', enum: ['S', 'D', 'A', 'C'] },
      errorDescription: { type: 'string', minLength: 1 },
      errorDetail: { type: 'string' },
      errorMessageType: { type: 'string', enum: ['AReq', 'ARes', 'CReq', 'CRes', 'PReq', 'PRes', 'RReq', 'RRes', 'OReq', 'ORes', 'Erro'] },
      threeDSServerTransID: ref('TransactionId'),
      acsTransID: ref('TransactionId'),
      dsTransID: ref('TransactionId'),
      sdkTransID: ref('TransactionId'),
    },
  },
  ErrorEnvelope: {
    type: 'object',
    description: 'Every error answer of the server (SPEC §8): one human line and the EMV Erro message.',
    required: ['error', 'errorDetails'],
    additionalProperties: false,
    properties: {
      error: { type: 'string', minLength: 1 },
      errorDetails: ref('Erro'),
    },
  },
  NetceteraError: {
    type: 'object',
    description:
      'Errors of the Netcetera-shaped routes (SPEC §16): `{errorDetails}` alone, with the HTTP status and EMVCo code of the error registry.',
    required: ['errorDetails'],
    additionalProperties: false,
    properties: {
      errorDetails: {
        type: 'object',
        required: ['errorCode', 'errorComponent', 'errorDescription', 'errorDetail'],
        additionalProperties: false,
        properties: {
          threeDSServerTransID: ref('TransactionId'),
          acsTransID: ref('TransactionId'),
          dsTransID: ref('TransactionId'),
          sdkTransID: ref('TransactionId'),
          errorCode: { type: 'string', pattern: '^[0-9]{3}$' },
          errorComponent: { type: 'string', enum: ['S', 'D', 'A', 'C'] },
          errorDescription: { type: 'string', minLength: 1 },
          errorDetail: { type: 'string' },
          errorMessageType: { type: 'string', minLength: 4, maxLength: 4 },
        },
      },
    },
  },

  // ---------------------------------------------------------------- the existing mock's API (SPEC §3)
  VersionRequest: {
    type: 'object',
    required: ['cardNumber'],
    properties: { cardNumber: ref('CardNumber') },
  },
  CardRange: {
    type: 'object',
    required: ['startRange', 'endRange', 'acsStartProtocolVersion', 'acsEndProtocolVersion', 'acsInfoInd'],
    additionalProperties: false,
    properties: {
      startRange: { type: 'string', pattern: '^[0-9]{13,19}$' },
      endRange: { type: 'string', pattern: '^[0-9]{13,19}$' },
      acsStartProtocolVersion: ref('MessageVersion'),
      acsEndProtocolVersion: ref('MessageVersion'),
      acsInfoInd: { type: 'array', items: ref('TwoDigitCode') },
      threeDSMethodURL: {
        ...ref('HttpUrl'),
        description: 'Present when the card has a 3DS Method (card 4014): `{base}/processor/mock/acs/3ds-method`.',
      },
    },
  },
  VersionResponse: {
    type: 'object',
    required: ['threeDSServerTransID', 'cardRanges'],
    additionalProperties: false,
    properties: {
      threeDSServerTransID: ref('TransactionId'),
      cardRanges: { type: 'array', items: ref('CardRange'), description: 'Empty when the card is in no range (not enrolled).' },
    },
  },
  AuthenticateRequest: {
    type: 'object',
    description:
      "The AReq as the existing mock's clients send it (SPEC §3.2). Keys the server does not know are skipped; numbers stand for EMV numeric strings; `acquirerBin`/`acquirerBIN` and `acquirerMerchantId`/`acquirerMerchantID` are both read; every block is optional. Required in effect: `threeDSServerTransID`, `deviceChannel`, the PAN (`cardholderAccount.acctNumber`), `merchant.notificationURL` for browsers, and the SDK's key and `sdkTransID` for apps.",
    required: ['threeDSServerTransID', 'deviceChannel'],
    properties: {
      threeDSServerTransID: ref('TransactionId'),
      deviceChannel: code('01 app, 02 browser, 03 3RI.'),
      messageCategory: code('01 payment, 02 non-payment, 80–99 DS-specific.'),
      messageType: orNull('string'),
      preferredProtocolVersion: { ...orNull('string'), description: 'The highest version the client wants.' },
      enforcePreferredProtocolVersion: { ...orNull('boolean'), description: 'Erro 102 when the preferred version cannot be served.' },
      threeDSCompInd: { type: ['string', 'null'], enum: ['Y', 'N', 'U', null], description: 'Y when the 3DS Method ran.' },
      threeDSRequestorURL: orNull('string'),
      sdkTransID: orNull('string'),
      sdkEphemeralPublicKey: { type: ['object', 'null'], description: 'The SDK key in one of the three accepted forms.' },
      messageExtension: {
        ...ref('MessageExtension'),
        description:
          'Message extensions, echoed. `{"name":"Mock3DSScenario","id":"M3DS-SCENARIO","criticalityIndicator":false,"data":{"scenario":"<code or name>"}}` chooses the scenario of this transaction (below X-Mock-Scenario, above the card).',
      },
      threeDSRequestor: lenientObject('The requestor block.', {
        threeDSRequestorChallengeInd: {
          type: ['string', 'array', 'null'],
          items: { type: 'string' },
          description: 'A string, or an array (2.3.x). 04 forces a challenge, 05 and 06 suppress it (README "Test cards").',
        },
        threeDSRequestorDecReqInd: {
          type: ['string', 'null'],
          description: 'Y (or B in 2.3.1) lets card 4006 answer D (decoupled).',
        },
      }),
      cardholderAccount: lenientObject('The card.', {
        acctNumber: ref('CardNumber'),
        cardExpiryDate: { type: ['string', 'null'], pattern: '^[0-9]{4}$' },
        schemeId: orNull('string'),
        cardSecurityCode: { ...orNull('string'), description: 'Accepted, never echoed or stored.' },
      }),
      cardholder: lenientObject('The cardholder block.'),
      purchase: lenientObject('The purchase block (`purchaseAmount`, `purchaseExponent` may be numbers).', {
        purchaseAmount: code(),
        purchaseCurrency: code(),
        purchaseExponent: code(),
        purchaseDate: { type: ['string', 'null'], pattern: '^[0-9]{14}$' },
      }),
      acquirer: lenientObject('The acquirer block (`acquirerBin`/`acquirerBIN`, `acquirerMerchantId`/`acquirerMerchantID`).'),
      merchant: lenientObject('The merchant block.', {
        notificationURL: { ...orNull('string'), description: 'Where the challenge page posts `cres` (browser flows: required).' },
        resultsResponseNotificationUrl: { ...orNull('string'), description: 'Where results are pushed (SPEC §3.3).' },
      }),
      browserInformation: lenientObject('Browser flows (`deviceChannel` 02).', {
        challengeWindowSize: code('01 250×400 … 05 full page.'),
      }),
      sdkInformation: lenientObject('App flows (`deviceChannel` 01).', {
        sdkAppID: orNull('string'),
        sdkReferenceNumber: orNull('string'),
        sdkTransID: orNull('string'),
        sdkMaxTimeout: code(),
        sdkEphemPubKey: { type: ['object', 'string', 'null'], description: "The SDK's ephemeral P-256 public key (a JWK, or its JSON)." },
      }),
      deviceRenderOptions: lenientObject("App flows: the SDK's interfaces and UI types."),
    },
  },
  AReqEcho: {
    type: 'object',
    description:
      'The AReq as forwarded to the Directory Server, shaped for its messageVersion (README "Message versions"). The PAN is masked except in `acctNumber`, governed by `protocol.echoFullPan`; the CVC never appears.',
    required: ['messageType', 'messageVersion', 'threeDSServerTransID', 'deviceChannel', 'messageCategory'],
    properties: {
      messageType: { const: 'AReq' },
      messageVersion: ref('MessageVersion'),
      threeDSServerTransID: ref('TransactionId'),
      deviceChannel: { type: 'string', enum: ['01', '02', '03'] },
      messageCategory: ref('TwoDigitCode'),
      acctNumber: { type: 'string', pattern: '^[0-9*]{13,19}$' },
      threeDSRequestorChallengeInd: { type: ['string', 'array'], items: ref('TwoDigitCode') },
      threeDSServerURL: ref('HttpUrl'),
      notificationURL: ref('HttpUrl'),
      sdkTransID: ref('TransactionId'),
      sdkEphemPubKey: ref('EcPublicJwk'),
      messageExtension: ref('MessageExtension'),
      cardSecurityCode: false,
    },
  },
  AcsRenderingType: {
    type: 'object',
    required: ['acsInterface', 'acsUiTemplate'],
    additionalProperties: false,
    properties: {
      acsInterface: { type: 'string', enum: ['01', '02'] },
      acsUiTemplate: ref('TwoDigitCode'),
      deviceUserInterfaceMode: ref('TwoDigitCode'),
    },
  },
  ARes: {
    type: 'object',
    description:
      'The ARes, shaped for its messageVersion (SPEC §3.2, §15). `dsTransID` is always there except for the broken test card 4016 (no-ds-trans-id), which leaves it out on purpose; card 4017 (wrong-sdk-trans-id) sends an `sdkTransID` that is not the AReq\'s, card 4015 (no-acs-url) a challenge without `acsURL` (README "Test cards").',
    required: [
      'messageType',
      'messageVersion',
      'threeDSServerTransID',
      'acsTransID',
      'transStatus',
      'acsReferenceNumber',
      'acsOperatorID',
      'dsReferenceNumber',
    ],
    properties: {
      messageType: { const: 'ARes' },
      messageVersion: ref('MessageVersion'),
      threeDSServerTransID: ref('TransactionId'),
      acsTransID: ref('TransactionId'),
      dsTransID: ref('TransactionId'),
      sdkTransID: ref('TransactionId'),
      transStatus: ref('TransStatus'),
      transStatusReason: ref('TwoDigitCode'),
      acsChallengeMandated: { type: 'string', enum: ['Y', 'N'] },
      authenticationType: ref('TwoDigitCode'),
      authenticationMethod: { type: 'array', items: ref('TwoDigitCode'), minItems: 1 },
      authenticationValue: ref('AuthenticationValue'),
      eci: ref('Eci'),
      acsReferenceNumber: { type: 'string' },
      acsOperatorID: { type: 'string' },
      dsReferenceNumber: { type: 'string' },
      acsURL: { ...ref('HttpUrl'), description: 'Browser challenge: `{base}/processor/mock/acs/trigger-otp`.' },
      acsDecConInd: { type: 'string', enum: ['Y', 'N'] },
      cardholderInfo: {
        oneOf: [
          { type: 'string', maxLength: 128 },
          { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
        ],
      },
      acsSignedContent: {
        ...ref('CompactJws'),
        description:
          'App challenge: PS256 (or ES256) JWS with x5c; payload acsURL `{base}/challenge`, acsEphemPubKey, sdkEphemPubKey, acsTransID, acsRefNumber.',
      },
      acsRenderingType: ref('AcsRenderingType'),
      deviceInfoRecognisedVersion: { type: 'string' },
      threeDSRequestorAppURLInd: { type: 'string', enum: ['Y', 'N'] },
      messageExtension: ref('MessageExtension'),
    },
  },
  BrowserCReq: {
    type: 'object',
    description: 'The CReq of a browser challenge (its JSON; `base64EncodedChallengeRequest` is the same as base64url).',
    required: ['messageType', 'messageVersion', 'threeDSServerTransID', 'acsTransID'],
    additionalProperties: false,
    properties: {
      messageType: { const: 'CReq' },
      messageVersion: ref('MessageVersion'),
      threeDSServerTransID: ref('TransactionId'),
      acsTransID: ref('TransactionId'),
      challengeWindowSize: ref('TwoDigitCode'),
      sdkTransID: ref('TransactionId'),
    },
  },
  AuthenticateResponse: {
    type: 'object',
    description: "The existing mock's envelope around the ARes (SPEC §3.2).",
    required: [
      'threeDSServerTransID',
      'transStatus',
      'acsChallengeMandated',
      'purchaseDate',
      'authenticationRequest',
      'authenticationResponse',
    ],
    additionalProperties: false,
    properties: {
      threeDSServerTransID: ref('TransactionId'),
      transStatus: ref('TransStatus'),
      acsChallengeMandated: { type: 'string', enum: ['Y', 'N'], description: 'Always Y on a challenge (C).' },
      purchaseDate: { type: 'string', pattern: '^[0-9]{14}$' },
      authenticationRequest: ref('AReqEcho'),
      authenticationResponse: ref('ARes'),
      challengeRequest: ref('BrowserCReq'),
      base64EncodedChallengeRequest: {
        ...ref('Base64Url'),
        description: 'The CReq JSON as base64url: post it as the form field `creq` to `acsURL`.',
      },
      acsURL: ref('HttpUrl'),
      eci: ref('Eci'),
      authenticationValue: ref('AuthenticationValue'),
    },
  },
  ResultsRequest: {
    type: 'object',
    description:
      "An RReq (SPEC §3.3) in any version's shape: `authenticationMethod` as an array or one code, `authenticationType`, the 2.3.1 codes. The IDs must be those of one transaction.",
    required: ['threeDSServerTransID', 'acsTransID', 'dsTransID', 'transStatus'],
    properties: {
      threeDSServerTransID: ref('TransactionId'),
      acsTransID: ref('TransactionId'),
      dsTransID: ref('TransactionId'),
      sdkTransID: orNull('string'),
      messageType: { type: ['string', 'null'], enum: ['RReq', null] },
      messageVersion: orNull('string'),
      messageCategory: code(),
      transStatus: { type: 'string', enum: ['Y', 'N', 'U', 'A', 'R'] },
      transStatusReason: code(),
      eci: code(),
      authenticationValue: orNull('string'),
      authenticationMethod: { type: ['string', 'array', 'null'], items: { type: 'string' } },
      authenticationType: code(),
      interactionCounter: code(),
      challengeCancel: code(),
      acsRenderingType: { type: ['object', 'null'] },
      messageExtension: ref('MessageExtension'),
    },
  },
  RReq: {
    type: 'object',
    description: 'The RReq on record, shaped for its messageVersion.',
    required: ['messageType', 'messageVersion', 'messageCategory', 'threeDSServerTransID', 'acsTransID', 'dsTransID', 'transStatus'],
    additionalProperties: false,
    properties: {
      messageType: { const: 'RReq' },
      messageVersion: ref('MessageVersion'),
      messageCategory: ref('TwoDigitCode'),
      threeDSServerTransID: ref('TransactionId'),
      acsTransID: ref('TransactionId'),
      dsTransID: ref('TransactionId'),
      sdkTransID: ref('TransactionId'),
      transStatus: ref('TransStatus'),
      transStatusReason: ref('TwoDigitCode'),
      eci: ref('Eci'),
      authenticationValue: ref('AuthenticationValue'),
      authenticationMethod: { type: 'array', items: ref('TwoDigitCode'), minItems: 1 },
      authenticationType: ref('TwoDigitCode'),
      interactionCounter: ref('TwoDigitCode'),
      challengeCancel: ref('TwoDigitCode'),
      acsRenderingType: ref('AcsRenderingType'),
    },
  },
  RRes: {
    type: 'object',
    required: ['messageType', 'messageVersion', 'threeDSServerTransID', 'acsTransID', 'dsTransID', 'resultsStatus'],
    additionalProperties: false,
    properties: {
      messageType: { const: 'RRes' },
      messageVersion: ref('MessageVersion'),
      threeDSServerTransID: ref('TransactionId'),
      acsTransID: ref('TransactionId'),
      dsTransID: ref('TransactionId'),
      sdkTransID: ref('TransactionId'),
      resultsStatus: ref('TwoDigitCode'),
    },
  },
  FinalRequest: {
    type: 'object',
    required: ['threeDSServerTransID'],
    properties: { threeDSServerTransID: ref('TransactionId') },
  },
  FinalOutcome: {
    type: 'object',
    description:
      'The final outcome (SPEC §3.3): the results on record after a challenge or decoupled authentication, else the ARes outcome without the results parts. The results push to `merchant.resultsResponseNotificationUrl` has this shape too.',
    required: ['threeDSServerTransID', 'transStatus'],
    additionalProperties: false,
    properties: {
      threeDSServerTransID: ref('TransactionId'),
      transStatus: ref('TransStatus'),
      eci: ref('Eci'),
      authenticationValue: ref('AuthenticationValue'),
      resultsRequest: ref('RReq'),
      resultsResponse: ref('RRes'),
    },
  },

  // ---------------------------------------------------------------- the ACS (SPEC §4, §5, §6)
  ChallengePageForm: {
    type: 'object',
    description: 'What the browser posts to `acsURL`.',
    required: ['creq'],
    properties: {
      creq: {
        type: 'string',
        description: "The CReq: base64url or base64, padded or not (the EMV way), or its raw JSON (the existing mock's way).",
      },
      threeDSSessionData: { type: 'string', maxLength: 2048, description: 'Returned unchanged with the final `cres`.' },
      redirectUrl: {
        type: 'string',
        description: "The existing mock's completion (also as a query parameter): where verify-otp redirects.",
      },
    },
  },
  ChallengeSubmitForm: {
    type: 'object',
    description:
      'What the challenge page\'s forms post (README "How the challenge page completes"), or the existing mock\'s direct completion with `otp`.',
    required: ['threeDSServerTransID'],
    properties: {
      threeDSServerTransID: ref('TransactionId'),
      challengeDataEntry: { type: 'string', description: 'The code (1234), a single select option (02), or a multi select as 01,03.' },
      otp: { type: 'string', description: "The existing mock's field for the code." },
      action: { type: 'string', enum: ['submit', 'cancel', 'resend', 'oob-continue'] },
      redirectUrl: { type: 'string' },
    },
    patternProperties: { '^select-[0-9]{2}$': { type: 'string', description: 'A multi select checkbox (select-01 … select-04).' } },
  },
  ThreeDSMethodForm: {
    type: 'object',
    required: ['threeDSMethodData'],
    properties: {
      threeDSMethodData: {
        ...ref('Base64Url'),
        description: 'base64url of {"threeDSServerTransID","threeDSMethodNotificationURL"} (SPEC §4).',
      },
    },
  },
  MethodNotificationForm: {
    type: 'object',
    properties: {
      threeDSMethodData: { type: 'string', description: 'base64url of {"threeDSServerTransID"}, as the 3DS Method page posts it.' },
    },
  },
  HtmlPage: {
    type: 'string',
    description:
      'An HTML page with a per-response CSP nonce: the challenge page (forms `cardholderInput`, `resendForm`, `cancelForm`), or a page that auto-posts `form[name="autoPost"]` to the merchant (`cres` and `threeDSSessionData` to the notificationURL; `threeDSMethodData` to the 3DS Method notification URL).',
    contentMediaType: 'text/html',
  },
  SdkErro: {
    type: 'object',
    description: 'An Erro the SDK posts (plain JSON): the transaction ends with results U (challengeCancel 06).',
    required: ['messageType'],
    properties: { messageType: { const: 'Erro' } },
  },

  // ---------------------------------------------------------------- the Netcetera-shaped API (SPEC §16)
  VersioningRequest: {
    type: 'object',
    required: ['cardholderAccountNumber'],
    properties: {
      cardholderAccountNumber: ref('CardNumber'),
      schemeId: { ...orNull('string'), description: "Accepted; the card's range decides." },
    },
  },
  AcsProtocolVersion: {
    type: 'object',
    required: ['version', 'acsInfoInd'],
    additionalProperties: false,
    properties: {
      version: ref('MessageVersion'),
      acsInfoInd: { type: 'array', items: ref('TwoDigitCode') },
      threeDSMethodURL: ref('HttpUrl'),
    },
  },
  NetceteraCardRange: {
    type: 'object',
    required: [
      'schemeId',
      'acsStartProtocolVersion',
      'acsEndProtocolVersion',
      'dsStartProtocolVersion',
      'dsEndProtocolVersion',
      'acsInfoInd',
      'acsProtocolVersions',
      'dsProtocolVersions',
      'highestCommonSupportedVersion',
    ],
    additionalProperties: false,
    properties: {
      schemeId: { type: 'string', description: "Netcetera's names: Visa, Mastercard, American Express, JCB, UnionPay, Diners (Discover)." },
      directoryServerId: { type: 'string', pattern: '^A[0-9]{9}$' },
      acsStartProtocolVersion: ref('MessageVersion'),
      acsEndProtocolVersion: ref('MessageVersion'),
      dsStartProtocolVersion: ref('MessageVersion'),
      dsEndProtocolVersion: ref('MessageVersion'),
      acsInfoInd: { type: 'array', items: ref('TwoDigitCode') },
      acsProtocolVersions: { type: 'array', items: ref('AcsProtocolVersion'), minItems: 1 },
      dsProtocolVersions: { type: 'array', items: ref('MessageVersion'), minItems: 1 },
      threeDSMethodDataForm: {
        type: 'object',
        required: ['threeDSMethodData'],
        additionalProperties: false,
        properties: { threeDSMethodData: ref('Base64Url') },
        description:
          'Card 4014: ready to post to the threeDSMethodURL; the method page then reports to `{base}/3ds/3ds-method-notification`.',
      },
      highestCommonSupportedVersion: ref('MessageVersion'),
    },
  },
  VersioningResponse: {
    type: 'object',
    required: ['threeDSServerTransID', 'isCardFoundIn2xRanges', 'cardRanges'],
    additionalProperties: false,
    properties: {
      threeDSServerTransID: ref('TransactionId'),
      isCardFoundIn2xRanges: { type: 'boolean' },
      cardRanges: { type: 'array', items: ref('NetceteraCardRange'), description: 'Empty when the card is in no range.' },
    },
  },
  AuthenticationRequest: {
    allOf: [ref('AuthenticateRequest')],
    description:
      "The authentication request as Hyperswitch's Netcetera connector sends it: the AReq fields of `/3ds/authenticate`, `null` for absent fields, `preferredProtocolVersion` a version or `latest`, the challenge indicator a string or a list.",
  },
  NetceteraAReqEcho: {
    type: 'object',
    allOf: [ref('AReqEcho')],
    properties: { threeDSRequestorChallengeInd: { type: 'array', items: ref('TwoDigitCode') } },
    description: 'The AReq as sent on to the Directory Server, with `threeDSRequestorChallengeInd` always a list.',
  },
  AuthenticationResponse: {
    type: 'object',
    description:
      'The success shape; it never contains an `errorDetails` key. `acsChallengeMandated` is Y on every challenge (C) and N for decoupled (D).',
    required: ['threeDSServerTransID', 'transStatus', 'acsChallengeMandated', 'authenticationRequest', 'authenticationResponse'],
    additionalProperties: false,
    properties: {
      threeDSServerTransID: ref('TransactionId'),
      transStatus: ref('TransStatus'),
      authenticationValue: ref('AuthenticationValue'),
      eci: ref('Eci'),
      acsChallengeMandated: { type: 'string', enum: ['Y', 'N'] },
      authenticationRequest: ref('NetceteraAReqEcho'),
      authenticationResponse: ref('ARes'),
      base64EncodedChallengeRequest: ref('Base64Url'),
    },
  },
  ChallengeResponseRequest: {
    type: 'object',
    required: ['base64EncodedCRes'],
    properties: {
      base64EncodedCRes: { type: 'string', description: 'The `cres` the ACS posted to the notificationURL (base64 or base64url).' },
    },
  },
  ChallengeResponseResponse: {
    type: 'object',
    required: ['threeDSServerTransID', 'base64EncodedCRes', 'challengeResponse'],
    additionalProperties: false,
    properties: {
      threeDSServerTransID: ref('TransactionId'),
      base64EncodedCRes: { type: 'string' },
      challengeResponse: {
        type: 'object',
        description: 'The CRes, decoded.',
        required: ['messageType', 'threeDSServerTransID', 'acsTransID'],
        properties: {
          messageType: { const: 'CRes' },
          messageVersion: { type: 'string' },
          threeDSServerTransID: ref('TransactionId'),
          acsTransID: ref('TransactionId'),
          transStatus: ref('TransStatus'),
          challengeCompletionInd: { type: 'string', enum: ['Y', 'N'] },
        },
      },
    },
  },

  // ---------------------------------------------------------------- operations (SPEC §9, §10)
  Health: {
    type: 'object',
    required: ['status', 'timestamp', 'service'],
    additionalProperties: false,
    properties: {
      status: { const: 'healthy' },
      timestamp: { type: 'string', format: 'date-time' },
      service: { const: 'mock-3ds-server' },
    },
  },
  Liveness: {
    type: 'object',
    required: ['status', 'pid', 'uptimeSeconds'],
    additionalProperties: false,
    properties: {
      status: { const: 'live' },
      pid: { type: 'integer', minimum: 1 },
      uptimeSeconds: { type: 'integer', minimum: 0 },
    },
  },
  Readiness: {
    type: 'object',
    required: ['status', 'checks'],
    additionalProperties: false,
    properties: {
      status: { type: 'string', enum: ['ready', 'not ready'] },
      checks: {
        type: 'object',
        required: ['store', 'draining', 'workers'],
        additionalProperties: false,
        properties: {
          store: { type: 'string', enum: ['up', 'down'] },
          draining: { type: 'boolean' },
          workers: {
            type: 'object',
            required: ['alive', 'expected'],
            additionalProperties: false,
            properties: { alive: { type: 'integer', minimum: 0 }, expected: { type: 'integer', minimum: 0 } },
          },
        },
      },
    },
  },
  PrometheusText: {
    type: 'string',
    description: 'Prometheus text exposition format, summed over every worker (README "Metrics").',
  },
  OpenApiDocument: {
    type: 'object',
    description: 'This document.',
    required: ['openapi', 'info', 'paths'],
    properties: { openapi: { type: 'string', pattern: '^3\\.1\\.[0-9]+$' }, info: { type: 'object' }, paths: { type: 'object' } },
  },
  AdminTransactionSummary: {
    type: 'object',
    description: 'A transaction in the inspection index (SPEC §17): what the list filters on and shows. The PAN only masked.',
    required: ['threeDSServerTransID', 'createdAt', 'updatedAt'],
    additionalProperties: false,
    properties: {
      threeDSServerTransID: { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}$' },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
      status: {
        type: 'string',
        pattern: '^[A-Z]$',
        description: "The current transStatus (the ARes's, then the results'); E for an Erro from the Directory Server or the ACS.",
      },
      stage: { type: 'string' },
      flow: { type: 'string', enum: ['browser', 'app', '3ri'] },
      api: { type: 'string', enum: ['mock', 'netcetera'] },
      last4: { type: 'string', pattern: '^[0-9]{4}$' },
      maskedPan: { type: 'string', pattern: '^[0-9]{6}\\*+[0-9]{4}$' },
      scheme: { type: 'string' },
      messageVersion: ref('MessageVersion'),
      scenario: { type: 'string', description: 'The scenario key that matched (`override:…` for a runtime override).' },
    },
  },
  AdminTransactionList: {
    type: 'object',
    required: ['items', 'next'],
    additionalProperties: false,
    properties: {
      items: { type: 'array', items: ref('AdminTransactionSummary'), description: 'Newest first.' },
      next: { type: ['string', 'null'], description: 'The cursor of the next page (`?cursor=`), null on the last page.' },
    },
  },
  AdminTrailEntry: {
    type: 'object',
    description: 'One message or step of a transaction, masked (PANs first 6 and last 4, no CVC).',
    properties: {
      at: { type: 'integer', description: 'Epoch milliseconds.' },
      time: { type: 'string', format: 'date-time' },
      kind: {
        type: 'string',
        enum: ['version', 'method', 'AReq', 'ARes', 'Erro', 'CReq', 'CRes', 'challenge', 'redirect', 'RReq', 'RRes', 'push'],
      },
      note: { type: 'string' },
      message: { description: 'The message as it was received or sent (a results push: the attempt and its outcome).' },
      truncated: { const: true, description: 'The message was larger than the trail allows; `bytes` says how large.' },
      bytes: { type: 'integer' },
      unreadable: { const: true },
    },
  },
  AdminTransactionDetail: {
    type: 'object',
    required: ['summary', 'record', 'trail', 'trailDropped'],
    additionalProperties: false,
    properties: {
      summary: { oneOf: [ref('AdminTransactionSummary'), { type: 'null' }] },
      record: {
        type: 'object',
        description: 'Where the transaction stands and what it decided (no keys, no stored answer).',
        required: ['threeDSServerTransID', 'version', 'stage', 'final'],
        properties: {
          threeDSServerTransID: { type: 'string' },
          version: { type: 'integer' },
          stage: { type: 'string' },
          final: { type: 'boolean' },
          authentication: { type: 'object' },
          challenge: { type: 'object' },
          results: { type: 'object' },
        },
      },
      trail: { type: 'array', items: ref('AdminTrailEntry'), description: 'Oldest first.' },
      trailDropped: { type: 'integer', minimum: 0, description: 'Entries that left the trail to keep it within its bounds.' },
    },
  },
  OverrideEntry: {
    type: 'object',
    required: ['key', 'scenario', 'setBy', 'setAt'],
    additionalProperties: false,
    properties: {
      key: { type: 'string', description: 'A full PAN or last 4 digits.' },
      scenario: { type: 'object', description: 'A scenario of the `protocol.scenarios` vocabulary.' },
      setBy: { type: 'string', description: 'The name of the admin token that set it.' },
      setAt: { type: 'string', format: 'date-time' },
    },
  },
  OverrideList: {
    type: 'object',
    required: ['version', 'overrides'],
    additionalProperties: false,
    properties: { version: { type: 'integer', minimum: 0 }, overrides: { type: 'array', items: ref('OverrideEntry') } },
  },
  OverrideRequest: {
    type: 'object',
    required: ['scenario'],
    properties: {
      scenario: {
        oneOf: [
          { type: 'object', description: 'A scenario of the `protocol.scenarios` vocabulary (transStatus, challenge, reason, …).' },
          { type: 'string', description: 'A key of the configured table, whose scenario is copied (e.g. "4001").' },
        ],
      },
    },
  },
  OverrideSet: {
    type: 'object',
    required: ['key', 'scenario', 'version'],
    additionalProperties: false,
    properties: {
      key: { type: 'string' },
      scenario: { type: 'object' },
      setBy: { type: 'string' },
      setAt: { type: 'string', format: 'date-time' },
      previous: ref('OverrideEntry'),
      version: { type: 'integer', minimum: 0 },
    },
  },
  OverrideRemoved: {
    type: 'object',
    required: ['removed', 'version'],
    additionalProperties: false,
    properties: {
      removed: {
        oneOf: [
          ref('OverrideEntry'),
          { type: 'object', required: ['key'], additionalProperties: false, properties: { key: { type: 'string' } } },
        ],
      },
      version: { type: 'integer', minimum: 0 },
    },
  },
  OverridesCleared: {
    type: 'object',
    required: ['removed', 'version'],
    additionalProperties: false,
    properties: { removed: { type: 'integer', minimum: 0 }, version: { type: 'integer', minimum: 0 } },
  },
  AdminReset: {
    type: 'object',
    required: ['overridesRemoved', 'transactionsForgotten', 'trailsRemoved', 'kept'],
    additionalProperties: false,
    properties: {
      overridesRemoved: { type: 'integer', minimum: 0 },
      transactionsForgotten: { type: 'integer', minimum: 0 },
      trailsRemoved: { type: 'integer', minimum: 0 },
      kept: {
        type: 'array',
        items: { type: 'string' },
        description: 'What a reset leaves: transaction records, rate-limit counters, configuration.',
      },
    },
  },
  ConsoleScenarios: {
    type: 'object',
    description: 'The configured test-card table (`protocol.scenarios`) as the QA console shows it (SPEC §4, §17).',
    required: ['scenarios'],
    additionalProperties: false,
    properties: {
      scenarios: {
        type: 'array',
        description: 'Last-4 keys in order, then full-PAN keys, then `default`.',
        items: {
          type: 'object',
          required: ['key', 'scenario'],
          additionalProperties: false,
          properties: {
            key: { type: 'string', pattern: '^([0-9]{4}|[0-9]{13,19}|default)$', description: 'The key of `protocol.scenarios`.' },
            name: { type: 'string', description: 'The scenario name (X-Mock-Scenario takes it).' },
            cardNumber: {
              type: 'string',
              pattern: '^[0-9]{13,19}$',
              description:
                "A card that selects this row: a full-PAN key itself; for a last-4 key README's Visa number 400040004000xxxx when a configured range holds it (else the start of a range that does); for `default` a last 4 no key takes. Absent when no range could hold one.",
            },
            scenario: { type: 'object', description: 'The scenario as configured.' },
          },
        },
      },
    },
  },
  AppFlowRequest: {
    type: 'object',
    description: 'One app flow for the server to run as a 3DS SDK.',
    required: ['cardNumber'],
    properties: {
      cardNumber: ref('CardNumber'),
      answer: {
        type: 'string',
        maxLength: 45,
        description:
          'What the cardholder enters: the code (1234), the option `02` (single select) or `01,03` (multi select); not used out of band.',
      },
      cancel: { type: 'boolean', description: 'Cancel the challenge once it is shown (challengeCancel 01) instead of answering.' },
      messageVersion: { type: 'string', enum: ['2.1.0', '2.2.0', '2.3.1'], description: 'preferredProtocolVersion of the AReq (2.2.0).' },
      enc: {
        type: 'string',
        enum: ['A128CBC-HS256', 'A128GCM'],
        description: 'The JWE content encryption of CReq and CRes (A128CBC-HS256).',
      },
    },
  },
  AppFlowResult: {
    type: 'object',
    required: ['threeDSServerTransID', 'steps', 'final'],
    additionalProperties: false,
    properties: {
      threeDSServerTransID: ref('TransactionId'),
      transStatus: { type: 'string', pattern: '^[A-Z]$', description: "The ARes's transStatus; E when the AReq got an Erro." },
      challengeStatus: {
        type: 'string',
        pattern: '^[A-Z]$',
        description: "The final CRes's transStatus, when the challenge ran to its end.",
      },
      steps: {
        type: 'array',
        description: 'Every message of the flow in order, masked as the trail keeps them (the code entered withheld).',
        items: {
          type: 'object',
          required: ['kind', 'time'],
          additionalProperties: false,
          properties: {
            kind: { type: 'string', enum: ['version', 'ARes', 'CReq', 'CRes', 'Erro', 'final', 'note'] },
            time: { type: 'string', format: 'date-time' },
            note: { type: 'string', description: 'What the SDK noticed (a broken answer, a silent ACS).' },
            message: { description: 'The message (an Erro: its SPEC §8 envelope).' },
          },
        },
      },
      final: {
        type: 'object',
        description: '`POST /3ds/final` for the transaction: its outcome, or its error envelope (results pending).',
      },
    },
  },
  ConsoleNotifyForm: {
    type: 'object',
    description: 'What the ACS (the final CRes) or the 3DS Method page posts to the notification URL of a flow the console runs.',
    properties: {
      cres: { type: 'string', description: 'base64url of the final CRes.' },
      threeDSSessionData: { type: 'string' },
      threeDSMethodData: { type: 'string', description: 'base64url of {"threeDSServerTransID"}.' },
    },
  },
  ConsolePage: {
    type: 'string',
    description:
      'The QA console: static markup whose script and stylesheet come from /console/assets; it asks for the admin token and sends it to /__admin only.',
    contentMediaType: 'text/html',
  },
  ConsoleAsset: { type: 'string', description: "The console's script (compiled from TypeScript by the build) or stylesheet." },
  ReloadResult: {
    type: 'object',
    required: ['status', 'changed', 'restarted'],
    additionalProperties: false,
    properties: {
      status: { const: 'reloaded' },
      changed: { type: 'array', items: { type: 'string' }, description: 'The configuration keys that changed.' },
      restarted: { type: 'boolean', description: 'Whether restart-only keys changed, so workers were rolled.' },
    },
  },
};
