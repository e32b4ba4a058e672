// Runs inside the pool's threads (piscina default export). It loads no configuration, logger,
// metrics or store: only the task protocol types and the pure crypto primitives, which import
// nothing but node:crypto and jose. Blocking calls are used on purpose: the thread exists to block.
import crypto from 'node:crypto';
import { workerData } from 'node:worker_threads';
import { CryptoError, serializeCryptoError } from '../crypto-errors.js';
import { deriveSessionKey, generateEphemeralKeySync } from '../ecdh.js';
import { decryptCReq, encryptCRes } from '../jwe.js';
import { AcsContentSigner } from '../jws.js';
import type { TaskMap, TaskName, TaskOutcome, TaskRequest, ThreadData } from './task-types.js';

let signer: AcsContentSigner | undefined;

function threadSigner(): AcsContentSigner {
  if (!signer) {
    const signing = (workerData as ThreadData | undefined)?.signing;
    if (!signing) throw new Error('crypto pool started without a signing key');
    signer = new AcsContentSigner({ alg: signing.alg, privateKey: crypto.createPrivateKey(signing.privateKeyPem), x5c: signing.x5c });
  }
  return signer;
}

type Handlers = { [K in TaskName]: (input: TaskMap[K]['input']) => TaskMap[K]['output'] | Promise<TaskMap[K]['output']> };

const handlers: Handlers = {
  sign: ({ payload }) => threadSigner().signSync(payload),
  'ecdh-kdf': ({ acsPrivJwk, sdkPubJwk, sdkReferenceNumber }) => deriveSessionKey(acsPrivJwk, sdkPubJwk, sdkReferenceNumber),
  keygen: () => generateEphemeralKeySync(),
  'jwe-decrypt': ({ jwe, key, enc }) => decryptCReq(jwe, key, enc),
  'jwe-encrypt': ({ payload, key, enc, kid }) => encryptCRes(payload, key, enc, kid),
};

export default async function runCryptoTask(req: TaskRequest): Promise<TaskOutcome> {
  const handler = handlers[req.task] as (input: unknown) => unknown;
  if (!handler) throw new Error(`unknown crypto task ${String(req.task)}`);
  try {
    return { ok: true, value: (await handler(req.input)) as TaskMap[TaskName]['output'] };
  } catch (err) {
    if (err instanceof CryptoError) return { ok: false, error: serializeCryptoError(err) };
    throw err;
  }
}
