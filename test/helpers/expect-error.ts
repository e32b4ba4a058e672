// The one way tests expect an error: the class is always checked, the message when a pattern is given,
// and the error comes back typed for further assertions (kind, code, fields). Each fails with a message
// that says what happened instead: nothing thrown, another class (its message and stack kept as the
// cause), or a message that does not match.
import { AssertionError } from 'chai';

/** An error class, whatever its constructor takes (abstract ones too). */
export type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** A substring the message must contain, or a pattern it must match. */
export type MessagePattern = string | RegExp;

function describeValue(v: unknown): string {
  if (v instanceof Error) return `${v.constructor.name}: ${v.message}`;
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 200 ? `${s.slice(0, 200)}…` : s;
  } catch {
    return String(v);
  }
}

function failure(message: string, cause?: unknown): Error {
  const err = new AssertionError(message);
  if (cause !== undefined) err.cause = cause;
  if (cause instanceof Error && cause.stack) err.stack = `${err.stack}\nCaused by: ${cause.stack}`;
  return err;
}

function check<E extends Error>(err: unknown, Class: ErrorClass<E>, message: MessagePattern | undefined, what: string): E {
  if (!(err instanceof Class)) {
    throw failure(`expected ${what} to fail with ${Class.name}, but it failed with ${describeValue(err)}`, err);
  }
  if (message !== undefined) {
    const ok = typeof message === 'string' ? err.message.includes(message) : message.test(err.message);
    if (!ok) {
      const want = typeof message === 'string' ? `containing ${JSON.stringify(message)}` : `matching ${String(message)}`;
      throw failure(`expected ${what} to fail with a ${Class.name} ${want}, but its message was ${JSON.stringify(err.message)}`, err);
    }
  }
  return err;
}

/**
 * Awaits `promise` (or the promise `fn` returns; a synchronous throw of `fn` counts as a rejection) and
 * returns its rejection reason, which must be an instance of `Class` whose message matches `message`.
 */
export async function expectRejection<E extends Error>(
  promise: Promise<unknown> | (() => Promise<unknown>),
  Class: ErrorClass<E>,
  message?: MessagePattern,
  what = 'the promise',
): Promise<E> {
  let value: unknown;
  try {
    value = await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    return check(err, Class, message, what);
  }
  throw failure(`expected ${what} to reject with ${Class.name}, but it resolved with ${describeValue(value)}`);
}

/** Calls `fn` and returns what it throws, which must be an instance of `Class` whose message matches `message`. */
export function expectThrow<E extends Error>(fn: () => unknown, Class: ErrorClass<E>, message?: MessagePattern, what = 'the call'): E {
  let value: unknown;
  try {
    value = fn();
  } catch (err) {
    return check(err, Class, message, what);
  }
  if (value instanceof Promise) {
    // An async function never throws synchronously: expectRejection is the helper for it.
    value.catch(() => {});
    throw failure(`expected ${what} to throw ${Class.name}, but it returned a promise (use expectRejection)`);
  }
  throw failure(`expected ${what} to throw ${Class.name}, but it returned ${describeValue(value)}`);
}
