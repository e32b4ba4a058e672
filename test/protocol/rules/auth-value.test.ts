import { expect } from 'chai';
import { authenticationValue, eciFor, hasAuthValue } from '../../../src/protocol/rules/auth-value.js';

describe('protocol/rules/auth-value', () => {
  it('maps ECIs per scheme', () => {
    expect(['Y', 'A', 'N', 'R', 'U'].map((s) => eciFor('visa', s))).to.deep.equal(['05', '06', '07', '07', '07']);
    expect(['Y', 'A', 'N', 'R', 'U'].map((s) => eciFor('mastercard', s))).to.deep.equal(['02', '01', '00', '00', '00']);
    expect(eciFor('amex', 'Y')).to.equal('05');
    expect(eciFor('visa', 'C')).to.equal(undefined);
    expect(eciFor('visa', 'D')).to.equal(undefined);
  });

  it('is 20 bytes of base64, reproducible, different per transaction', () => {
    const a = authenticationValue({ secret: 's', transactionId: 'id-1', scheme: 'visa', challenged: false });
    expect(a).to.have.length(28);
    expect(Buffer.from(a, 'base64')).to.have.length(20);
    expect(authenticationValue({ secret: 's', transactionId: 'id-1', scheme: 'visa', challenged: false })).to.equal(a);
    expect(authenticationValue({ secret: 's', transactionId: 'id-2', scheme: 'visa', challenged: false })).to.not.equal(a);
    expect(authenticationValue({ secret: 'other', transactionId: 'id-1', scheme: 'visa', challenged: false })).to.not.equal(a);
  });

  it('starts Mastercard values with kA (frictionless) or kB (challenge)', () => {
    for (let i = 0; i < 20; i++) {
      expect(authenticationValue({ secret: 's', transactionId: `t${i}`, scheme: 'mastercard', challenged: false })).to.match(/^kA/);
      expect(authenticationValue({ secret: 's', transactionId: `t${i}`, scheme: 'mastercard', challenged: true })).to.match(/^kB/);
    }
  });

  it('knows which statuses carry a value', () => {
    expect(['Y', 'A', 'N', 'U', 'R', 'C'].filter(hasAuthValue)).to.deep.equal(['Y', 'A']);
  });
});
