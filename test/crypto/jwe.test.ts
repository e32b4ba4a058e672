import crypto from 'node:crypto';
import { expect } from 'chai';
import { CompactEncrypt, errors as joseErrors } from 'jose';
import { DecryptionError, MalformedPayloadError } from '../../src/crypto/crypto-errors.js';
import type { ContentEnc } from '../../src/crypto/crypto-types.js';
import { deriveSessionKey, generateEphemeralKeySync } from '../../src/crypto/ecdh.js';
import { contentKey, decryptCReq, encryptCRes, readJweHeader } from '../../src/crypto/jwe.js';
import { expectRejection } from '../helpers/expect-error.js';
import { TestSdk } from '../helpers/sdk.js';

/** An SDK and the ACS side sharing a session key, as after a real AReq/ARes. */
function session(enc: ContentEnc) {
  const sdk = new TestSdk({ enc });
  const acs = generateEphemeralKeySync();
  sdk.acsTransID = crypto.randomUUID();
  sdk.threeDSServerTransID = crypto.randomUUID();
  sdk.sessionKey = sdk.deriveSessionKey(acs.publicJwk);
  const key = deriveSessionKey(acs.privateJwk, sdk.ephemPubKey, sdk.sdkReferenceNumber);
  return { sdk, key, kid: sdk.acsTransID };
}

/** Flips one character of one part of a compact JWE. */
function tamper(jwe: string, part: number): string {
  const parts = jwe.split('.');
  const p = parts[part] as string;
  const i = Math.floor(p.length / 2);
  parts[part] = p.slice(0, i) + (p[i] === 'A' ? 'B' : 'A') + p.slice(i + 1);
  return parts.join('.');
}

