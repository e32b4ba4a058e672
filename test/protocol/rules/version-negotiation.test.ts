import { expect } from 'chai';
import { AppError } from '../../../src/errors.js';
import { compareVersions, negotiateVersion, statusForVersion } from '../../../src/protocol/rules/version-negotiation.js';
import { expectThrow } from '../../helpers/expect-error.js';

const ids = { threeDSServerTransID: '8a880dc0-d2d2-4067-bcb1-b08d1690b26e' };
const all = ['2.1.0', '2.2.0', '2.3.1'];

describe('protocol/rules/version-negotiation', () => {
  it('compares numerically', () => {
    expect(compareVersions('2.10.0', '2.2.0')).to.equal(1);
    expect(compareVersions('2.2.0', '2.2.0')).to.equal(0);
    expect(compareVersions('2.1.0', '2.3.1')).to.equal(-1);
  });

  it('picks the highest version not above the preferred one', () => {
    expect(negotiateVersion({ supported: all, rangeStart: '2.1.0', rangeEnd: '2.3.1', preferred: '2.2.0', enforce: false }, ids)).to.equal(
      '2.2.0',
    );
    expect(negotiateVersion({ supported: all, rangeStart: '2.1.0', rangeEnd: '2.3.1', enforce: false }, ids)).to.equal('2.3.1');
    expect(negotiateVersion({ supported: all, rangeStart: '2.1.0', rangeEnd: '2.3.1', preferred: '2.3.0', enforce: false }, ids)).to.equal(
      '2.2.0',
    );
    expect(negotiateVersion({ supported: all, rangeStart: '2.2.0', rangeEnd: '2.2.0', preferred: '2.3.1', enforce: false }, ids)).to.equal(
      '2.2.0',
    );
  });

  it('refuses an enforced preferred version that is not available (Erro 102)', () => {
    const call = () => negotiateVersion({ supported: all, rangeStart: '2.2.0', rangeEnd: '2.2.0', preferred: '2.1.0', enforce: true }, ids);
    const err = expectThrow(call, AppError);
    expect(err.kind).to.equal('VERSION_NOT_SUPPORTED');
    expect(err.spec.emvCode).to.equal('102');
    expect(err.ids.threeDSServerTransID).to.equal(ids.threeDSServerTransID);
  });

  it('refuses when nothing is at or below the preferred version', () => {
    expect(() =>
      negotiateVersion({ supported: all, rangeStart: '2.2.0', rangeEnd: '2.3.1', preferred: '2.1.0', enforce: false }, ids),
    ).to.throw(AppError);
  });

  it('maps statuses 2.1.0 lacks', () => {
    expect(statusForVersion('D', '2.1.0')).to.equal('C');
    expect(statusForVersion('I', '2.1.0')).to.equal('Y');
    expect(statusForVersion('D', '2.2.0')).to.equal('D');
    expect(statusForVersion('I', '2.3.1')).to.equal('I');
    expect(statusForVersion('N', '2.1.0')).to.equal('N');
  });
});
