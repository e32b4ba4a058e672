// SPEC §13: the Dockerfile's stages and runtime settings. Performing its build and start steps is in
// test/integration/scripts/docker-check.test.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { parseDockerfile } from '../../scripts/docker-check.js';
import { ROOT } from '../helpers/server.js';

describe('Dockerfile', () => {
  const stages = parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));

  it('is multi-stage: a build stage that compiles and a runtime stage with production dependencies only', () => {
    expect(stages.map((s) => s.name)).to.deep.equal(['build', 'runtime']);
    const build = stages[0]?.steps.map((s) => `${s.op} ${s.args}`).join('\n');
    const runtime = stages[1]?.steps.map((s) => `${s.op} ${s.args}`).join('\n');
    expect(build).to.match(/RUN npm run build/);
    expect(runtime).to.match(/npm ci --omit=dev/);
    expect(runtime).to.match(/COPY --from=build \/app\/dist/);
  });

  it('runs as a non-root user under tini, with a HEALTHCHECK that needs no curl', () => {
    const runtime = stages[1]?.steps ?? [];
    const user = runtime.filter((s) => s.op === 'USER').pop();
    expect(user?.args).to.equal('node');
    expect(runtime.find((s) => s.op === 'ENTRYPOINT')?.args).to.match(/tini/);
    const hc = runtime.find((s) => s.op === 'HEALTHCHECK')?.args ?? '';
    expect(hc).to.match(/CMD \["node"/);
    expect(hc).to.not.match(/curl|wget/);
  });
});
