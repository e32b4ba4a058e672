// `npm run bench`: every scenario of scripts/bench/, interleaved over rounds (A B A B …), median per
// scenario, ratios against the baselines of the same run. Prints a table, writes JSON and an SVG chart
// under bench-results/. Options are parsed strictly (`--help` lists them with every group and scenario,
// from GROUPS and OPTIONS below); anything unknown or invalid exits 2 with the usage before anything runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BenchGroup, type Measurement, median, type Scenario, type ScenarioGroup } from './bench/harness.js';
import { APP_GROUP } from './bench/scenarios-app.js';
import { HTTP_GROUP } from './bench/scenarios-http.js';
import { STORE_GROUP } from './bench/scenarios-store.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Every group `--group` can name, in the order `all` runs them. */
const GROUPS: readonly BenchGroup[] = [HTTP_GROUP, STORE_GROUP, APP_GROUP];

/** Every option: parseArgs config plus what --help says about it. */
const OPTIONS = {
  group: { type: 'string', default: 'all', arg: 'NAME', doc: `all, or one of: ${GROUPS.map((g) => g.name).join(', ')}` },
  rounds: { type: 'string', default: '3', arg: 'N', doc: 'rounds; every scenario runs once per round, interleaved' },
  seconds: { type: 'string', default: '5', arg: 'S', doc: 'seconds per scenario and round' },
  only: { type: 'string', default: '.', arg: 'REGEX', doc: 'only scenarios whose name matches, and the baselines they compare with (default: all)' },
  help: { type: 'boolean', short: 'h', default: false, arg: '', doc: 'print this help and run nothing' },
} as const;

function usage(): string {
  const flag = (name: string, o: { short?: string; arg: string }) => `${'short' in o && o.short ? `-${o.short}, ` : ''}--${name}${o.arg ? ` ${o.arg}` : ''}`;
  const width = Math.max(...Object.entries(OPTIONS).map(([n, o]) => flag(n, o).length));
  const options = Object.entries(OPTIONS).map(
    ([n, o]) => `  ${flag(n, o).padEnd(width)}  ${o.doc}${o.type === 'string' && n !== 'only' ? ` (default ${o.default})` : ''}`,
  );
  const groups = GROUPS.flatMap((g) => [
    `  ${g.name}: ${g.description}; needs ${g.needs.join(', ')}`,
    ...g.scenarioNames().map((n) => `    ${n}`),
  ]);
  return [
    'Usage: npm run bench -- [options]',
    '       node --import tsx scripts/bench.ts [options]   (after npm run build)',
    '',
    'Options:',
    ...options,
    '',
    'Groups and their scenarios:',
    ...groups,
    '',
  ].join('\n');
}

interface BenchOptions {
  groups: BenchGroup[];
  rounds: number;
  seconds: number;
  only: RegExp;
}

class UsageError extends Error {}

/** Strict parsing: unknown options, positional arguments and invalid values are usage errors. */
function parseOptions(argv: string[]): BenchOptions | 'help' {
  const config = Object.fromEntries(
    Object.entries(OPTIONS).map(([n, o]) => [n, { type: o.type, ...('short' in o && { short: o.short }) }]),
  ) as Record<keyof typeof OPTIONS, { type: 'string' | 'boolean'; short?: string }>;
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options: config, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help === true) return 'help';
  const str = (n: Exclude<keyof typeof OPTIONS, 'help'>) => (typeof values[n] === 'string' ? (values[n] as string) : OPTIONS[n].default);
  const positive = (n: 'rounds' | 'seconds', integer: boolean) => {
    const v = Number(str(n));
    if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) throw new UsageError(`--${n} must be a positive ${integer ? 'integer' : 'number'}, not '${str(n)}'`);
    return v;
  };
  const groupName = str('group');
  const groups = groupName === 'all' ? [...GROUPS] : GROUPS.filter((g) => g.name === groupName);
  if (groups.length === 0) throw new UsageError(`--group must be all or one of ${GROUPS.map((g) => g.name).join(', ')}, not '${groupName}'`);
  let only: RegExp;
  try {
    only = new RegExp(str('only'));
  } catch (err) {
    throw new UsageError(`--only: ${(err as Error).message}`);
  }
  if (!groups.some((g) => g.scenarioNames().some((n) => only.test(n)))) {
    throw new UsageError(`--only ${str('only')} matches no scenario of --group ${groupName}`);
  }
  return { groups, rounds: positive('rounds', true), seconds: positive('seconds', false), only };
}

interface Row {
  scenario: string;
  rps: number;
  p50ms: number;
  p99ms: number;
  cpuUsPerReq: number;
  errors: number;
  loopP99ms?: number;
  ratios: Record<string, number>;
  rounds: Measurement[];
}

