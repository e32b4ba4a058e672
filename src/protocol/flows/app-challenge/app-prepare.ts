// The AReq side of the app challenge (SPEC §6), plugged into authenticate as its AppChallengeHook: the
// SDK key checked as a P-256 point, a fresh ACS ephemeral key for this transaction, and acsSignedContent
// (JWS with x5c) over acsURL, both public keys, acsTransID and acsRefNumber. What /challenge needs later
// goes into record.app: the ACS private key, the SDK key as used for ECDH, the counters and the UI.
import { CryptoError } from '../../../crypto/crypto-errors.js';
import type { CryptoService } from '../../../crypto/crypto-service.js';
import { importSdkPublicKey } from '../../../crypto/ecdh.js';
import { AppError, type ErrorIds } from '../../../errors.js';
import type { AppChallengeHook, AppChallengeInput, AppChallengePrepared } from '../../app-hook.js';

/** A crypto failure as the registry error it stands for (a bad SDK key is 203, a full pool 503). */
export function cryptoAppError(err: unknown, ids: ErrorIds, extra: AppError['extra']): unknown {
  if (!(err instanceof CryptoError)) return err;
  const detail = err.field !== undefined && !err.message.startsWith(err.field) ? `${err.field}: ${err.message}` : err.message;
  return new AppError(err.errorName, detail, ids, extra);
}

export function appChallengeHook(crypto: CryptoService): AppChallengeHook {
  return {
    async prepare(input: AppChallengeInput): Promise<AppChallengePrepared> {
      const ids = { threeDSServerTransID: input.threeDSServerTransID, sdkTransID: input.sdkTransID };
      const extra = { errorMessageType: 'AReq', messageVersion: input.messageVersion };
      try {
        // Canonical coordinates (32 bytes each) for the key agreement; the JWS echoes the key as sent.
        const sdkKey = importSdkPublicKey(input.sdkEphemPubKey).jwk;
        const acsKey = await crypto.newEphemeralKey();
        const acsSignedContent = await crypto.signAcsContent({
          ...(input.acsURL !== undefined && { acsURL: input.acsURL }),
          acsEphemPubKey: acsKey.publicJwk,
          sdkEphemPubKey: { kty: 'EC', crv: 'P-256', x: input.sdkEphemPubKey.x, y: input.sdkEphemPubKey.y },
          acsTransID: input.acsTransID,
          acsRefNumber: input.acsReferenceNumber,
        });
        return {
          acsSignedContent,
          app: {
            sdkEphemPubKey: sdkKey,
            acsEphemPrivKey: { ...acsKey.privateJwk },
            sdkCounterStoA: 0,
            acsCounterAtoS: 0,
            acsUiType: input.ui.acsUiType,
          },
        };
      } catch (err) {
        throw cryptoAppError(err, ids, extra);
      }
    },
  };
}
