// Typed failures of the crypto layer. Input errors name the registry entry (src/errors.ts) the protocol
// answers with, so the mapping to an EMVCo Erro is data, not guesswork: a bad SDK key is 203, content
// that does not decrypt is 302. Errors cross the pool's thread boundary as plain data (structured clone
// keeps only a standard Error's name), so each carries a `code` it can be rebuilt from.
import type { ErrorName } from '../errors.js';

export type CryptoErrorCode = 'invalid-key' | 'decryption' | 'malformed-payload' | 'overloaded';

/** A failure with a defined answer: mostly input a client sent that cannot be used; or overload. */
export class CryptoError extends Error {
  constructor(
    readonly code: CryptoErrorCode,
    /** The registry entry the protocol maps this to. */
    readonly errorName: ErrorName,
    message: string,
    /** The data element at fault, for errorDetail. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'CryptoError';
  }
}

/** The SDK's ephemeral public key is not a valid P-256 point (Erro 203). */
export class InvalidKeyError extends CryptoError {
  constructor(message: string, field = 'sdkEphemPubKey') {
    super('invalid-key', 'INVALID_FORMAT', message, field);
    this.name = 'InvalidKeyError';
  }
}

/** A JWE that is malformed, uses another algorithm, or fails authentication (Erro 302). */
export class DecryptionError extends CryptoError {
  constructor(message: string) {
    super('decryption', 'DECRYPTION_FAILURE', message);
    this.name = 'DecryptionError';
  }
}

/** Decrypted fine, but the plaintext is not a JSON object (Erro 203). */
export class MalformedPayloadError extends CryptoError {
  constructor(message: string) {
    super('malformed-payload', 'INVALID_FORMAT', message);
    this.name = 'MalformedPayloadError';
  }
}

/** The pool's queue is full: shed load (503 with Retry-After) instead of queueing without bound. */
export class PoolOverloadedError extends CryptoError {
  constructor(message = 'crypto pool queue is full') {
    super('overloaded', 'OVERLOADED', message);
    this.name = 'PoolOverloadedError';
  }
}

/** The ACS signing key or certificate cannot be loaded or made: the worker must not start. */
export class CredentialsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CredentialsError';
  }
}

/** Plain-data form of a CryptoError, as pool threads return it. */
export interface SerializedCryptoError {
  code: CryptoErrorCode;
  message: string;
  field?: string;
}

export function serializeCryptoError(err: CryptoError): SerializedCryptoError {
  return err.field === undefined ? { code: err.code, message: err.message } : { code: err.code, message: err.message, field: err.field };
}

export function reviveCryptoError(e: SerializedCryptoError): CryptoError {
  switch (e.code) {
    case 'invalid-key':
      return new InvalidKeyError(e.message, e.field);
    case 'decryption':
      return new DecryptionError(e.message);
    case 'malformed-payload':
      return new MalformedPayloadError(e.message);
    case 'overloaded':
      return new PoolOverloadedError(e.message);
  }
}