function svg(rows: Row[]): string {
  const w = 760;
  const barH = 22;
  const max = Math.max(...rows.map((r) => r.rps), 1);
  const bars = rows
    .map((r, i) => {
      const y = 30 + i * (barH + 8);
      const len = Math.round((r.rps / max) * (w - 330));
      return `<text x="4" y="${y + 15}" font-size="12">${r.scenario.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text><rect x="300" y="${y}" width="${len}" height="${barH}" fill="#3b6ea8"/><text x="${305 + len}" y="${y + 15}" font-size="12">${Math.round(r.rps)}/s</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${40 + rows.length * (barH + 8)}" font-family="sans-serif"><text x="4" y="18" font-size="14">Mock 3DS Server benchmark (median req/s or flows/s)</text>${bars}</svg>\n`;
}

async function main(): Promise<void> {
  let opts: BenchOptions | 'help';
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`bench: ${err.message}\n\n${usage()}`);
    process.exit(2);
  }
  if (opts === 'help') {
    process.stdout.write(usage());
    return;
  }
  const { rounds, seconds, only } = opts;
  const parts: ScenarioGroup[] = [];
  const results = new Map<string, Measurement[]>();
  let scenarios: Scenario[] = [];
  try {
    for (const g of opts.groups) {
      // Only groups with a selected scenario are started: --only spares the servers of the others.
      if (!g.scenarioNames().some((n) => only.test(n))) continue;
      const started = await g.start(ROOT);
      parts.push(started);
      if (started.scenarios.map((s) => s.name).join('\n') !== g.scenarioNames().join('\n')) {
        throw new Error(`group ${g.name}: its scenarios differ from its scenarioNames() (fix scripts/bench/)`);
      }
    }
    const all = parts.flatMap((p) => p.scenarios);
    scenarios = all.filter((s) => only.test(s.name) || all.some((o) => only.test(o.name) && o.baseline?.includes(s.name)));
    for (let r = 1; r <= rounds; r++) {
      for (const s of scenarios) {
        process.stderr.write(`round ${r}/${rounds}: ${s.name} …`);
        const m = await s.run(seconds);
        process.stderr.write(` ${Math.round(m.rps)}/s p99 ${m.p99ms.toFixed(2)} ms\n`);
        if (!results.has(s.name)) results.set(s.name, []);
        results.get(s.name)?.push(m);
      }
    }
  } finally {
    for (const p of parts) await p.close();
  }
  const rows: Row[] = scenarios.map((s) => {
    const ms = results.get(s.name) ?? [];
    return {
      scenario: s.name,
      rps: median(ms.map((m) => m.rps)),
      p50ms: median(ms.map((m) => m.p50ms)),
      p99ms: median(ms.map((m) => m.p99ms)),
      cpuUsPerReq: median(ms.map((m) => m.cpuUsPerReq)),
      errors: ms.reduce((a, m) => a + m.errors, 0),
      loopP99ms: ms.some((m) => m.extra?.eventLoopDelayP99ms !== undefined) ? median(ms.map((m) => m.extra?.eventLoopDelayP99ms ?? 0)) : undefined,
      ratios: {},
      rounds: ms,
    };
  });
  for (const s of scenarios) {
    const row = rows.find((r) => r.scenario === s.name) as Row;
    for (const b of s.baseline ?? []) {
      const base = rows.find((r) => r.scenario === b);
      if (base && base.rps > 0) row.ratios[b] = row.rps / base.rps;
    }
  }
  const lines = [
    `| scenario | req/s | p50 ms | p99 ms | CPU µs/req | loop p99 ms | errors | ratio |`,
    `|---|---|---|---|---|---|---|---|`,
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${Math.round(r.rps)} | ${r.p50ms.toFixed(2)} | ${r.p99ms.toFixed(2)} | ${Math.round(r.cpuUsPerReq)} | ${r.loopP99ms === undefined ? '—' : r.loopP99ms.toFixed(1)} | ${r.errors} | ${
          Object.entries(r.ratios)
            .map(([b, v]) => `${v.toFixed(2)}× ${b}`)
            .join('; ') || '—'
        } |`,
    ),
  ];
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  process.stdout.write(`\n${machine}; ${rounds} rounds × ${seconds} s, interleaved, medians\n\n${lines.join('\n')}\n`);
  const dir = path.join(ROOT, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(path.join(dir, `bench-${stamp}.json`), JSON.stringify({ machine, rounds, seconds, date: new Date().toISOString(), rows }, null, 2));
  writeFileSync(path.join(dir, `bench-${stamp}.svg`), svg(rows));
  process.stdout.write(`\nwritten: bench-results/bench-${stamp}.json and .svg\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
