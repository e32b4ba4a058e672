// An independent 3DS SDK (the app side of SPEC §6) for tests, built only from jose and node:crypto:
// it imports nothing from src/, so the server's cryptography is checked against a second
// implementation rather than against itself. It follows what real SDKs do (the EMV SDK spec, as the
// open-source SDKs implement it): verify acsSignedContent with the x5c certificate, check the echoed
// SDK key, ECDH + Concat KDF with the sdkReferenceNumber, A128GCM halves, "%03d" counters.
import crypto, { type KeyObject, X509Certificate } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, compactVerify, decodeProtectedHeader } from 'jose';

export type SdkEnc = 'A128CBC-HS256' | 'A128GCM';

export interface SdkPublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

export interface AcsSignedContent {
  acsURL: string;
  acsEphemPubKey: SdkPublicJwk;
  sdkEphemPubKey: SdkPublicJwk;
  acsTransID?: string;
  acsRefNumber?: string;
  [k: string]: unknown;
}

export interface VerifiedSignedContent {
  alg: string;
  certificate: X509Certificate;
  payload: AcsSignedContent;
}

export interface TestSdkOptions {
  enc?: SdkEnc;
  sdkReferenceNumber?: string;
  sdkTransID?: string;
  sdkAppID?: string;
  messageVersion?: string;
  /** Use the EMV counter-derived IVs for A128GCM (as SDKs do) instead of random ones. */
  counterIv?: boolean;
}

/** EMV Concat KDF (NIST SP 800-56A, SHA-256, 256 bits), written out field by field. */
export function sdkConcatKdf(z: Uint8Array, sdkReferenceNumber: string): Buffer {
  const ref = new TextEncoder().encode(sdkReferenceNumber);
  const otherInfo = new Uint8Array(4 + 4 + 4 + ref.length + 4);
  const view = new DataView(otherInfo.buffer);
  // AlgorithmID: length 0; PartyUInfo: length 0.
  view.setUint32(8, ref.length);
  otherInfo.set(ref, 12);
  view.setUint32(12 + ref.length, 256); // SuppPubInfo: keydatalen in bits; SuppPrivInfo: nothing.
  const counter = new Uint8Array([0, 0, 0, 1]);
  return crypto.createHash('sha256').update(counter).update(z).update(otherInfo).digest();
}

const pad3 = (n: number): string => String(n).padStart(3, '0');

export class TestSdk {
  readonly enc: SdkEnc;
  readonly sdkReferenceNumber: string;
  readonly sdkTransID: string;
  readonly sdkAppID: string;
  readonly ephemPubKey: SdkPublicJwk;
  readonly counterIv: boolean;
  messageVersion: string;
  /** Set by startChallenge. */
  acsTransID?: string | undefined;
  threeDSServerTransID?: string;
  acsURL?: string;
  sessionKey?: Buffer;
  signedContent?: VerifiedSignedContent;
  /** Counter of the next CReq (sdkCounterStoA). */
  sdkCounterStoA = 0;
  /** acsCounterAtoS the next CRes must carry. */
  acsCounterAtoS = 0;
  readonly #privateKey: KeyObject;

  constructor(opts: TestSdkOptions = {}) {
    this.enc = opts.enc ?? 'A128CBC-HS256';
    this.sdkReferenceNumber =
      opts.sdkReferenceNumber ?? (this.enc === 'A128GCM' ? '3DS_LOA_SDK_JTPL_020200_00805' : '3DS_LOA_SDK_JTPL_020200_00788');
    this.sdkTransID = opts.sdkTransID ?? crypto.randomUUID();
    this.sdkAppID = opts.sdkAppID ?? crypto.randomUUID();
    this.messageVersion = opts.messageVersion ?? '2.2.0';
    this.counterIv = opts.counterIv ?? true;
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.#privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
    this.ephemPubKey = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
  }

  /** The sdkInformation block of an app AReq. */
  sdkInformation(): Record<string, unknown> {
    return {
      sdkAppID: this.sdkAppID,
      sdkReferenceNumber: this.sdkReferenceNumber,
      sdkTransID: this.sdkTransID,
      sdkMaxTimeout: 5,
      sdkEphemPubKey: { ...this.ephemPubKey },
    };
  }

  /** Verifies acsSignedContent with its x5c certificate (validity, self-signature, JWS signature). */
  async verifySignedContent(jws: string, now = new Date()): Promise<VerifiedSignedContent> {
    const header = decodeProtectedHeader(jws);
    if (!Array.isArray(header.x5c) || header.x5c.length === 0) throw new Error('acsSignedContent has no x5c');
    const certificate = new X509Certificate(Buffer.from(header.x5c[0] as string, 'base64'));
    if (now < new Date(certificate.validFrom) || now > new Date(certificate.validTo)) throw new Error('ACS certificate is not valid now');
    if (certificate.issuer === certificate.subject && !certificate.verify(certificate.publicKey)) {
      throw new Error('self-signed ACS certificate does not verify');
    }
    const { payload, protectedHeader } = await compactVerify(jws, certificate.publicKey, { algorithms: ['PS256', 'ES256'] });
    return { alg: protectedHeader.alg as string, certificate, payload: JSON.parse(new TextDecoder().decode(payload)) as AcsSignedContent };
  }

