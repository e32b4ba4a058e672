// Serialization of transaction records: JSON text in every L2, frozen objects in L1. The CVC check is
// insurance behind the protocol layer (SPEC §7: the CVC is never stored): a record that carries a
// `cardSecurityCode` key at any depth is refused before it can reach a store.

const CVC_KEY = '"cardSecurityCode":';

/** Serializes a record for L2; throws when it is not a JSON object or holds a CVC. */
export function serializeRecord(value: object): string {
  const json = JSON.stringify(value);
  if (typeof json !== 'string' || json.charCodeAt(0) !== 123 /* { */) {
    throw new TypeError('a transaction record must serialize to a JSON object');
  }
  // One native substring scan over the text we produce anyway: cheaper than walking the object, and it
  // catches the key at every depth, not only the top two levels.
  if (json.includes(CVC_KEY)) throw new Error('refusing to store a transaction record holding a cardSecurityCode');
  return json;
}

/** Freezes a parsed record and everything in it, so an L1 entry shared by callers cannot be edited in place. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const k of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[k]);
  }
  return value;
}

// The packed form of a record's JSON (UTF-8) that the embedded store keeps (issue 10: a million
// records in the primary). JSON.stringify never writes a byte below 0x20 (control characters in strings
// are escaped), so those bytes are free to stand for what records repeat:
//   0x01..0x1c  one of the first 28 fragments of FRAGMENTS (keys of the record, with their quote and colon)
//   0x1d i      fragment 28 + i
//   0x1e n …    the next n bytes, literal, remembered as the next back-reference (the first time a long
//               plain string, such as an ID, appears after a quote)
//   0x1f r      back-reference r: the same string again (the record's IDs recur in its results)
// Packing is exact substitution, so any text round-trips whatever it holds; the fragments only decide how
// small it gets (measured: a completed browser challenge 1,983 bytes of JSON → 731, frictionless 955 →
// 501; an app challenge, mostly acsSignedContent, 3,966 → 3,275). It costs the primary a few µs per
// write (one pass over the bytes) and per read of a value; in exchange a record takes less than half
// the memory. A text that holds a byte below 0x20 is not packed (packRecord answers -1): stored as it is.
// The fragments follow record.ts's shapes; a fragment nothing uses any more only costs its table entry.
const FRAGMENTS = [
  '"messageVersion":"2.2.0"',
  '"messageVersion":"',
  '"threeDSServerTransID":"',
  '"challengeWindowSize":"',
  '"authenticationRequest":{',
  '"messageCategory":"01"',
  '"acsReferenceNumber":"',
  '"authenticationType":"',
  '"transStatus":"',
  '"purchaseCurrency":"',
  '"purchaseExponent":"',
  '"acsTransID":"',
  '"notificationURL":"',
  '"purchaseAmount":"',
  '"authenticatedAt":',
  '"dsTransID":"',
  '"acsOperatorID":"',
  '"merchantName":"',
  '"scenarioKey":"',
  '"requestHash":"',
  '"response":{',
  '"maskedPan":"',
  '"interactions":',
  '"createdAt":',
  '"updatedAt":',
  '"resultsURL":"',
  '"maxAttempts":',
  '"baseUrl":"',
  // Two bytes each from here.
  '"challenge":{',
  '"scheme":"',
  '"authenticationValue":"',
  '"threeDSSessionData":"',
  '"stage":"',
  '"failures":',
  '"openedAt":',
  '"deadline":',
  '"status":"',
  '"resends":',
  '"auth":{',
  '"flow":"browser"',
  '"flow":"',
  '"messageType":"',
  '"messageCategory":"',
  '"completion":"',
  '"acsUiType":"',
  '"authenticationMethod":"',
  '"sdkReferenceNumber":"',
  '"interactionCounter":"',
  '"ui":"',
  '"acsSignedContent":"',
  '"acsRenderingType":{',
  '"acsEphemPrivKey":{',
  '"sdkEphemPubKey":{',
  '"sdkCounterStoA":',
  '"acsCounterAtoS":',
  '"acsUiTemplate":"',
  '"resultsStatus":"',
  '"acsInterface":"',
  '"sdkTransID":"',
  '"cresStatus":"',
  '"transStatusReason":"',
  '"threeDSMethodSeenAt":',
  '"decoupledDueAt":',
  '"redirectUrl":"',
  '"recordedAt":',
  '"sdkAppID":"',
  '"outcome":{',
  '"results":{',
  '"request":{',
  '"source":"',
  '"dsError":{',
  '"errorCode":"',
  '"errorComponent":"',
  '"errorDescription":"',
  '"notice":"',
  '"eci":"',
  '"final":true',
  '"v":2',
  '"kty":"EC","crv":"P-256","x":"',
] as const;

const SINGLE = 28;
const TWO_BYTE = 0x1d;
const REMEMBER = 0x1e;
const RECALL = 0x1f;
const MIN_RUN = 20;
const MAX_RUN = 64;
const MAX_RUNS = 256;

const FRAGMENT_BYTES = FRAGMENTS.map((f) => Buffer.from(f, 'latin1'));
// Candidates by the two bytes after the opening quote, longest first (so a fragment with its value wins):
// CANDIDATES[FIRST[b1 << 8 | b2] - 1] (0: none).
const FIRST = new Int32Array(1 << 16);
const CANDIDATES: number[][] = [];
for (const [i, f] of FRAGMENT_BYTES.entries()) {
  const key = ((f[1] as number) << 8) | (f[2] as number);
  if (FIRST[key] === 0) FIRST[key] = CANDIDATES.push([]);
  (CANDIDATES[(FIRST[key] as number) - 1] as number[]).push(i);
}
for (const list of CANDIDATES) list.sort((a, b) => (FRAGMENT_BYTES[b] as Buffer).length - (FRAGMENT_BYTES[a] as Buffer).length);

// Bytes of the strings worth remembering: IDs, hashes, base64 and base64url (no quote, no backslash).
const PLAIN = new Uint8Array(256);
for (const c of '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_+/=.') PLAIN[c.charCodeAt(0)] = 1;

const runStart = new Int32Array(MAX_RUNS);
const runLength = new Int32Array(MAX_RUNS);

/** The largest packed form of `n` bytes (packing never grows a text by more than this). */
export function packedBound(n: number): number {
  return n + Math.ceil(n / MIN_RUN) * 2;
}

