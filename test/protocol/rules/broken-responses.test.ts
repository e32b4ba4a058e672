import { expect } from 'chai';
import { BROKEN_RESPONSES } from '../../../src/config/formats.js';
import { BROKEN_NOTES, breakARes, otherUuid } from '../../../src/protocol/rules/broken-responses.js';
import { shapeARes } from '../../../src/protocol/rules/message-shapes.js';
import type { ARes } from '../../../src/protocol/wire/messages.js';

const SDK = '8a880dc0-d2d2-4067-bcb1-b08d1690b26e';
const ACS = 'b2bb3c4d-0b0e-4f7a-9d4b-6f1a2c3d4e5f';

function ares(over: Partial<ARes> = {}): ARes {
  return shapeARes({
    messageType: 'ARes',
    messageVersion: '2.3.1',
    threeDSServerTransID: '3f2a9a42-0c43-4f8e-8a3e-6f0b1c2d3e4f',
    acsTransID: ACS,
    dsTransID: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
    sdkTransID: SDK,
    transStatus: 'C',
    acsChallengeMandated: 'Y',
    authenticationType: '02',
    acsReferenceNumber: 'issuer1',
    acsOperatorID: 'MOCK_ACS',
    dsReferenceNumber: 'MOCK_DS',
    acsSignedContent: 'h.p.s',
    acsRenderingType: { acsInterface: '01', acsUiTemplate: '01' },
    deviceInfoRecognisedVersion: '1.3',
    ...over,
  });
}

describe('protocol/rules/broken-responses', () => {
  it('no-ds-trans-id: the shaped ARes without dsTransID, nothing else changed', () => {
    const a = ares();
    const b = breakARes(a, 'no-ds-trans-id');
    expect(b).to.not.have.property('dsTransID');
    const { dsTransID: _gone, ...rest } = a;
    expect(b).to.deep.equal(rest);
    // The input is never changed (a replay renders from the same facts).
    expect(a.dsTransID).to.be.a('string');
  });

  it('sdk-trans-id-mismatch: another well-formed UUID, the same one every time (replays are byte for byte)', () => {
    const a = ares();
    const b = breakARes(a, 'sdk-trans-id-mismatch');
    expect(b.sdkTransID).to.not.equal(SDK);
    expect(b.sdkTransID).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(breakARes(ares(), 'sdk-trans-id-mismatch')).to.deep.equal(b);
    expect({ ...b, sdkTransID: SDK }).to.deep.equal(a);
    // Without an sdkTransID (browser, 3RI) there is nothing to break.
    const { sdkTransID: _none, ...browser } = ares();
    expect(breakARes(browser, 'sdk-trans-id-mismatch')).to.equal(browser);
  });

  it('the other breaks, and none, leave the ARes as it is', () => {
    const a = ares();
    for (const k of [undefined, 'no-acs-url', 'acs-no-answer'] as const) expect(breakARes(a, k)).to.equal(a);
  });

  it('otherUuid never answers the UUID it replaces', () => {
    for (let i = 0; i < 200; i++) {
      const seed = `seed-${i}`;
      const u = otherUuid(SDK, seed);
      expect(u).to.not.equal(SDK);
      expect(otherUuid(u, seed)).to.not.equal(u);
    }
  });

  it('every break has a note for /3ds/final and the logs', () => {
    for (const k of BROKEN_RESPONSES)
      expect(BROKEN_NOTES[k])
        .to.be.a('string')
        .and.match(/^test card /);
  });
});