  /** Session key from the ACS ephemeral public key (ECDH, then the Concat KDF above). */
  deriveSessionKey(acsEphemPubKey: SdkPublicJwk): Buffer {
    const acsKey = crypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: acsEphemPubKey.x, y: acsEphemPubKey.y }, format: 'jwk' });
    return sdkConcatKdf(crypto.diffieHellman({ privateKey: this.#privateKey, publicKey: acsKey }), this.sdkReferenceNumber);
  }

  /**
   * Takes an ARes (or its acsSignedContent): verifies the JWS, checks that the ACS echoed this SDK's
   * key, derives the session key and remembers the IDs for the CReqs.
   */
  async startChallenge(
    ares: string | { acsSignedContent: string; acsTransID?: string; threeDSServerTransID?: string; messageVersion?: string },
  ): Promise<VerifiedSignedContent> {
    const a = typeof ares === 'string' ? { acsSignedContent: ares } : ares;
    const verified = await this.verifySignedContent(a.acsSignedContent);
    const echoed = verified.payload.sdkEphemPubKey;
    if (!echoed || echoed.x !== this.ephemPubKey.x || echoed.y !== this.ephemPubKey.y)
      throw new Error('acsSignedContent does not echo the SDK key');
    this.signedContent = verified;
    this.acsURL = verified.payload.acsURL;
    this.acsTransID = a.acsTransID ?? verified.payload.acsTransID;
    if (a.threeDSServerTransID) this.threeDSServerTransID = a.threeDSServerTransID;
    if (a.messageVersion) this.messageVersion = a.messageVersion;
    this.sessionKey = this.deriveSessionKey(verified.payload.acsEphemPubKey);
    return verified;
  }

  #key(direction: 'creq' | 'cres'): Buffer {
    if (!this.sessionKey) throw new Error('no session key: call startChallenge first');
    if (this.enc === 'A128CBC-HS256') return this.sessionKey;
    return direction === 'creq' ? this.sessionKey.subarray(0, 16) : this.sessionKey.subarray(16, 32);
  }

  /** The next CReq: transaction IDs, version and sdkCounterStoA, plus the given fields. */
  buildCReq(fields: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      threeDSServerTransID: this.threeDSServerTransID,
      acsTransID: this.acsTransID,
      messageType: 'CReq',
      messageVersion: this.messageVersion,
      sdkTransID: this.sdkTransID,
      sdkCounterStoA: pad3(this.sdkCounterStoA++),
      ...fields,
    };
  }

  /** Encrypts a CReq as the SDK sends it: {alg:"dir", enc, kid: acsTransID}. */
  async encryptCReq(creq: Record<string, unknown>, opts: { kid?: string } = {}): Promise<string> {
    const enc = new CompactEncrypt(new TextEncoder().encode(JSON.stringify(creq))).setProtectedHeader({
      alg: 'dir',
      enc: this.enc,
      kid: opts.kid ?? this.acsTransID ?? '',
    });
    const counter = Number(creq.sdkCounterStoA ?? 0);
    // EMV SDKs derive the GCM IV from the counter: 11 zero octets, then the counter.
    if (this.enc === 'A128GCM' && this.counterIv)
      enc.setInitializationVector(Buffer.concat([Buffer.alloc(11), Buffer.from([counter & 0xff])]));
    return enc.encrypt(this.#key('creq'));
  }

  /** buildCReq + encryptCReq. */
  nextCReq(fields: Record<string, unknown> = {}): Promise<string> {
    return this.encryptCReq(this.buildCReq(fields));
  }

  /** Decrypts a CRes and checks acsCounterAtoS against the count of CRes received (unless told not to). */
  async decryptCRes(jwe: string, opts: { checkCounter?: boolean } = {}): Promise<Record<string, unknown>> {
    const header = decodeProtectedHeader(jwe);
    if (header.alg !== 'dir' || header.enc !== this.enc) throw new Error(`unexpected CRes header ${JSON.stringify(header)}`);
    const { plaintext } = await compactDecrypt(jwe, this.#key('cres'), {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: [this.enc],
    });
    const cres = JSON.parse(new TextDecoder().decode(plaintext)) as Record<string, unknown>;
    if (opts.checkCounter !== false && cres.acsCounterAtoS !== undefined) {
      if (cres.acsCounterAtoS !== pad3(this.acsCounterAtoS))
        throw new Error(`acsCounterAtoS ${String(cres.acsCounterAtoS)}, expected ${pad3(this.acsCounterAtoS)}`);
    }
    this.acsCounterAtoS++;
    return cres;
  }
}
