// SPEC §13: the image's build and start steps, performed from the Dockerfile without an engine (a real
// npm build and server process; scripts/docker-check.ts).
import { expect } from 'chai';
import { dockerCheck } from '../../../scripts/docker-check.js';

describe('Dockerfile build and start (integration)', () => {
  it('builds and starts from its own steps; /health/ready and the HEALTHCHECK pass; SIGTERM exits 0', async function () {
    this.timeout(240_000);
    const r = await dockerCheck();
    expect(r.readyStatus, r.log.join('\n')).to.equal(200);
    expect(r.healthcheckExit).to.equal(0);
    expect(r.stopExit).to.equal(0);
    expect(r.finalHasDevDependencies).to.equal(false);
    expect(r.finalHasSources).to.equal(false);
    expect(r.user).to.equal('node');
  });
});
