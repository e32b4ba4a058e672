import crypto from 'node:crypto';
import { expect } from 'chai';
import { concatKdf, deriveEmvKey, emvOtherInfo, lengthPrefixed } from '../../src/crypto/concat-kdf.js';
import { sdkConcatKdf } from '../helpers/sdk.js';

const Z_0_31 = Buffer.from(Array.from({ length: 32 }, (_, i) => i));

/**
 * Known answers computed with OpenSSL's SSKDF (NIST SP 800-56C one-step KDF = Concat KDF), an
 * implementation independent of ours:
 *   openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt hexkey:000102…1f \
 *     -kdfopt hexinfo:00000000 00000000 <len(ref)> <ref> 00000100 SSKDF
 */
const OPENSSL_VECTORS: [string, string][] = [
  ['3DS_LOA_SDK_JTPL_020200_00788', 'e4d87ec32d039f593a4cd2094bddf35ffa3500a95819731ed01b91f2ec2c67bb'],
  ['3DS_LOA_SDK_JTPL_020200_00805', '8f14403ec1cd5a4964e37268b9e713b2ea9c94086a3f847f09a0d73c65e85b92'],
];

/** The same derivation written a second way inside the test: hex strings, one hash. */
function hexConstruction(zHex: string, ref: string): string {
  const refHex = Buffer.from(ref, 'utf8').toString('hex');
  const len = (n: number) => n.toString(16).padStart(8, '0');
  const input = `00000001${zHex}${len(0)}${len(0)}${len(refHex.length / 2)}${refHex}${len(256)}`;
  return crypto.createHash('sha256').update(Buffer.from(input, 'hex')).digest('hex');
}

describe('crypto/concat-kdf', () => {
  for (const [ref, expected] of OPENSSL_VECTORS) {
    it(`matches OpenSSL's SSKDF for PartyVInfo "${ref}"`, () => {
      expect(deriveEmvKey(Z_0_31, ref).toString('hex')).to.equal(expected);
    });
  }

  it('lays out OtherInfo as EMV says: empty AlgorithmID and PartyUInfo, length-prefixed PartyVInfo, 256 bits', () => {
    expect(emvOtherInfo('ABC').toString('hex')).to.equal('00000000' + '00000000' + '00000003414243' + '00000100');
  });

  it('agrees with an independent construction for random secrets and reference numbers', () => {
    for (let i = 0; i < 50; i++) {
      const z = crypto.randomBytes(32);
      const ref = `SDK_${crypto.randomBytes(1 + (i % 40)).toString('hex')}`;
      const ours = deriveEmvKey(z, ref);
      expect(ours.toString('hex')).to.equal(hexConstruction(z.toString('hex'), ref));
      expect(ours.equals(sdkConcatKdf(z, ref))).to.equal(true);
    }
  });

  it('reproduces RFC 7518 Appendix C (ECDH-ES, A128GCM, apu "Alice", apv "Bob")', () => {
    // Keys and expected values from RFC 7518 Appendix C.
    const alice = {
      kty: 'EC',
      crv: 'P-256',
      x: 'gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0',
      y: 'SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps',
      d: '0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo',
    };
    const bob = {
      kty: 'EC',
      crv: 'P-256',
      x: 'weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ',
      y: 'e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck',
    };
    const z = crypto.diffieHellman({
      privateKey: crypto.createPrivateKey({ key: alice, format: 'jwk' }),
      publicKey: crypto.createPublicKey({ key: bob, format: 'jwk' }),
    });
    expect([...z]).to.deep.equal([
      158, 86, 217, 29, 129, 113, 53, 211, 114, 131, 66, 131, 191, 132, 38, 156, 251, 49, 110, 163, 218, 128, 106, 72, 246, 218, 167, 121,
      140, 254, 144, 196,
    ]);
    const otherInfo = Buffer.concat([
      lengthPrefixed(Buffer.from('A128GCM')),
      lengthPrefixed(Buffer.from('Alice')),
      lengthPrefixed(Buffer.from('Bob')),
      Buffer.from([0, 0, 0, 128]),
    ]);
    expect(concatKdf(z, 128, otherInfo).toString('base64url')).to.equal('VqqN6vgjbSBcIijNcacQGg');
  });

  it('chains hash rounds with a counter for outputs longer than one hash', () => {
    const z = crypto.randomBytes(32);
    const info = Buffer.from('info');
    const round = (i: number) =>
      crypto
        .createHash('sha256')
        .update(Buffer.from([0, 0, 0, i]))
        .update(z)
        .update(info)
        .digest();
    expect(concatKdf(z, 384, info).toString('hex')).to.equal(
      Buffer.concat([round(1), round(2)])
        .subarray(0, 48)
        .toString('hex'),
    );
    expect(() => concatKdf(z, 12, info)).to.throw(RangeError);
  });
});