/**
 * Packs the UTF-8 text src[0, n) into out (at least packedBound(n) bytes); returns the packed length, or
 * -1 when the text holds a byte below 0x20 (it is then stored unpacked).
 */
export function packRecord(src: Uint8Array, n: number, out: Uint8Array): number {
  let o = 0;
  let runs = 0;
  let i = 0;
  while (i < n) {
    // Plain bytes up to the next quote: the common case, one comparison each.
    let c = src[i] as number;
    while (c !== 0x22) {
      if (c < 0x20) return -1;
      out[o++] = c;
      if (++i === n) return o;
      c = src[i] as number;
    }
    const f = matchFragment(src, i, n);
    if (f >= 0) {
      if (f < SINGLE) out[o++] = f + 1;
      else {
        out[o++] = TWO_BYTE;
        out[o++] = f - SINGLE;
      }
      i += (FRAGMENT_BYTES[f] as Buffer).length;
      // A fragment ending in a quote opens a string value: it may be a run worth remembering.
      if (src[i - 1] !== 0x22) continue;
    } else {
      out[o++] = 0x22;
      i++;
    }
    // After an opening (or closing) quote: a long plain string is remembered, or recalled when seen before.
    let j = i;
    while (j < n && j - i <= MAX_RUN && PLAIN[src[j] as number] === 1) j++;
    const len = j - i;
    if (len < MIN_RUN || len > MAX_RUN || src[j] !== 0x22) continue;
    let r = 0;
    while (r < runs && !(runLength[r] === len && sameRun(src, runStart[r] as number, i, len))) r++;
    if (r < runs) {
      out[o++] = RECALL;
      out[o++] = r;
      i = j;
      continue;
    }
    if (runs < MAX_RUNS) {
      runStart[runs] = i;
      runLength[runs++] = len;
      out[o++] = REMEMBER;
      out[o++] = len;
    }
    while (i < j) out[o++] = src[i++] as number;
  }
  return o;
}

/** Unpacks src[start, end) into out (at least the unpacked length); returns the unpacked length. */
export function unpackRecord(src: Uint8Array, start: number, end: number, out: Uint8Array): number {
  let o = 0;
  let runs = 0;
  let i = start;
  while (i < end) {
    const c = src[i++] as number;
    if (c >= 0x20) {
      out[o++] = c;
    } else if (c === REMEMBER) {
      const len = src[i++] as number;
      runStart[runs] = o;
      runLength[runs++] = len;
      for (const stop = i + len; i < stop; ) out[o++] = src[i++] as number;
    } else if (c === RECALL) {
      const r = src[i++] as number;
      for (let k = runStart[r] as number, stop = k + (runLength[r] as number); k < stop; ) out[o++] = out[k++] as number;
    } else {
      const f = FRAGMENT_BYTES[c === TWO_BYTE ? SINGLE + (src[i++] as number) : c - 1] as Buffer;
      for (let k = 0; k < f.length; k++) out[o++] = f[k] as number;
    }
  }
  return o;
}

function matchFragment(src: Uint8Array, i: number, n: number): number {
  if (i + 2 >= n) return -1;
  const at = FIRST[((src[i + 1] as number) << 8) | (src[i + 2] as number)] as number;
  if (at === 0) return -1;
  const list = CANDIDATES[at - 1] as number[];
  for (let c = 0; c < list.length; c++) {
    const f = list[c] as number;
    const b = FRAGMENT_BYTES[f] as Buffer;
    if (i + b.length > n) continue;
    let k = 3;
    while (k < b.length && src[i + k] === b[k]) k++;
    if (k === b.length) return f;
  }
  return -1;
}

function sameRun(src: Uint8Array, a: number, b: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (src[a + k] !== src[b + k]) return false;
  return true;
}
