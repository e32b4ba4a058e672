// Runtime overrides layered on the configured scenario table (SPEC §17): an override by full PAN beats
// one by last 4, and either beats every configured entry (full PAN, last 4, default); without overrides
// the configured table answers; the record names the override that decided.
import { expect } from 'chai';
import { OverridesView } from '../../../src/store/overrides/overrides-view.js';
import type { OverrideEntry } from '../../../src/types.js';
import { browserAReq, harness, testConfig } from '../helpers.js';

const entry = (key: string, scenario: OverrideEntry['scenario']): OverrideEntry => ({ key, scenario, setBy: 't', setAt: 0 });

function withOverrides() {
  const view = new OverridesView();
  const config = testConfig((c) => {
    // A configured full-PAN entry: an override by last 4 still comes first.
    c.protocol.scenarios = { ...c.protocol.scenarios, '4000400040004003': { transStatus: 'A' } };
  });
  const h = harness({ config, extra: { overrides: view.lookup } });
  let seq = 0;
  const set = (...entries: OverrideEntry[]) => view.apply({ seq: ++seq, version: seq, entries });
  const status = async (pan: string) => {
    const body = browserAReq(pan);
    const r = await h.protocol.authenticate(body, h.ctx).catch((e: unknown) => e);
    const rec = await h.protocol.load(body.threeDSServerTransID);
    return { status: rec?.auth?.transStatus, scenario: rec?.scenarioKey, answer: r };
  };
  return { set, status };
}

describe('protocol/rules/scenario-overrides', () => {
  it('without overrides, the configured table decides', async () => {
    const { status } = withOverrides();
    expect(await status('4000400040004002')).to.deep.include({ status: 'N', scenario: '4002' });
    expect(await status('4000400040004003')).to.deep.include({ status: 'A', scenario: '400040…4003' });
  });

  it('an override by last 4 beats the configured last 4, full PAN and default', async () => {
    const { set, status } = withOverrides();
    set(
      entry('4002', { transStatus: 'Y' }),
      entry('4003', { transStatus: 'R', reason: '11' }),
      entry('9999', { transStatus: 'U', reason: '22' }),
    );
    expect(await status('4000400040004002')).to.deep.include({ status: 'Y', scenario: 'override:4002' });
    expect(await status('4000400040004003')).to.deep.include({ status: 'R', scenario: 'override:4003' });
    expect(await status('4000400040009999')).to.deep.include({ status: 'U', scenario: 'override:9999' });
    expect(await status('4000400040004000')).to.deep.include({ status: 'Y', scenario: '4000' });
  });

  it('an override by full PAN beats one by last 4 for that card only', async () => {
    const { set, status } = withOverrides();
    set(entry('4001', { transStatus: 'N', reason: '01' }), entry('4000400040004001', { transStatus: 'Y' }));
    expect(await status('4000400040004001')).to.deep.include({ status: 'Y', scenario: 'override:400040…4001' });
    expect(await status('4111111111114001')).to.deep.include({ status: 'N', scenario: 'override:4001' });
  });

  it('takes effect for the next transaction and is gone once removed', async () => {
    const { set, status } = withOverrides();
    expect((await status('4000400040004001')).status).to.equal('C');
    set(entry('4001', { transStatus: 'Y' }));
    expect((await status('4000400040004001')).status).to.equal('Y');
    set();
    expect((await status('4000400040004001')).status).to.equal('C');
  });
});
