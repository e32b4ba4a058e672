// The shared error expectations must fail whenever the expectation does not hold: nothing thrown, another
// class, a message that does not match. Otherwise every test built on them could not fail.
import { AssertionError, expect } from 'chai';
import { expectRejection, expectThrow } from './expect-error.js';

class KindError extends Error {
  constructor(
    message: string,
    readonly kind: string,
  ) {
    super(message);
  }
}

/** What the helper threw: it must be a chai AssertionError. */
async function assertionFrom(run: () => unknown): Promise<Error> {
  try {
    await run();
  } catch (err) {
    if (err instanceof AssertionError) return err;
    throw new Error(`expected an AssertionError, got ${String(err)}`);
  }
  throw new Error('expected the helper to fail, but it passed');
}

describe('test helpers: expectRejection / expectThrow', () => {
  it('return the typed error when class and message match', async () => {
    const thrown = expectThrow(
      () => {
        throw new KindError('bad input: field x', 'INPUT');
      },
      KindError,
      /field x/,
    );
    expect(thrown.kind).to.equal('INPUT');
    const rejected = await expectRejection(Promise.reject(new KindError('gone', 'GONE')), KindError, 'gone');
    expect(rejected.kind).to.equal('GONE');
    // A function whose promise rejects, or that throws at once, is a rejection too.
    expect((await expectRejection(async () => Promise.reject(new KindError('a', 'A')), KindError)).kind).to.equal('A');
    expect(
      (
        await expectRejection(() => {
          throw new KindError('b', 'B');
        }, KindError)
      ).kind,
    ).to.equal('B');
  });

  it('fail when nothing is thrown or the promise resolves', async () => {
    expect((await assertionFrom(() => expectThrow(() => 42, KindError))).message).to.match(/to throw KindError, but it returned 42/);
    expect((await assertionFrom(() => expectRejection(Promise.resolve({ ok: true }), KindError))).message).to.match(
      /to reject with KindError, but it resolved with \{"ok":true\}/,
    );
    expect((await assertionFrom(() => expectThrow(async () => 1, KindError))).message).to.match(/returned a promise/);
  });

  it('fail when the error is of another class, keeping it as the cause', async () => {
    const other = new TypeError('not the one');
    const a = await assertionFrom(() => expectRejection(Promise.reject(other), KindError));
    expect(a.message).to.match(/to fail with KindError, but it failed with TypeError: not the one/);
    expect(a.cause).to.equal(other);
    const b = await assertionFrom(() =>
      expectThrow(() => {
        throw 'a string';
      }, Error),
    );
    expect(b.message).to.match(/failed with "a string"/);
  });

  it('fail when the message does not match the pattern or substring', async () => {
    const err = new KindError('the actual message', 'X');
    expect((await assertionFrom(() => expectRejection(Promise.reject(err), KindError, /expected words/))).message).to.match(
      /a KindError matching \/expected words\/, but its message was "the actual message"/,
    );
    expect(
      (
        await assertionFrom(() =>
          expectThrow(
            () => {
              throw err;
            },
            KindError,
            'other text',
          ),
        )
      ).message,
    ).to.match(/containing "other text"/);
  });
});
