import { expect } from 'chai';
import * as der from '../../src/crypto/der.js';

const hex = (b: Buffer) => b.toString('hex');

describe('crypto/der', () => {
  it('encodes INTEGERs minimally and never negative', () => {
    expect(hex(der.integer(0))).to.equal('020100');
    expect(hex(der.integer(2))).to.equal('020102');
    expect(hex(der.integer(127))).to.equal('02017f');
    expect(hex(der.integer(128))).to.equal('02020080');
    expect(hex(der.integer(256))).to.equal('02020100');
    expect(hex(der.integer(Buffer.from('0000ff', 'hex')))).to.equal('020200ff');
    expect(hex(der.integer(Buffer.from('000012', 'hex')))).to.equal('020112');
  });

  it('encodes OBJECT IDENTIFIERs (multi-byte arcs)', () => {
    expect(hex(der.oid('1.2.840.113549.1.1.11'))).to.equal('06092a864886f70d01010b');
    expect(hex(der.oid('2.5.29.19'))).to.equal('0603551d13');
    expect(hex(der.oid('1.2.840.10045.4.3.2'))).to.equal('06082a8648ce3d040302');
  });

  it('uses the long length form from 128 bytes on', () => {
    expect(hex(der.octetString(Buffer.alloc(127))).slice(0, 4)).to.equal('047f');
    expect(hex(der.octetString(Buffer.alloc(128))).slice(0, 6)).to.equal('048180');
    expect(hex(der.octetString(Buffer.alloc(300))).slice(0, 8)).to.equal('0482012c');
  });

  it('writes UTCTime through 2049 and GeneralizedTime after', () => {
    expect(der.time(new Date(Date.UTC(2049, 11, 31, 23, 59, 58))).toString('latin1')).to.equal('\x17\x0d491231235958Z');
    expect(der.time(new Date(Date.UTC(2050, 0, 2, 3, 4, 5))).toString('latin1')).to.equal('\x18\x0f20500102030405Z');
  });
});
