import { expect } from 'chai';
import { AppError } from '../../../../src/errors.js';
import { expectRejection } from '../../../helpers/expect-error.js';
import { harness, testConfig } from '../../helpers.js';

describe('protocol/flows/version: card range lookup', () => {
  it('returns a fresh UUID and the card range', async () => {
    const h = harness();
    const a = await h.protocol.version({ cardNumber: '4000400040004001' }, h.ctx);
    const b = await h.protocol.version({ cardNumber: '4000400040004001' }, h.ctx);
    expect(a.threeDSServerTransID).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.threeDSServerTransID).to.not.equal(b.threeDSServerTransID);
    expect(a.cardRanges).to.deep.equal([
      {
        startRange: '4000000000000000',
        endRange: '4999999999999999',
        acsStartProtocolVersion: '2.1.0',
        acsEndProtocolVersion: '2.3.1',
        acsInfoInd: ['01', '02'],
      },
    ]);
    // No later step needs this record to exist: the hot route does not write.
    expect(h.store.writes).to.equal(0);
  });

  it('accepts the PAN as a number', async () => {
    const h = harness();
    const r = await h.protocol.version({ cardNumber: 5155010000004000 }, h.ctx);
    expect(r.cardRanges[0]).to.include({
      startRange: '5155010000000000',
      acsStartProtocolVersion: '2.2.0',
      acsEndProtocolVersion: '2.2.0',
    });
  });

  it('answers an empty list for a card in no range', async () => {
    const h = harness();
    expect((await h.protocol.version({ cardNumber: '9000400040004000' }, h.ctx)).cardRanges).to.deep.equal([]);
  });

  it('hands out the threeDSMethodURL for 4014 and opens the record', async () => {
    const h = harness();
    const r = await h.protocol.version({ cardNumber: '4000400040004014' }, h.ctx);
    expect(r.cardRanges[0]?.threeDSMethodURL).to.equal('http://acs.test:8080/processor/mock/acs/3ds-method');
    const rec = await h.protocol.load(r.threeDSServerTransID);
    expect(rec).to.include({ stage: 'opened', maskedPan: '400040******4014', scheme: 'visa' });
  });

  it('writes the record when requireVersionCall is on', async () => {
    const h = harness({ config: testConfig((c) => (c.protocol.requireVersionCall = true)) });
    const r = await h.protocol.version({ cardNumber: '4000400040004000' }, h.ctx);
    expect(await h.protocol.load(r.threeDSServerTransID)).to.include({ stage: 'opened' });
  });

  it('refuses what is not a PAN (Erro 203) and a missing one (201)', async () => {
    const h = harness();
    for (const cardNumber of ['123', '4000 4000 4000 400x', 'abcdefghijklm', true, '40004000400040004000']) {
      const err = await expectRejection(h.protocol.version({ cardNumber }, h.ctx), AppError, undefined, `version(${String(cardNumber)})`);
      expect(err.spec.emvCode).to.equal('203');
      expect(err.detail).to.contain('cardNumber');
    }
    const missing = await expectRejection(h.protocol.version({}, h.ctx), AppError, undefined, 'version without a card');
    expect(missing.spec.emvCode).to.equal('201');
    expect(missing.detail).to.contain('cardNumber');
  });
});
