// The canonical JSON behind the idempotency check of authenticate: key order never matters, everything
// else does, and what comes out is JSON that parses back to the same value.
import { expect } from 'chai';
import { canonicalHash, canonicalJson, MAX_JSON_DEPTH, parseJsonObject } from '../../../src/protocol/wire/encoding.js';

describe('protocol/wire/encoding: canonical JSON', () => {
  it('sorts keys at every level, keeps array order, drops undefined members like JSON does', () => {
    const a = { b: [3, { z: 1, a: [2, 1] }], a: 'x', c: undefined, d: null };
    expect(canonicalJson(a)).to.equal('{"a":"x","b":[3,{"a":[2,1],"z":1}],"d":null}');
    expect(canonicalJson([undefined, 1])).to.equal('[null,1]');
    expect(canonicalJson('s')).to.equal('"s"');
  });

  it('escapes keys and values that need it, and parses back to the same value', () => {
    const v = { 'q"k': 1, 'back\\slash': 2, é: '\u2028line', 'a b': [true, false, 1.5e-7], '': 0 };
    const out = canonicalJson(v);
    expect(JSON.parse(out)).to.deep.equal(v);
    expect(Object.keys(JSON.parse(out))).to.deep.equal(Object.keys(v).sort());
  });

  it('hashes bodies equal but for key order alike, and any other difference apart', () => {
    const one = { purchase: { purchaseAmount: '4599', purchaseCurrency: '756' }, deviceChannel: '02' };
    const reordered = { deviceChannel: '02', purchase: { purchaseCurrency: '756', purchaseAmount: '4599' } };
    const other = { deviceChannel: '02', purchase: { purchaseCurrency: '756', purchaseAmount: '4598' } };
    expect(canonicalHash(reordered)).to.equal(canonicalHash(one));
    expect(canonicalHash(other)).to.not.equal(canonicalHash(one));
    expect(canonicalHash({ a: '1' })).to.not.equal(canonicalHash({ a: 1 }));
  });
});

describe('protocol/wire/encoding: parseJsonObject', () => {
  it('refuses JSON nested deeper than MAX_JSON_DEPTH, which serializing it again would overflow the stack on', () => {
    const deep = `{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    expect(() => JSON.stringify(JSON.parse(deep))).to.throw(RangeError);
    expect(parseJsonObject(deep)).to.equal(undefined);
    const fine = `{"a":${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)}}`;
    expect(parseJsonObject(fine)).to.be.an('object');
    expect(parseJsonObject('[1]')).to.equal(undefined);
    expect(parseJsonObject('{"x":')).to.equal(undefined);
  });
});
