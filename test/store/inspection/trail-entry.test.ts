// A trail entry as stored (SPEC §17): PANs masked the logger's way, no CVC at any depth, dates kept,
// bounded; and the recorder that the protocol writes to (the inspection.enabled switch).
import { expect } from 'chai';
import type { TrailEvent } from '../../../src/store/inspection/inspection-types.js';
import { decodeEntry, encodeEntry, maskedJson } from '../../../src/store/inspection/trail-entry.js';
import { createTrailRecorder } from '../../../src/store/inspection/trail-recorder.js';
import { testConfig } from '../../protocol/helpers.js';

describe('trail entries', () => {
  it('masks PANs (strings and long integers) as the logger does, and keeps no cardSecurityCode at any depth', () => {
    const json = maskedJson({
      cardholderAccount: { acctNumber: '4000400040004001', cardSecurityCode: '737' },
      nested: [{ block: { cardSecurityCode: '123', other: 'ok' } }],
      pan: 4111111111111111,
      note: 'card 5155010000000001 failed',
    });
    const o = JSON.parse(json);
    expect(o.cardholderAccount).to.deep.equal({ acctNumber: '400040******4001' });
    expect(o.nested[0].block).to.deep.equal({ other: 'ok' });
    expect(o.pan).to.equal('411111******1111');
    expect(o.note).to.equal('card 515501******0001 failed');
    expect(json).to.not.match(/[0-9]{13}/);
  });

  it('leaves long digit runs that are not card numbers as they are (purchaseDate)', () => {
    const o = JSON.parse(maskedJson({ purchase: { purchaseDate: '20261121093000', purchaseAmount: '4599' } }));
    expect(o.purchase.purchaseDate).to.equal('20261121093000');
  });

  it('masks a PAN sent under one of those keys when it is not in that key’s shape', () => {
    const o = JSON.parse(
      maskedJson({
        at: '4000400040004001',
        deep: { createdAt: '5155010000000001', updatedAt: 4111111111111111, recordedAt: -4000400040004001 },
        visa13: { at: 4000400040004 },
        purchase: { purchaseDate: '4000400040004', purchaseAmount: '4000400040004001' },
        kept: { at: 1_764_000_000_000, purchaseDate: '20261231235959' },
      }),
    );
    expect(o.at).to.equal('400040******4001');
    expect(o.deep).to.deep.equal({ createdAt: '515501******0001', updatedAt: '411111******1111', recordedAt: '-400040******4001' });
    expect(o.visa13.at).to.equal('400040***0004');
    expect(o.purchase.purchaseDate).to.not.equal('4000400040004');
    expect(o.purchase.purchaseAmount).to.equal('400040******4001');
    expect(o.kept).to.deep.equal({ at: 1_764_000_000_000, purchaseDate: '20261231235959' });
  });

  it('serializes {at, kind, note, message} and reads it back with an ISO time', () => {
    const e = encodeEntry(1_764_000_000_000, 'CRes', { transStatus: 'Y' }, 10_000, 'posted to http://m.test/');
    expect(e.bytes).to.equal(Buffer.byteLength(e.json));
    expect(decodeEntry(e.json)).to.deep.equal({
      at: 1_764_000_000_000,
      time: new Date(1_764_000_000_000).toISOString(),
      kind: 'CRes',
      note: 'posted to http://m.test/',
      message: { transStatus: 'Y' },
    });
  });

  it('keeps a message larger than the trail bound as a stub saying how large it was', () => {
    const e = encodeEntry(1, 'ARes', { acsSignedContent: 'x'.repeat(5000) }, 1000);
    const d = decodeEntry(e.json);
    expect(d).to.include({ kind: 'ARes', truncated: true });
    expect(d.bytes).to.be.greaterThan(5000);
    expect(e.bytes).to.be.below(1000);
  });

  it('the recorder masks once, stamps the time, and does nothing while inspection.enabled is false', () => {
    const sent: TrailEvent[] = [];
    const store = { append: (ev: TrailEvent) => sent.push(ev) } as unknown as Parameters<typeof createTrailRecorder>[0]['store'];
    let config = testConfig();
    const rec = createTrailRecorder({ config: () => config, store, now: () => 42 });
    rec.add('t1', 'AReq', { acctNumber: '4000400040004001' }, { createdAt: 42, last4: '4001' });
    expect(sent).to.have.length(1);
    expect(sent[0]).to.include({ id: 't1', at: 42 });
    expect(sent[0]?.patch).to.deep.equal({ createdAt: 42, last4: '4001' });
    expect(sent[0]?.entry).to.contain('400040******4001');
    config = testConfig((c) => {
      c.inspection.enabled = false;
    });
    rec.add('t1', 'ARes', {});
    expect(sent).to.have.length(1);
  });
});
