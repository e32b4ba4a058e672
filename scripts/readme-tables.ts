// README's generated tables: configuration (from the convict schema), errors (from the registry),
// metrics (from the declarations) and the version mapping (from the version rules). `npm run docs`
// rewrites them; test/docs.test.ts fails when stale.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../src/config/schema.js';
import { ERRORS } from '../src/errors.js';
import { METRIC_DECLS } from '../src/metrics.js';
import { ELEMENT_VERSIONS, type MappedElement, mapValue, PROFILES, VALUE_RULES } from '../src/protocol/rules/version-values.js';

export const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../README.md');

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The schema flattened to one row per key, secrets' defaults hidden and long defaults pointed to. */
function schemaRows(): { key: string; env: string; default: string; doc: string }[] {
  const rows: { key: string; env: string; default: string; doc: string }[] = [];
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(node)) {
      const key = prefix ? `${prefix}.${k}` : k;
      const leaf = v as { doc?: string; env?: string; default?: unknown; sensitive?: boolean };
      if (typeof leaf.doc === 'string') {
        const d = leaf.default;
        const shown = Array.isArray(d) && d.length > 3 ? `(${d.length} entries, see config/default.json)` : JSON.stringify(d);
        const objShown = d && typeof d === 'object' && !Array.isArray(d) ? '(see config/default.json)' : shown;
        rows.push({ key, env: leaf.env ?? '', default: leaf.sensitive && d ? '(secret)' : objShown, doc: leaf.doc });
      } else walk(v as Record<string, unknown>, key);
    }
  };
  walk(configSchema, '');
  return rows;
}

export function configTable(): string {
  const rows = schemaRows().map(
    (r) =>
      `| \`${r.key}\` | ${r.env ? `\`${r.env}\`` : ''} | ${cell(r.default === undefined ? '' : `\`${r.default}\``)} | ${cell(r.doc)} |`,
  );
  return ['| key | environment | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

export function errorTable(): string {
  const rows = Object.entries(ERRORS).map(([name, e]) => `| \`${name}\` | ${e.status} | ${e.emvCode} | ${cell(e.description)} |`);
  return ['| error | HTTP | EMVCo code | description |', '|---|---|---|---|', ...rows].join('\n');
}

export function metricsTable(): string {
  const rows = METRIC_DECLS.map(
    (m) =>
      `| \`${m.name}\` | ${m.type} | ${m.labels.map((l) => `\`${l}\``).join(', ')} | ${'primary' in m && m.primary ? 'primary' : 'workers'} | ${cell(m.help)} |`,
  );
  return ['| series | type | labels | from | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** What a message of each version carries for the values not every version defines (SPEC §15). */
export function versionTable(): string {
  const rows: string[] = [];
  for (const [element, rules] of Object.entries(VALUE_RULES) as [MappedElement, (typeof VALUE_RULES)[MappedElement]][]) {
    const has = ELEMENT_VERSIONS[element] ?? PROFILES;
    for (const r of rules) {
      const cells = PROFILES.map((p) => {
        if (!has.includes(p)) return '(no such element)';
        const got = mapValue(element, r.value, p);
        return got === r.value ? `\`${got}\`` : `**\`${got}\`**`;
      });
      rows.push(`| \`${element}\` | \`${r.value}\` ${cell(r.meaning)} | ${r.since} | ${cells.join(' | ')} |`);
    }
  }
  return ['| element | value | defined from | 2.1.0 carries | 2.2.0 carries | 2.3.1 carries |', '|---|---|---|---|---|---|', ...rows].join(
    '\n',
  );
}

export const SECTIONS: Record<string, () => string> = {
  config: configTable,
  errors: errorTable,
  metrics: metricsTable,
  versions: versionTable,
};

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
