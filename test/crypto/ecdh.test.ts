import crypto from 'node:crypto';
import { expect } from 'chai';
import { CryptoError, InvalidKeyError } from '../../src/crypto/crypto-errors.js';
import { deriveSessionKey, generateEphemeralKey, generateEphemeralKeySync, importSdkPublicKey } from '../../src/crypto/ecdh.js';
import { expectThrow } from '../helpers/expect-error.js';
import { TestSdk } from '../helpers/sdk.js';

function expectInvalidKey(fn: () => unknown, message: RegExp): void {
  const e = expectThrow(fn, InvalidKeyError, message);
  expect(e).to.be.instanceOf(CryptoError);
  expect(e.errorName).to.equal('INVALID_FORMAT');
  expect(e.field).to.equal('sdkEphemPubKey');
}

/** A P-256 public JWK whose x coordinate starts with a zero octet. */
function keyWithLeadingZeroX(): { x: Buffer; y: string } {
  for (;;) {
    const jwk = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }) as { x: string; y: string };
    const x = Buffer.from(jwk.x, 'base64url');
    if (x[0] === 0) return { x, y: jwk.y };
  }
}

describe('crypto/ecdh', () => {
  it('makes a fresh P-256 ephemeral key per call, private part a serializable JWK with d', async () => {
    const a = await generateEphemeralKey();
    const b = generateEphemeralKeySync();
    expect(Object.keys(a.publicJwk).sort()).to.deep.equal(['crv', 'kty', 'x', 'y']);
    expect(a.publicJwk).to.include({ kty: 'EC', crv: 'P-256' });
    expect(a.privateJwk).to.include(a.publicJwk);
    expect(a.privateJwk.d).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(a.publicJwk.x).to.not.equal(b.publicJwk.x);
    // It survives a JSON round trip (the transaction record) and is still the same key.
    const stored = JSON.parse(JSON.stringify(a.privateJwk));
    const pub = crypto.createPublicKey(crypto.createPrivateKey({ key: stored, format: 'jwk' })).export({ format: 'jwk' });
    expect(pub).to.deep.equal(a.publicJwk);
  });

  for (const ref of ['3DS_LOA_SDK_JTPL_020200_00788', '3DS_LOA_SDK_JTPL_020200_00805', 'SDK-REF-Ünïcode']) {
    it(`derives the same session key as the independent SDK (sdkReferenceNumber ${ref})`, async () => {
      const sdk = new TestSdk({ sdkReferenceNumber: ref });
      const acs = await generateEphemeralKey();
      const acsKey = deriveSessionKey(acs.privateJwk, sdk.ephemPubKey, ref);
      const sdkKey = sdk.deriveSessionKey(acs.publicJwk);
      expect(acsKey).to.have.length(32);
      expect(acsKey.equals(sdkKey)).to.equal(true);
      // Another reference number gives another key (PartyVInfo really enters the KDF).
      expect(deriveSessionKey(acs.privateJwk, sdk.ephemPubKey, `${ref}X`).equals(sdkKey)).to.equal(false);
    });
  }

  it('normalizes coordinates that SDKs send short (leading zero stripped) or long (sign octet)', () => {
    const { x, y } = keyWithLeadingZeroX();
    const full = importSdkPublicKey({ kty: 'EC', crv: 'P-256', x: x.toString('base64url'), y });
    const short = importSdkPublicKey({ kty: 'EC', crv: 'P-256', x: x.subarray(1).toString('base64url'), y });
    const signed = importSdkPublicKey({ kty: 'EC', crv: 'P-256', x: Buffer.concat([Buffer.from([0]), x]).toString('base64url'), y });
    const padded = importSdkPublicKey({ kty: 'ec', crv: 'p-256', x: x.toString('base64'), y, use: 'enc' });
    for (const k of [short, signed, padded]) expect(k.jwk).to.deep.equal(full.jwk);
    expect(full.jwk.x).to.have.length(43);
  });

  describe('refuses keys an SDK must not send, as InvalidKeyError (Erro 203), not a crash', () => {
    const good = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }) as Record<string, string>;
    const yBytes = Buffer.from(good.y as string, 'base64url');
    yBytes[31] = (yBytes[31] as number) ^ 1;
    const offCurve = { ...good, y: yBytes.toString('base64url') };
    const p384 = crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const cases: [string, unknown, RegExp][] = [
      ['a point off the curve', offCurve, /not a point on P-256/],
      [
        'the point (0, 0)',
        { kty: 'EC', crv: 'P-256', x: Buffer.alloc(32).toString('base64url'), y: Buffer.alloc(32).toString('base64url') },
        /not a point/,
      ],
      ['a P-384 key', p384, /crv must be P-256/],
      ['an RSA key', rsa, /kty must be EC/],
      ['a key without y', { kty: 'EC', crv: 'P-256', x: good.x }, /y is not base64url/],
      ['a coordinate that is not base64', { ...good, x: 'not base64!' }, /x is not base64url/],
      ['a coordinate longer than 32 bytes', { ...good, x: Buffer.alloc(40, 1).toString('base64url') }, /not a P-256 coordinate/],
      ['a string', 'EC P-256', /not a JWK object/],
      ['null', null, /not a JWK object/],
    ];
    for (const [name, jwk, message] of cases) {
      it(name, async () => {
        expectInvalidKey(() => importSdkPublicKey(jwk), message);
        const acs = generateEphemeralKeySync();
        expectInvalidKey(() => deriveSessionKey(acs.privateJwk, jwk, 'ref'), message);
      });
    }
  });
});
