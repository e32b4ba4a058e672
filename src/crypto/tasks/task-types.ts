// The task protocol between a worker's crypto pool and its threads: one map name -> {input, output}
// that both sides type against, so a task cannot be posted with the wrong input or read with the
// wrong output. Types only.
import type { SerializedCryptoError } from '../crypto-errors.js';
import type { AcsSignedContentPayload, ContentEnc, DecryptedMessage, EcPrivateJwk, EphemeralKey, SigningAlg } from '../crypto-types.js';

export interface TaskMap {
  /** Compact JWS of acsSignedContent with the thread's copy of the ACS key. */
  sign: { input: { payload: AcsSignedContentPayload }; output: string };
  /** ECDH + EMV Concat KDF: the 32-byte session key. */
  'ecdh-kdf': { input: { acsPrivJwk: EcPrivateJwk; sdkPubJwk: unknown; sdkReferenceNumber: string }; output: Uint8Array };
  /** A fresh ACS ephemeral P-256 key. */
  keygen: { input: Record<string, never>; output: EphemeralKey };
  /** CReq decryption (SDK->ACS key half for A128GCM). */
  'jwe-decrypt': { input: { jwe: string; key: Uint8Array; enc: ContentEnc }; output: DecryptedMessage };
  /** CRes encryption (ACS->SDK key half for A128GCM). */
  'jwe-encrypt': { input: { payload: object; key: Uint8Array; enc: ContentEnc; kid: string }; output: string };
}

export type TaskName = keyof TaskMap;

export const TASK_NAMES: readonly TaskName[] = ['sign', 'ecdh-kdf', 'keygen', 'jwe-decrypt', 'jwe-encrypt'];

/** What the pool posts: one task and its input. */
export type TaskRequest = { [K in TaskName]: { task: K; input: TaskMap[K]['input'] } }[TaskName];

/**
 * What a thread answers. Input errors come back as data (a thrown error loses its class crossing
 * the thread boundary); anything else is thrown and surfaces as a rejected run.
 */
export type TaskOutcome<K extends TaskName = TaskName> =
  | { ok: true; value: TaskMap[K]['output'] }
  | { ok: false; error: SerializedCryptoError };

/** Given once to every thread (piscina workerData): the signing key, parsed once per thread. */
export interface ThreadData {
  signing?: { alg: SigningAlg; privateKeyPem: string; x5c: string[] };
}
