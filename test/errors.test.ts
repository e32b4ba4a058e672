import { expect } from 'chai';
import { AppError, erroMessage, errorEnvelope } from '../src/errors.js';

describe('errors: the Erro message (SPEC §8, §15)', () => {
  it('errorMessageType is the 4-character type of the message at fault', () => {
    const e = new AppError('INVALID_FORMAT', 'purchaseAmount: must be numeric', {}, { errorMessageType: 'AReq' });
    expect(erroMessage(e)).to.include({ messageType: 'Erro', errorCode: '203', errorMessageType: 'AReq', errorComponent: 'S' });
    for (const type of ['ARes', 'CReq', 'CRes', 'RReq', 'RRes', 'PReq', 'PRes', 'OReq', 'ORes', 'Erro'])
      expect(erroMessage(new AppError('INVALID_FORMAT', 'x', {}, { errorMessageType: type })).errorMessageType).to.equal(type);
  });

  it('errorMessageType is left out, never "", when the message type is unknown or not recognisable', () => {
    for (const extra of [{}, { errorMessageType: '' }, { errorMessageType: 'Banana' }, { errorMessageType: 'areq' }]) {
      const m = erroMessage(new AppError('MESSAGE_NOT_RECOGNISED', 'x', {}, extra));
      expect(m, JSON.stringify(extra)).to.not.have.property('errorMessageType');
      expect(JSON.stringify(m)).to.not.contain('""');
    }
    expect(errorEnvelope(new AppError('TRANSACTION_NOT_FOUND')).errorDetails).to.not.have.property('errorMessageType');
  });

  it('202 is in the registry: a critical message extension not recognised', () => {
    expect(new AppError('CRITICAL_EXTENSION_NOT_RECOGNISED', 'ID1').spec).to.include({ emvCode: '202', status: 400 });
  });
});