describe('crypto/jwe', () => {
  for (const enc of ['A128CBC-HS256', 'A128GCM'] as const) {
    describe(enc, () => {
      it('decrypts the SDK CReq and the SDK decrypts the ACS CRes', async () => {
        const { sdk, key, kid } = session(enc);
        const creq = sdk.buildCReq({ challengeDataEntry: '1234', messageExtensions: [{ name: 'x' }] });
        const jwe = await sdk.encryptCReq(creq);
        const got = await decryptCReq(jwe, key, enc);
        expect(got.payload).to.deep.equal(creq);
        expect(got.header).to.deep.equal({ alg: 'dir', enc, kid });

        const cres = { messageType: 'CRes', acsTransID: kid, acsCounterAtoS: '000', challengeCompletionInd: 'N' };
        const out = await encryptCRes(cres, key, enc, kid);
        expect(readJweHeader(out)).to.deep.equal({ alg: 'dir', enc, kid });
        expect(JSON.parse(Buffer.from(out.split('.')[0] as string, 'base64url').toString())).to.deep.equal({ alg: 'dir', enc, kid });
        expect(await sdk.decryptCRes(out)).to.deep.equal(cres);
      });

      it('fails with DecryptionError when any part is tampered with', async () => {
        const { sdk, key } = session(enc);
        const jwe = await sdk.nextCReq();
        for (const part of [2, 3, 4]) {
          const err = await expectRejection(
            decryptCReq(tamper(jwe, part), key, enc),
            DecryptionError,
            undefined,
            `decrypting with part ${part} tampered`,
          );
          expect(err.errorName).to.equal('DECRYPTION_FAILURE');
        }
        // A protected header changed after encryption breaks the authentication too.
        const header = Buffer.from(JSON.stringify({ alg: 'dir', enc, kid: 'other' })).toString('base64url');
        await expectRejection(decryptCReq([header, ...jwe.split('.').slice(1)].join('.'), key, enc), DecryptionError, /does not decrypt/);
      });

      it('fails with DecryptionError under another session key', async () => {
        const { sdk } = session(enc);
        const other = session(enc).key;
        await expectRejection(decryptCReq(await sdk.nextCReq(), other, enc), DecryptionError, /does not decrypt/);
      });
    });
  }

  it('A128GCM: a CReq encrypted with the CRes half (bytes 16-31) does not decrypt, and vice versa', async () => {
    const { sdk, key, kid } = session('A128GCM');
    const wrongHalf = await new CompactEncrypt(Buffer.from(JSON.stringify(sdk.buildCReq())))
      .setProtectedHeader({ alg: 'dir', enc: 'A128GCM', kid })
      .encrypt(key.subarray(16));
    await expectRejection(decryptCReq(wrongHalf, key, 'A128GCM'), DecryptionError, /does not decrypt/);
    // The CRes must be under bytes 16-31: the SDK rejects one under bytes 0-15.
    const cres = await encryptCRes({ acsCounterAtoS: '000' }, key, 'A128GCM', kid);
    expect(contentKey(key, 'A128GCM', 'acs-to-sdk')).to.deep.equal(key.subarray(16));
    expect(contentKey(key, 'A128GCM', 'sdk-to-acs')).to.deep.equal(key.subarray(0, 16));
    expect(contentKey(key, 'A128CBC-HS256', 'acs-to-sdk')).to.deep.equal(key);
    const sdkSwapped = new TestSdk({ enc: 'A128GCM' });
    sdkSwapped.sessionKey = Buffer.concat([key.subarray(16), key.subarray(0, 16)]);
    await expectRejection(sdkSwapped.decryptCRes(cres), joseErrors.JWEDecryptionFailed, /decryption/i);
    expect(await sdk.decryptCRes(cres)).to.deep.equal({ acsCounterAtoS: '000' });
  });

  it('refuses an enc other than the expected one, an alg other than dir, and non-JWE input', async () => {
    const { sdk, key, kid } = session('A128CBC-HS256');
    const jwe = await sdk.nextCReq();
    await expectRejection(decryptCReq(jwe, key, 'A128GCM'), DecryptionError, /enc must be A128GCM/);
    const kw = await new CompactEncrypt(Buffer.from('{}'))
      .setProtectedHeader({ alg: 'A128KW', enc: 'A128CBC-HS256', kid })
      .encrypt(key.subarray(0, 16));
    await expectRejection(decryptCReq(kw, key, 'A128CBC-HS256'), DecryptionError, /alg must be dir/);
    for (const bad of ['', 'a.b.c', 'not a jwe', `${jwe}.extra`, '!!!!.a.b.c.d']) {
      await expectRejection(decryptCReq(bad, key, 'A128CBC-HS256'), DecryptionError, undefined, `decrypting ${JSON.stringify(bad)}`);
    }
  });

  it('reads kid and enc from the protected header without a key', async () => {
    const { sdk, kid } = session('A128GCM');
    expect(readJweHeader(await sdk.nextCReq())).to.deep.equal({ alg: 'dir', enc: 'A128GCM', kid });
    expect(() => readJweHeader('e30.a.b.c.d')).to.throw(DecryptionError, /lacks alg or enc/);
    expect(() => readJweHeader('WzFd.a.b.c.d')).to.throw(DecryptionError, /not an object/);
    const numericKid = Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A128GCM', kid: 7 })).toString('base64url');
    expect(() => readJweHeader(`${numericKid}.a.b.c.d`)).to.throw(DecryptionError, /kid/);
  });

  it('a plaintext that is not a JSON object is MalformedPayloadError', async () => {
    const { key, kid } = session('A128CBC-HS256');
    for (const text of ['not json', '[1,2]', '"text"']) {
      const jwe = await new CompactEncrypt(Buffer.from(text)).setProtectedHeader({ alg: 'dir', enc: 'A128CBC-HS256', kid }).encrypt(key);
      const err = await expectRejection(
        decryptCReq(jwe, key, 'A128CBC-HS256'),
        MalformedPayloadError,
        /not a JSON object|not JSON/,
        `decrypting ${JSON.stringify(text)}`,
      );
      expect(err.errorName).to.equal('INVALID_FORMAT');
    }
  });

  it('insists on a 32-byte session key', () => {
    expect(() => contentKey(new Uint8Array(16), 'A128GCM', 'sdk-to-acs')).to.throw(TypeError);
  });
});
