import { expect } from 'chai';
import { AppError } from '../../../src/errors.js';
import {
  checkMessageType,
  type FieldContext,
  isMessageVersion,
  messageCategory,
  shown,
  transactionId,
  uuid,
} from '../../../src/protocol/wire/fields.js';
import { expectThrow } from '../../helpers/expect-error.js';

const ID = '8a880dc0-d2d2-4067-bcb1-b08d1690b26e';
const ctx = (messageType = 'AReq'): FieldContext => ({ ids: {}, messageType });

describe('protocol/wire/fields: the checks every message repeats', () => {
  it('shows a client value without calling into it (objects without toString, __proto__ keys)', () => {
    expect(shown(JSON.parse('{"toString": null}'))).to.equal('an object');
    expect(shown(JSON.parse('{"__proto__": null}'))).to.equal('an object');
    expect(shown(['x'])).to.equal('an array');
    expect(shown(null)).to.equal('null');
    expect(shown('ARes-and-much-more-than-twenty')).to.equal('ARes-and-much-more-t');
    expect(shown(12)).to.equal('12');
    const err = expectThrow(() => checkMessageType(ctx('RReq'), JSON.parse('{"toString": null}')), AppError);
    expect(err.message).to.match(/got an object/);
  });

  it('messageType: may be left out unless required; anything else than the message read is Erro 101', () => {
    expect(() => checkMessageType(ctx(), undefined)).to.not.throw();
    expect(() => checkMessageType(ctx(), 'AReq')).to.not.throw();
    const other = expectThrow(() => checkMessageType(ctx(), 'RReq'), AppError);
    expect(other.spec.emvCode).to.equal('101');
    expect(other.detail).to.equal('messageType: expected AReq, got RReq');
    expect(other.extra.errorMessageType).to.equal('AReq');
    expect(expectThrow(() => checkMessageType(ctx(), null), AppError).spec.emvCode).to.equal('101');
    expect(expectThrow(() => checkMessageType(ctx('CReq'), undefined, true), AppError).spec.emvCode).to.equal('201');
    expect(expectThrow(() => checkMessageType(ctx('CReq'), '', true), AppError).spec.emvCode).to.equal('201');
    expect(expectThrow(() => checkMessageType(ctx('CReq'), 'CRes', true), AppError).spec.emvCode).to.equal('101');
  });

  it('a UUID element: 201 when absent (with the reason given), 203 when not a UUID', () => {
    expect(uuid(ctx(), ID, 'acsTransID')).to.equal(ID);
    const absent = expectThrow(() => uuid(ctx(), '', 'sdkTransID', 'is required for app flows'), AppError);
    expect([absent.spec.emvCode, absent.detail]).to.deep.equal(['201', 'sdkTransID: is required for app flows']);
    const bad = expectThrow(() => uuid(ctx(), 'not-a-uuid', 'acsTransID'), AppError);
    expect([bad.spec.emvCode, bad.detail]).to.deep.equal(['203', 'acsTransID: must be a UUID (36 characters)']);
  });

  it('the transaction ID is named by every later refusal', () => {
    const c = ctx();
    expect(transactionId(c, ID)).to.equal(ID);
    expect(c.ids).to.deep.equal({ threeDSServerTransID: ID });
    const e = expectThrow(() => transactionId(ctx(), 42), AppError);
    expect(e.spec.emvCode).to.equal('203');
  });

  it('messageCategory: 01 (PA), 02 (NPA) or DS-specific 80–99; anything else is Erro 203 (SPEC §15)', () => {
    expect(['01', '02', '80', '99', 1, 2].map((v) => messageCategory(ctx(), v))).to.deep.equal(['01', '02', '80', '99', '01', '02']);
    expect(messageCategory(ctx(), undefined)).to.equal(undefined);
    for (const bad of ['09', '03', '79', 9, '100', 'PA']) {
      const e = expectThrow(() => messageCategory(ctx(), bad), AppError);
      expect(e.spec.emvCode, String(bad)).to.equal('203');
      expect(e.detail).to.match(/^messageCategory:/);
    }
  });

  it('a message version is three dotted numbers', () => {
    expect(['2.2.0', '2.10.0', '10.0.1'].every(isMessageVersion)).to.equal(true);
    expect(['2.2', '2.2.0-rc', 'v2.2.0', '', 220, undefined].some(isMessageVersion)).to.equal(false);
  });
});
