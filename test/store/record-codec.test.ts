import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { deepFreeze, packedBound, packRecord, serializeRecord, unpackRecord } from '../../src/store/record-codec.js';

/** pack then unpack; the packed length too (-1: not packable). */
function roundTrip(text: string): { back: string | undefined; packed: number; raw: number } {
  const src = Buffer.from(text, 'utf8');
  const out = Buffer.alloc(packedBound(src.length));
  const packed = packRecord(src, src.length, out);
  if (packed < 0) return { back: undefined, packed, raw: src.length };
  expect(packed).to.be.at.most(packedBound(src.length));
  const back = Buffer.alloc(src.length);
  return { back: back.toString('utf8', 0, unpackRecord(out, 0, packed, back)), packed, raw: src.length };
}

// Shaped like a completed browser challenge record (the protocol's own are checked in test/protocol).
function recordLike(): string {
  const [id, acs, ds] = [randomUUID(), randomUUID(), randomUUID()];
  return JSON.stringify({
    v: 2,
    threeDSServerTransID: id,
    stage: 'completed',
    final: true,
    maskedPan: '400040******4001',
    auth: { requestHash: 'ab'.repeat(32), flow: 'browser', messageVersion: '2.2.0', messageCategory: '01', acsTransID: acs, dsTransID: ds },
    results: {
      request: { messageType: 'RReq', messageVersion: '2.2.0', threeDSServerTransID: id, acsTransID: acs, dsTransID: ds, transStatus: 'Y' },
      response: {
        messageType: 'RRes',
        messageVersion: '2.2.0',
        threeDSServerTransID: id,
        acsTransID: acs,
        dsTransID: ds,
        resultsStatus: '01',
      },
    },
  });
}

describe('record codec', () => {
  it('serializes records as JSON objects', () => {
    expect(serializeRecord({ a: 1, b: { c: 'x' } })).to.equal('{"a":1,"b":{"c":"x"}}');
    expect(() => serializeRecord([] as unknown as object)).to.throw(TypeError);
  });

  it('refuses a cardSecurityCode key at the top level, one level down and deeper', () => {
    expect(() => serializeRecord({ cardSecurityCode: '123' })).to.throw(/cardSecurityCode/);
    expect(() => serializeRecord({ cardholderAccount: { cardSecurityCode: '123' } })).to.throw(/cardSecurityCode/);
    expect(() => serializeRecord({ items: [{ deep: { cardSecurityCode: '1' } }] })).to.throw(/cardSecurityCode/);
  });

  it('does not mistake the word inside a string value for the key', () => {
    expect(serializeRecord({ note: 'cardSecurityCode is never stored' })).to.include('never stored');
    expect(serializeRecord({ raw: '{"cardSecurityCode":"x"}' })).to.include('raw');
  });

  it('freezes nested objects and arrays', () => {
    const v = deepFreeze({ a: { b: [1, { c: 2 }] } });
    expect(Object.isFrozen(v.a)).to.equal(true);
    expect(Object.isFrozen(v.a.b)).to.equal(true);
    expect(Object.isFrozen(v.a.b[1])).to.equal(true);
  });

  describe('packed form (the embedded store)', () => {
    it('round-trips records and halves them: known keys become a byte, repeated IDs a reference', () => {
      const text = recordLike();
      const r = roundTrip(text);
      expect(r.back).to.equal(text);
      expect(r.packed).to.be.below(r.raw * 0.55);
    });

    it('round-trips any text without control bytes: fragments and runs at the edges, escapes, non-ASCII, many runs', () => {
      const long = 'x'.repeat(64);
      const texts = [
        '',
        '"',
        '""',
        '"messageVersion":"',
        '{"messageVersion":"2.2.0"}',
        '"messageVersion":"2.2.',
        `"${long}"`,
        `"${long}x"`,
        `"${long}","${long}"`,
        `{"a":"${'y'.repeat(20)}","b":"${'y'.repeat(20)}","c":"${'y'.repeat(19)}"`,
        '{"merchantName":"Café \\"Zürich\\" 🍫","acsTransID":"\\u0001"}',
        JSON.stringify({ ids: Array.from({ length: 300 }, () => randomUUID()) }),
        JSON.stringify({ again: Array.from({ length: 300 }, (_, i) => `${'z'.repeat(20)}${i % 2}`) }),
      ];
      for (const t of texts) expect(roundTrip(t).back, t.slice(0, 60)).to.equal(t);
    });

    it('round-trips random texts made of the pieces records are made of', () => {
      let seed = 7;
      const rnd = (n: number) => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed % n;
      };
      const pieces = [
        '"',
        '":"',
        '":',
        ',',
        '{',
        '}',
        '2.2.0',
        'messageVersion',
        'threeDSServerTransID',
        'acsTransID',
        '"v":2',
        'é',
        '\\"',
        'a'.repeat(25),
      ];
      const ids = [randomUUID(), randomUUID()];
      for (let k = 0; k < 2000; k++) {
        let t = '';
        for (let n = rnd(40); n > 0; n--) t += rnd(5) === 0 ? (ids[rnd(2)] as string) : (pieces[rnd(pieces.length)] as string);
        expect(roundTrip(t).back, t).to.equal(t);
      }
    });

    it('does not pack a text holding bytes below 0x20 (the codes)', () => {
      expect(roundTrip('{"a":"\u0001"}').packed).to.equal(-1);
      expect(roundTrip('line\nbreak').packed).to.equal(-1);
    });
  });
});
