// The seam where the app challenge (SPEC §6) plugs into authenticate: for an app-channel challenge the
// ARes needs acsSignedContent (a JWS over the ACS ephemeral key), which is crypto work done elsewhere.
// Without a hook, app challenges still answer, without acsSignedContent.
import type { SdkKey } from './areq.js';
import type { UiSpec } from './challenge-machine.js';
import type { AppFlowState } from './record.js';

export interface AppChallengeInput {
  threeDSServerTransID: string;
  acsTransID: string;
  acsReferenceNumber: string;
  /** {base}/challenge */
  acsURL: string;
  messageVersion: string;
  sdkTransID: string;
  sdkEphemPubKey: SdkKey;
  sdkReferenceNumber?: string;
  ui: UiSpec;
}

export interface AppChallengePrepared {
  acsSignedContent: string;
  /** Fields stored in record.app (e.g. the ACS ephemeral private key as a JWK). */
  app?: Partial<AppFlowState>;
}

export interface AppChallengeHook {
  prepare(input: AppChallengeInput): Promise<AppChallengePrepared>;
}
