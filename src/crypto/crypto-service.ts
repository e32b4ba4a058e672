// The one entry point the protocol layer uses for app-channel cryptography. Per task, pool.offload
// decides whether it runs in the worker's Piscina pool or in the calling thread. Inline work already
// avoids blocking where Node allows it: signing and key generation use the callback APIs (libuv
// pool), JWE goes through jose's WebCrypto; only ECDH + KDF (~160 µs) runs synchronously.
// Measured on the 2-core development machine, one process, 32 concurrent calls (CPU per call):
// PS256 sign inline ~5.2k/s 194 µs vs pool ~4.3k/s 230 µs; ES256 37k/s 28 µs vs 20k/s 72 µs; ECDH+KDF
// 6.1k/s 164 µs vs 4.9k/s 204 µs; keygen 25k/s 40 µs vs 15k/s 65 µs; the pool's p99 was worse in every
// case. A thread hop costs ~40 µs of CPU, so nothing is offloaded by default (pool.offload = []);
// offloading ECDH can pay where cores outnumber worker processes.
import type { Config } from '../config/index.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { type AcsCredentials, readAcsCredentials } from './acs-credentials.js';
import type { AcsSignedContentPayload, ContentEnc, DecryptedMessage, EcPrivateJwk, EphemeralKey, SigningAlg } from './crypto-types.js';
import { deriveSessionKey, generateEphemeralKey } from './ecdh.js';
import { decryptCReq, encryptCRes } from './jwe.js';
import { AcsContentSigner } from './jws.js';
import { CryptoPool, poolThreadCount } from './pool.js';
import { TASK_NAMES, type TaskMap, type TaskName } from './tasks/task-types.js';

export interface CryptoServiceOptions {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** Worker processes on this machine, for sizing the pool when pool.threads is 0. */
  workers: number;
  /** Module the pool threads run (tests pass an entry that registers tsx). */
  taskFile?: string | URL;
  /**
   * Already loaded credentials. Otherwise they are read (never generated) from the configuration: a
   * generated development pair must exist already (loadAcsCredentials, run by the primary before forking).
   */
  credentials?: AcsCredentials;
  /** Core count used for sizing; os.availableParallelism() by default. */
  cores?: number;
}

export interface CryptoService {
  readonly algorithm: SigningAlg;
  /** x5c of acsSignedContent: base64 DER certificates, leaf first. */
  readonly x5c: readonly string[];
  readonly credentials: AcsCredentials;
  /** Tasks that run in the pool; the rest run inline. */
  readonly offloaded: ReadonlySet<TaskName>;
  readonly pool: CryptoPool;
  /** Compact JWS of acsSignedContent. */
  signAcsContent(payload: AcsSignedContentPayload): Promise<string>;
  /** A fresh ACS ephemeral P-256 key (private part as a JWK with d, for the transaction record). */
  newEphemeralKey(): Promise<EphemeralKey>;
  /** ECDH + EMV Concat KDF: the 32-byte session key. A bad SDK key rejects with InvalidKeyError. */
  deriveSessionKey(acsPrivJwk: EcPrivateJwk, sdkPubJwk: unknown, sdkReferenceNumber: string): Promise<Uint8Array>;
  /** Decrypts a CReq; DecryptionError (302) or MalformedPayloadError (203) on bad input. */
  decryptCReq(jwe: string, key32: Uint8Array, enc: ContentEnc): Promise<DecryptedMessage>;
  /** Encrypts a CRes with header {alg:"dir", enc, kid}. */
  encryptCRes(payload: object, key32: Uint8Array, enc: ContentEnc, kid: string): Promise<string>;
  close(): Promise<void>;
}

/** pool.offload accepts task names and the groups the config documents (sign, ecdh, jwe). */
const OFFLOAD_GROUPS: Record<string, readonly TaskName[]> = {
  sign: ['sign'],
  ecdh: ['ecdh-kdf', 'keygen'],
  jwe: ['jwe-decrypt', 'jwe-encrypt'],
};

/** The crypto tasks named by pool.offload, and the names that are not crypto tasks. */
export function resolveOffload(names: readonly string[]): { tasks: Set<TaskName>; other: string[] } {
  const tasks = new Set<TaskName>();
  const other: string[] = [];
  for (const n of names) {
    const group = OFFLOAD_GROUPS[n] ?? ((TASK_NAMES as readonly string[]).includes(n) ? [n as TaskName] : undefined);
    if (group) for (const t of group) tasks.add(t);
    else other.push(n);
  }
  return { tasks, other };
}

export async function createCryptoService(opts: CryptoServiceOptions): Promise<CryptoService> {
  const { config, logger, metrics } = opts;
  const credentials = opts.credentials ?? (await readAcsCredentials({ config, logger }));
  const { tasks: offloaded, other: unknown } = resolveOffload(config.pool.offload);
  // The config leaf cannot know the task names, so a name that is no task gets here: a typo worth seeing.
  if (unknown.length > 0) logger.warn('pool.offload names unknown tasks; they run inline', { unknown });

  const threads = poolThreadCount(config.pool.threads, opts.workers, opts.cores);
  const pool = new CryptoPool({
    threads,
    maxQueue: config.pool.maxQueue,
    taskFile: opts.taskFile,
    metrics,
    warm: offloaded.size > 0,
    workerData: { signing: { alg: credentials.alg, privateKeyPem: credentials.privateKeyPem, x5c: [...credentials.x5c] } },
  });
  const signer = new AcsContentSigner(credentials);
  const inPool = (t: TaskName) => offloaded.has(t);
  const run = <K extends TaskName>(task: K, input: TaskMap[K]['input']) => pool.run(task, input);

  logger.info('crypto service ready', { alg: credentials.alg, offloaded: [...offloaded], poolThreads: threads });

  return {
    algorithm: credentials.alg,
    x5c: credentials.x5c,
    credentials,
    offloaded,
    pool,
    signAcsContent: (payload) => (inPool('sign') ? run('sign', { payload }) : signer.sign(payload)),
    newEphemeralKey: () => (inPool('keygen') ? run('keygen', {}) : generateEphemeralKey()),
    deriveSessionKey: async (acsPrivJwk, sdkPubJwk, sdkReferenceNumber) =>
      inPool('ecdh-kdf')
        ? run('ecdh-kdf', { acsPrivJwk, sdkPubJwk, sdkReferenceNumber })
        : deriveSessionKey(acsPrivJwk, sdkPubJwk, sdkReferenceNumber),
    decryptCReq: (jwe, key, enc) => (inPool('jwe-decrypt') ? run('jwe-decrypt', { jwe, key, enc }) : decryptCReq(jwe, key, enc)),
    encryptCRes: (payload, key, enc, kid) =>
      inPool('jwe-encrypt') ? run('jwe-encrypt', { payload, key, enc, kid }) : encryptCRes(payload, key, enc, kid),
    close: () => pool.close(),
  };
}
