// The fuzzer's field sweep (SPEC §20): every field of every valid body, in turn, given values careless
// code trips on (no usable toString, a `__proto__` key), before the random requests.
import { randomUUID } from 'node:crypto';
import type { FuzzRequest } from './generators.js';
import type { Json, Material, Obj } from './material.js';
import { getAt, paths, setOwn } from './mutations.js';

/** Values that break careless code: no usable toString/valueOf, a prototype-setting key, wrong shapes. */
function poisons(): Json[] {
  const protoNull: Obj = {};
  setOwn(protoNull, '__proto__', null);
  const protoObj: Obj = {};
  setOwn(protoObj, '__proto__', { toString: null, transStatus: 'Y' });
  return [{ toString: null }, { toString: null, valueOf: null }, protoNull, protoObj, [[]], {}];
}

function setPath(root: Json, p: (string | number)[], v: Json): Json {
  if (p.length === 0) return v;
  const parent = getAt(root, p.slice(0, -1)) as Obj | Json[];
  const key = p[p.length - 1] as string | number;
  if (Array.isArray(parent)) parent[key as number] = v;
  else setOwn(parent, key as string, v);
  return root;
}

/**
 * Every field of every JSON body (and of the JSON forms of the ACS routes), in turn, replaced by each
 * poisoned value, and a `__proto__` key added to every object: a few thousand requests, the same every
 * run but for the fresh transaction IDs authenticate needs.
 */
export function sweepRequests(m: Material): FuzzRequest[] {
  const o = m.open[0];
  const d = m.done[0];
  const app = m.app[0];
  const fresh = (body: Obj): Obj => {
    const b = structuredClone(body);
    b.threeDSServerTransID = randomUUID();
    if (b.sdkTransID !== undefined) {
      const sdkTransID = randomUUID();
      b.sdkTransID = sdkTransID;
      b.sdkInformation = { ...(b.sdkInformation as Obj), sdkTransID, sdkEphemPubKey: structuredClone(m.sdkKeys[0] ?? null) };
    }
    return b;
  };
  const bases: { endpoint: string; path: string; body: Obj; fresh?: boolean }[] = [
    { endpoint: 'version', path: '/3ds/version', body: m.version },
    { endpoint: 'authenticate (browser)', path: '/3ds/authenticate', body: m.browserAreq, fresh: true },
    { endpoint: 'authenticate (app)', path: '/3ds/authenticate', body: m.appAreq, fresh: true },
    { endpoint: 'netcetera authentication', path: '/3ds/authentication', body: m.netAreq, fresh: true },
    { endpoint: 'netcetera versioning', path: '/3ds/versioning', body: { cardholderAccountNumber: '4000400040004001', schemeId: 'Visa' } },
    { endpoint: 'netcetera challenge-response', path: '/3ds/challenge-response', body: { base64EncodedCRes: m.cres[0] ?? '' } },
    ...(o && d
      ? [
          {
            endpoint: 'results',
            path: '/3ds/results',
            body: { ...m.results, threeDSServerTransID: d.id, acsTransID: d.acsTransID, dsTransID: d.dsTransID },
          },
          { endpoint: 'final', path: '/3ds/final', body: { threeDSServerTransID: d.id } },
          { endpoint: 'trigger-otp', path: '/processor/mock/acs/trigger-otp', body: { creq: o.creqJson, threeDSSessionData: 'order-42' } },
          {
            endpoint: 'verify-otp',
            path: '/processor/mock/acs/verify-otp',
            body: { threeDSServerTransID: o.id, challengeDataEntry: '0000', action: 'submit' },
          },
        ]
      : []),
    ...(app
      ? [
          {
            endpoint: 'challenge (JWE)',
            path: '/challenge',
            body: {
              messageType: 'Erro',
              messageVersion: '2.2.0',
              errorCode: '203',
              errorComponent: 'C',
              errorDescription: 'x',
              errorDetail: 'x',
              threeDSServerTransID: app.id,
              acsTransID: app.acsTransID,
            },
          },
        ]
      : []),
  ];
  const out: FuzzRequest[] = [];
  const withBody = (b: (typeof bases)[number], body: Json) =>
    out.push({
      endpoint: `sweep: ${b.endpoint}`,
      method: 'POST',
      path: b.path,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(body), 'utf8'),
    });
  for (const b of bases) {
    for (const p of paths(b.body).slice(1)) {
      for (const v of poisons()) withBody(b, setPath(b.fresh ? fresh(b.body) : structuredClone(b.body), p, v));
    }
    for (const p of paths(b.body)) {
      const body = b.fresh ? fresh(b.body) : structuredClone(b.body);
      const at = getAt(body, p);
      if (at === null || typeof at !== 'object' || Array.isArray(at)) continue;
      for (const v of [null, 'x', { toString: null }] as Json[]) {
        const copy = structuredClone(body);
        setOwn(getAt(copy, p) as Obj, '__proto__', v);
        withBody(b, copy);
      }
    }
  }
  return out;
}
