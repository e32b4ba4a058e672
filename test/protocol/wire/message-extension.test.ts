import { expect } from 'chai';
import { AppError, errorEnvelope } from '../../../src/errors.js';
import type { FieldContext } from '../../../src/protocol/wire/fields.js';
import { parseMessageExtension, SCENARIO_EXTENSION_ID, scenarioExtension } from '../../../src/protocol/wire/message-extension.js';
import { expectThrow } from '../../helpers/expect-error.js';

const ID = '8a880dc0-d2d2-4067-bcb1-b08d1690b26e';
const ctx = (): FieldContext => ({ ids: { threeDSServerTransID: ID }, messageType: 'AReq' });
const ext = (over: Record<string, unknown> = {}) => ({
  name: 'sharedData',
  id: 'A000000802-004',
  criticalityIndicator: false,
  data: { v: '1' },
  ...over,
});

describe('protocol/wire/message-extension: messageExtension validated (SPEC §15, Annex A.12)', () => {
  it('absent is fine; valid non-critical entries come back as they were sent', () => {
    expect(parseMessageExtension(ctx(), undefined)).to.equal(undefined);
    expect(parseMessageExtension(ctx(), null)).to.equal(undefined);
    const list = [ext(), ext({ id: 'A000000802-005', name: 'other', data: 'opaque' })];
    expect(parseMessageExtension(ctx(), list)).to.deep.equal(list);
  });

  it('an unrecognised critical extension is Erro 202 naming its id (all of them, comma-separated)', () => {
    const e = expectThrow(
      () =>
        parseMessageExtension(ctx(), [
          ext({ id: 'ID1', criticalityIndicator: true }),
          ext(),
          ext({ id: 'ID3', criticalityIndicator: true }),
        ]),
      AppError,
    );
    expect(e.kind).to.equal('CRITICAL_EXTENSION_NOT_RECOGNISED');
    expect(e.spec).to.include({ emvCode: '202', status: 400 });
    expect(e.detail).to.equal('ID1,ID3');
    expect(errorEnvelope(e).errorDetails).to.include({ errorCode: '202', errorMessageType: 'AReq', threeDSServerTransID: ID });
  });

  it('each entry needs name, id, criticalityIndicator and data (201), of the right kind (203)', () => {
    for (const key of ['name', 'id', 'criticalityIndicator', 'data']) {
      const e = expectThrow(() => parseMessageExtension(ctx(), [ext(), ext({ [key]: undefined })]), AppError);
      expect([e.spec.emvCode, e.detail], key).to.deep.equal(['201', `messageExtension[1].${key}: is required`]);
    }
    const cases: [unknown, string][] = [
      [[ext({ criticalityIndicator: 'true' })], 'messageExtension[0].criticalityIndicator'],
      [[ext({ id: 'x'.repeat(65) })], 'messageExtension[0].id'],
      [[ext({ name: 7 })], 'messageExtension[0].name'],
      [[ext({ data: 42 })], 'messageExtension[0].data'],
      [[ext({ data: { big: 'x'.repeat(8100) } })], 'messageExtension[0].data'],
      [['not an object'], 'messageExtension[0]'],
      [{ name: 'not a list' }, 'messageExtension'],
      [[], 'messageExtension'],
      [Array.from({ length: 16 }, () => ext()), 'messageExtension'],
    ];
    for (const [v, name] of cases) {
      const e = expectThrow(() => parseMessageExtension(ctx(), v), AppError);
      expect(e.spec.emvCode, name).to.equal('203');
      expect(e.detail.startsWith(`${name}:`), e.detail).to.equal(true);
    }
  });

  describe('M3DS-SCENARIO, the extension that selects a test scenario (SPEC §4)', () => {
    const scenario = (data: unknown, over: Record<string, unknown> = {}) =>
      ext({ name: 'Mock3DSScenario', id: SCENARIO_EXTENSION_ID, data, ...over });

    it('is recognised: critical or not, it is no Erro 202, and it comes back as sent', () => {
      for (const criticalityIndicator of [false, true]) {
        const list = [ext(), scenario({ scenario: 'challenge-otp' }, { criticalityIndicator })];
        const parsed = parseMessageExtension(ctx(), list);
        expect(parsed).to.deep.equal(list);
        expect(scenarioExtension(ctx(), parsed)).to.deep.equal({ value: 'challenge-otp', field: 'messageExtension[1].data.scenario' });
      }
      // Another critical extension next to it is still refused.
      const e = expectThrow(
        () =>
          parseMessageExtension(ctx(), [
            scenario({ scenario: '4001' }, { criticalityIndicator: true }),
            ext({ id: 'X', criticalityIndicator: true }),
          ]),
        AppError,
      );
      expect(e.detail).to.equal('X');
    });

    it('no entry: no selector; a bad entry: 201 or 203 naming the element', () => {
      expect(scenarioExtension(ctx(), undefined)).to.equal(undefined);
      expect(scenarioExtension(ctx(), [ext()])).to.equal(undefined);
      const cases: [unknown[], string, string][] = [
        [[scenario({})], '201', 'messageExtension[0].data.scenario'],
        [[scenario({ scenario: '' })], '201', 'messageExtension[0].data.scenario'],
        [[scenario({ scenario: 4001 })], '203', 'messageExtension[0].data.scenario'],
        [[scenario({ scenario: 'x'.repeat(65) })], '203', 'messageExtension[0].data.scenario'],
        [[scenario('4001')], '203', 'messageExtension[0].data'],
        [[scenario(['4001'])], '203', 'messageExtension[0].data'],
        [[scenario({ scenario: '4001' }), scenario({ scenario: '4002' })], '203', 'messageExtension[1].id'],
      ];
      for (const [list, code, field] of cases) {
        const parsed = parseMessageExtension(ctx(), list);
        const e = expectThrow(() => scenarioExtension(ctx(), parsed), AppError);
        expect(e.spec.emvCode, JSON.stringify(list)).to.equal(code);
        expect(e.detail.startsWith(`${field}:`), e.detail).to.equal(true);
      }
    });
  });
});
