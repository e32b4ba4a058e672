import { expect } from 'chai';
import { deepFreeze, serializeRecord } from '../../src/store/record-codec.js';

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
});
