// The fuzzer's material (SPEC §20): the JSON types it mutates, the valid bodies (examples/, the shared
// fixtures) and the real transactions it opens on the server before a run (browser challenges,
// frictionless ones, app challenges with their JWEs, completed CRes).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TestSdk } from '../../../test/helpers/sdk.js';
import { ROOT } from '../common.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Obj = { [k: string]: Json };

export interface Material {
  version: Obj;
  browserAreq: Obj;
  appAreq: Obj;
  netAreq: Obj;
  results: Obj;
  /** Browser challenges opened (authenticate C): IDs and the CReq as sent. */
  open: { id: string; acsTransID: string; dsTransID: string; creq: string; creqJson: Obj }[];
  /** Frictionless (Y) transactions. */
  done: { id: string; acsTransID: string; dsTransID: string }[];
  /** App challenges: IDs and valid CReq JWEs (the first consumed ones become replays). */
  app: { id: string; acsTransID: string; jwes: string[] }[];
  /** CRes of completed browser challenges, base64url. */
  cres: string[];
  pans: string[];
  /** SDK ephemeral public keys (valid P-256 points) for app AReqs. */
  sdkKeys: Obj[];
}

const readJson = (f: string) => JSON.parse(readFileSync(path.join(ROOT, f), 'utf8')) as Obj;

async function post(base: string, p: string, type: string, body: string): Promise<{ status: number; text: string }> {
  const r = await fetch(`${base}${p}`, { method: 'POST', headers: { 'content-type': type }, body, signal: AbortSignal.timeout(15_000) });
  return { status: r.status, text: await r.text() };
}

const CARD_ENDINGS = [
  '4000',
  '4001',
  '4002',
  '4003',
  '4004',
  '4005',
  '4006',
  '4007',
  '4008',
  '4009',
  '4010',
  '4011',
  '4012',
  '4013',
  '4014',
  '1234',
];

/** Opens the real transactions the fuzzer mutates around. */
export async function prepareMaterial(base: string): Promise<Material> {
  const browserAreq = readJson('examples/authenticate-browser.json');
  const fixtures = path.join(ROOT, '..', 'shared', 'fixtures', 'authenticate-browser.json');
  let sharedAreq: Obj | undefined;
  try {
    sharedAreq = JSON.parse(readFileSync(fixtures, 'utf8')) as Obj;
  } catch {
    sharedAreq = undefined;
  }
  const m: Material = {
    version: readJson('examples/version.json'),
    browserAreq: sharedAreq ?? browserAreq,
    appAreq: readJson('examples/authenticate-app.json'),
    netAreq: readJson('examples/netcetera-authentication-browser.json'),
    results: readJson('examples/results.json'),
    open: [],
    done: [],
    app: [],
    cres: [],
    sdkKeys: [],
    pans: [
      ...CARD_ENDINGS.map((e) => `400040004000${e}`),
      '5200000000004001',
      '340000000004000',
      '6011000000004001',
      '3528000000004002',
      '6200000000004005',
      '1234567890123',
    ],
  };
  const authenticate = async (pan: string, extra: Obj = {}) => {
    const id = randomUUID();
    const body = {
      ...browserAreq,
      ...extra,
      threeDSServerTransID: id,
      cardholderAccount: { ...(browserAreq.cardholderAccount as Obj), acctNumber: pan },
    };
    const r = await post(base, '/3ds/authenticate', 'application/json', JSON.stringify(body));
    if (r.status !== 200) throw new Error(`fuzz material: authenticate ${pan} answered ${r.status}: ${r.text.slice(0, 200)}`);
    return JSON.parse(r.text) as Obj & { authenticationResponse: Obj; challengeRequest?: Obj; base64EncodedChallengeRequest?: string };
  };
  for (let k = 0; k < 12; k++) {
    const a = await authenticate('4000400040004001');
    const ares = a.authenticationResponse;
    m.open.push({
      id: a.threeDSServerTransID as string,
      acsTransID: ares.acsTransID as string,
      dsTransID: ares.dsTransID as string,
      creq: a.base64EncodedChallengeRequest as string,
      creqJson: a.challengeRequest as Obj,
    });
  }
  for (let k = 0; k < 4; k++) {
    const a = await authenticate('4000400040004000');
    const ares = a.authenticationResponse;
    m.done.push({ id: a.threeDSServerTransID as string, acsTransID: ares.acsTransID as string, dsTransID: ares.dsTransID as string });
  }
  // Two browser challenges completed for their CRes.
  for (let k = 0; k < 2; k++) {
    const a = await authenticate('4000400040004001');
    const id = a.threeDSServerTransID as string;
    await post(
      base,
      '/processor/mock/acs/trigger-otp',
      'application/x-www-form-urlencoded',
      new URLSearchParams({ creq: a.base64EncodedChallengeRequest as string }).toString(),
    );
    const page = await post(
      base,
      '/processor/mock/acs/verify-otp',
      'application/x-www-form-urlencoded',
      new URLSearchParams({ threeDSServerTransID: id, challengeDataEntry: '1234' }).toString(),
    );
    const cres = /name="cres" value="([^"]+)"/.exec(page.text)?.[1];
    if (cres) m.cres.push(cres);
  }
  // App challenges: the SDK's key in the AReq, then valid CReq JWEs for the counters that follow.
  for (let k = 0; k < 6; k++) {
    const sdk = new TestSdk({ enc: k % 2 === 0 ? 'A128CBC-HS256' : 'A128GCM' });
    m.sdkKeys.push({ ...sdk.ephemPubKey });
    const body = { ...m.appAreq, threeDSServerTransID: randomUUID(), sdkTransID: sdk.sdkTransID, sdkInformation: sdk.sdkInformation() };
    const r = await post(base, '/3ds/authenticate', 'application/json', JSON.stringify(body));
    if (r.status !== 200) throw new Error(`fuzz material: app authenticate answered ${r.status}: ${r.text.slice(0, 200)}`);
    const ares = (JSON.parse(r.text) as Obj).authenticationResponse as Obj;
    await sdk.startChallenge({
      acsSignedContent: ares.acsSignedContent as string,
      acsTransID: ares.acsTransID as string,
      threeDSServerTransID: ares.threeDSServerTransID as string,
      messageVersion: ares.messageVersion as string,
    });
    const jwes = [
      await sdk.nextCReq({}),
      await sdk.nextCReq({ challengeDataEntry: '1234' }),
      await sdk.nextCReq({ challengeCancel: '01' }),
    ];
    jwes.push(await sdk.nextCReq({ resendChallenge: 'Y' }), await sdk.nextCReq({ challengeDataEntry: '0000' }));
    m.app.push({ id: ares.threeDSServerTransID as string, acsTransID: ares.acsTransID as string, jwes });
  }
  return m;
}
