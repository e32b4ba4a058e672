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
