// README's generated tables: configuration (from the convict schema), errors (from the registry) and
// metrics (from the declarations). `npm run docs` rewrites them; test/docs.test.ts fails when stale.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { schemaRows } from '../src/config.js';
import { ERRORS } from '../src/errors.js';
import { METRIC_DECLS } from '../src/metrics.js';

export const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../README.md');

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function configTable(): string {
  const rows = schemaRows().map((r) => `| \`${r.key}\` | ${r.env ? `\`${r.env}\`` : ''} | ${cell(r.default === undefined ? '' : `\`${r.default}\``)} | ${cell(r.doc)} |`);
  return ['| key | environment | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

export function errorTable(): string {
  const rows = Object.entries(ERRORS).map(([name, e]) => `| \`${name}\` | ${e.status} | ${e.emvCode} | ${cell(e.description)} |`);
  return ['| error | HTTP | EMVCo code | description |', '|---|---|---|---|', ...rows].join('\n');
}

export function metricsTable(): string {
  const rows = METRIC_DECLS.map(
    (m) => `| \`${m.name}\` | ${m.type} | ${m.labels.map((l) => `\`${l}\``).join(', ')} | ${'primary' in m && m.primary ? 'primary' : 'workers'} | ${cell(m.help)} |`,
  );
  return ['| series | type | labels | from | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}

export const SECTIONS: Record<string, () => string> = { config: configTable, errors: errorTable, metrics: metricsTable };

export function render(readme: string): string {
  let out = readme;
  for (const [name, fn] of Object.entries(SECTIONS)) {
    const re = new RegExp(`(<!-- generated:${name} -->)[\\s\\S]*?(<!-- /generated:${name} -->)`);
    if (!re.test(out)) throw new Error(`README has no generated:${name} section`);
    out = out.replace(re, (_m, a: string, b: string) => `${a}\n${fn()}\n${b}`);
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const before = readFileSync(README, 'utf8');
  const after = render(before);
  writeFileSync(README, after);
  process.stdout.write(before === after ? 'README tables already up to date\n' : 'README tables regenerated\n');
}
