// The seam where the app challenge (SPEC §6) plugs into authenticate: for an app-channel challenge the
// ARes needs acsSignedContent (a JWS over the ACS ephemeral key), which is crypto work done elsewhere.
// Without a hook, app challenges still answer, without acsSignedContent. It sits beside the core, outside
// both flows: authenticate calls it, flows/app-challenge/app-prepare.ts implements it.
import type { UiSpec } from './transaction/challenge-machine.js';
import type { AppFlowState } from './transaction/record.js';
import type { SdkKey } from './wire/messages.js';

export interface AppChallengeInput {
  threeDSServerTransID: string;
  acsTransID: string;
  acsReferenceNumber: string;
  /** {base}/challenge; absent only for the broken-response card no-acs-url (SPEC §4). */
  acsURL?: string;
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
