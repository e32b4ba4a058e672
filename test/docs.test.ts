// README's generated tables must match the schema, the error registry and the metric declarations.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { README, render } from '../scripts/readme-tables.js';
import { ERRORS } from '../src/errors.js';
import { METRIC_DECLS } from '../src/metrics.js';

describe('README generated tables', () => {
  const readme = readFileSync(README, 'utf8');

  it('are up to date (run `npm run docs` after changing config, errors or metrics)', () => {
    expect(render(readme) === readme, 'README tables are stale: run npm run docs').to.equal(true);
  });

  it('list every error of the registry with its status and EMVCo code', () => {
    for (const [name, e] of Object.entries(ERRORS)) expect(readme).to.include(`| \`${name}\` | ${e.status} | ${e.emvCode} |`);
  });

  it('list every metric series', () => {
    for (const m of METRIC_DECLS) expect(readme).to.include(`| \`${m.name}\` |`);
  });

  it('show the two commands', () => {
    expect(readme).to.include('npm ci && npm start');
    expect(readme).to.include('npm test');
  });
});
