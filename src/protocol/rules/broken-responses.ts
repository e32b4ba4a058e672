// The broken-response test cards (SPEC §4): answers that deliberately break the specification so that a
// client can rehearse its error handling — a challenge ARes without acsURL, an ARes without dsTransID,
// an app ARes whose sdkTransID is not the AReq's, an ACS that never answers the CReq. The scenario
// table says which card breaks how (config: `broken`); decide() says whether the break exists in an
// answer. The breaks are applied after the per-version shaping (message-shapes.ts), which therefore
// never sees, repairs or depends on them, and the record keeps the break (AuthState.broken) so that a
// replay breaks the same way and /3ds/final can say what happened.
import { createHash } from 'node:crypto';
import type { BrokenResponse } from '../../config/index.js';
import type { ARes } from '../wire/messages.js';

/** What each break did, in the words /3ds/final and the logs use. */
export const BROKEN_NOTES: Readonly<Record<BrokenResponse, string>> = {
  'no-acs-url': 'test card no-acs-url: the challenge ARes was sent without acsURL',
  'no-ds-trans-id': 'test card no-ds-trans-id: the ARes was sent without dsTransID',
  'sdk-trans-id-mismatch': "test card wrong-sdk-trans-id: the ARes carried an sdkTransID other than the AReq's",
  'acs-no-answer': 'test card acs-no-answer: the ACS never answers the CReq',
};

/**
 * The ARes as the broken card sends it, from the ARes shaped for its version: without dsTransID, or
 * with another sdkTransID (derived from the transaction, so a replay is byte for byte the first answer).
 * acsURL is never put in (ares-builder.ts), and the ACS's silence happens at the challenge; other breaks
 * leave the ARes as it is.
 */
export function breakARes(ares: ARes, broken: BrokenResponse | undefined): ARes {
  if (broken === 'no-ds-trans-id') {
    const { dsTransID: _dropped, ...rest } = ares;
    return rest as ARes;
  }
  if (broken === 'sdk-trans-id-mismatch' && ares.sdkTransID !== undefined) {
    return { ...ares, sdkTransID: otherUuid(ares.sdkTransID, ares.acsTransID) };
  }
  return ares;
}

/** A version 4 UUID that is not `original`, derived from it and `seed`. */
export function otherUuid(original: string, seed: string): string {
  for (let i = 0; ; i++) {
    const h = createHash('sha256').update(`${seed}|${original}|${i}`).digest();
    // RFC 9562 version 4 and variant bits, so the value is as well-formed as the one it replaces.
    h[6] = ((h[6] as number) & 0x0f) | 0x40;
    h[8] = ((h[8] as number) & 0x3f) | 0x80;
    const x = h.subarray(0, 16).toString('hex');
    const u = `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
    if (u !== original.toLowerCase()) return u;
  }
}
