import crypto from 'node:crypto';
import { expect } from 'chai';
import { compactVerify, decodeProtectedHeader, errors as joseErrors } from 'jose';
import { type AcsCredentials, loadAcsCredentials } from '../../src/crypto/acs-credentials.js';
import type { AcsSignedContentPayload } from '../../src/crypto/crypto-types.js';
import { deriveSessionKey, generateEphemeralKeySync } from '../../src/crypto/ecdh.js';
import { AcsContentSigner } from '../../src/crypto/jws.js';
import { expectRejection } from '../helpers/expect-error.js';
import { TestSdk } from '../helpers/sdk.js';
import { tempDirs, testConfig, withSigning } from './fixtures.js';

describe('crypto/jws', () => {
  const tmp = tempDirs();
  after(() => tmp.cleanup());

  for (const alg of ['PS256', 'ES256'] as const) {
    describe(alg, () => {
      let creds: AcsCredentials;
      before(async () => {
        creds = await loadAcsCredentials({ config: withSigning(testConfig(), { dataDir: await tmp.make(), algorithm: alg }) });
      });

      function payloadFor(sdk: TestSdk, acsPub: AcsSignedContentPayload['acsEphemPubKey']): AcsSignedContentPayload {
        return {
          acsURL: 'http://localhost:8080/challenge',
          acsEphemPubKey: acsPub,
          sdkEphemPubKey: sdk.ephemPubKey,
          acsTransID: crypto.randomUUID(),
          acsRefNumber: 'issuer1',
        };
      }

      it('signs acsSignedContent that the SDK verifies with the x5c certificate', async () => {
        const signer = new AcsContentSigner(creds);
        const sdk = new TestSdk();
        const acs = generateEphemeralKeySync();
        const payload = payloadFor(sdk, acs.publicJwk);
        for (const jws of [await signer.sign(payload), signer.signSync(payload)]) {
          expect(decodeProtectedHeader(jws)).to.deep.equal({ alg, x5c: creds.x5c });
          const verified = await sdk.verifySignedContent(jws);
          expect(verified.alg).to.equal(alg);
          expect(verified.payload).to.deep.equal(payload);
          expect(verified.certificate.fingerprint256).to.equal(creds.certificate.fingerprint256);
        }
      });

      it('carries everything the SDK needs to reach the ACS key: both sides derive one session key', async () => {
        const signer = new AcsContentSigner(creds);
        const sdk = new TestSdk({ enc: 'A128GCM' });
        const acs = generateEphemeralKeySync();
        const payload = payloadFor(sdk, acs.publicJwk);
        await sdk.startChallenge({ acsSignedContent: await signer.sign(payload), threeDSServerTransID: crypto.randomUUID() });
        expect(sdk.acsTransID).to.equal(payload.acsTransID);
        expect(sdk.acsURL).to.equal(payload.acsURL);
        const acsKey = deriveSessionKey(acs.privateJwk, payload.sdkEphemPubKey, sdk.sdkReferenceNumber);
        expect(sdk.sessionKey?.equals(acsKey)).to.equal(true);
      });

      it('a changed payload or another key does not verify', async () => {
        const signer = new AcsContentSigner(creds);
        const sdk = new TestSdk();
        const jws = await signer.sign(payloadFor(sdk, generateEphemeralKeySync().publicJwk));
        const [h, , s] = jws.split('.') as [string, string, string];
        const forged = `${h}.${Buffer.from(JSON.stringify({ acsURL: 'https://evil.example/' })).toString('base64url')}.${s}`;
        await expectRejection(
          sdk.verifySignedContent(forged),
          joseErrors.JWSSignatureVerificationFailed,
          undefined,
          'verifying the forged content',
        );
        const other =
          alg === 'PS256'
            ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
            : crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
        await expectRejection(
          compactVerify(jws, other.publicKey),
          joseErrors.JWSSignatureVerificationFailed,
          undefined,
          'verifying with another key',
        );
      });

      it('refuses to start a challenge whose content does not echo this SDK key', async () => {
        const signer = new AcsContentSigner(creds);
        const sdk = new TestSdk();
        const someoneElse = new TestSdk();
        const jws = await signer.sign(payloadFor(someoneElse, generateEphemeralKeySync().publicJwk));
        await expectRejection(sdk.startChallenge(jws), Error, /does not echo the SDK key/);
      });
    });
  }
});
