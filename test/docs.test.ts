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

  it('list every scenario of config/default.json with its code and name in the card table (SPEC §4)', () => {
    const scenarios = JSON.parse(readFileSync(new URL('../config/default.json', import.meta.url), 'utf8')).protocol.scenarios as Record<
      string,
      { name: string }
    >;
    const rows = new Map<string, string>();
    for (const m of readme.matchAll(/^\| (\d{4}|any other) \| `([a-z0-9-]+)` \|/gm))
      rows.set(m[1] === 'any other' ? 'default' : (m[1] as string), m[2] as string);
    const expected = new Map(Object.entries(scenarios).map(([key, s]) => [key, s.name]));
    expect(Object.fromEntries(rows)).to.deep.equal(Object.fromEntries(expected));
  });

  it('show the two commands', () => {
    expect(readme).to.include('npm ci && npm start');
    expect(readme).to.include('npm test');
  });
});
