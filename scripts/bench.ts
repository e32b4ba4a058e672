// `npm run bench`: every scenario of scripts/bench/, a short unrecorded warm-up each, then interleaved
// over rounds (A B A B …) with a progress line, median per scenario, ratios against the baselines of the
// same run. A scenario that sees an answer it does not expect fails the run (exit 1): nothing unexpected
// is ever counted. Prints a table (and per-step latency of the flows), writes JSON and an SVG chart
// under bench-results/. Options are parsed strictly (`--help` lists them with every group and scenario,
// from GROUPS and OPTIONS below); anything unknown or invalid exits 2 with the usage before anything runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type BaselineRef,
  type BenchGroup,
  type Measurement,
  median,
  type Scenario,
  type ScenarioGroup,
  type StepFigures,
} from './bench/harness.js';
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
  warmup: { type: 'string', default: '1', arg: 'S', doc: 'seconds of unrecorded load per scenario before round 1 (0: none)' },
  only: {
    type: 'string',
    default: '.',
    arg: 'REGEX',
    doc: 'only scenarios whose name matches, and the baselines they compare with (default: all)',
  },
  help: { type: 'boolean', short: 'h', default: false, arg: '', doc: 'print this help and run nothing' },
} as const;

function usage(): string {
  const flag = (name: string, o: { short?: string; arg: string }) =>
    `${'short' in o && o.short ? `-${o.short}, ` : ''}--${name}${o.arg ? ` ${o.arg}` : ''}`;
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
  warmup: number;
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
  const positive = (n: 'rounds' | 'seconds' | 'warmup', integer: boolean, zero = false) => {
    const v = Number(str(n));
    if (str(n).trim() === '' || !Number.isFinite(v) || v < 0 || (v === 0 && !zero) || (integer && !Number.isInteger(v))) {
      throw new UsageError(`--${n} must be a ${zero ? 'non-negative' : 'positive'} ${integer ? 'integer' : 'number'}, not '${str(n)}'`);
    }
    return v;
  };
  const groupName = str('group');
  const groups = groupName === 'all' ? [...GROUPS] : GROUPS.filter((g) => g.name === groupName);
  if (groups.length === 0)
    throw new UsageError(`--group must be all or one of ${GROUPS.map((g) => g.name).join(', ')}, not '${groupName}'`);
  let only: RegExp;
  try {
    only = new RegExp(str('only'));
  } catch (err) {
    throw new UsageError(`--only: ${(err as Error).message}`);
  }
  if (!groups.some((g) => g.scenarioNames().some((n) => only.test(n)))) {
    throw new UsageError(`--only ${str('only')} matches no scenario of --group ${groupName}`);
  }
  return { groups, rounds: positive('rounds', true), seconds: positive('seconds', false), warmup: positive('warmup', false, true), only };
}

interface Row {
  scenario: string;
  unit: NonNullable<Scenario['unit']>;
  rps: number;
  p50ms: number;
  p99ms: number;
  cpuUsPerReq: number;
  /** Median share of the server tree's CPU spent in the primary (the embedded store's host). */
  primaryCpuShare?: number;
  loopP99ms?: number;
  driverCpuUsPerFlow?: number;
  /** Per-step medians of a flow. */
  steps?: Record<string, { p50ms: number; p99ms: number }>;
  ratios: Record<string, number>;
  rounds: Measurement[];
}

const refOf = (b: string | BaselineRef): BaselineRef => (typeof b === 'string' ? { name: b } : b);
const ratioLabel = (b: BaselineRef, short: string) => (b.divisor && b.divisor !== 1 ? `(${short} ÷ ${b.divisor})` : short);

function svg(rows: Row[]): string {
  const w = 900;
  const barH = 22;
  const max = Math.max(...rows.map((r) => r.rps), 1);
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const bars = rows
    .map((r, i) => {
      const y = 30 + i * (barH + 8);
      const len = Math.max(1, Math.round((Math.log10(Math.max(r.rps, 1)) / Math.log10(max * 1.05)) * (w - 560)));
      return `<text x="4" y="${y + 15}" font-size="11">${esc(r.scenario)}</text><rect x="470" y="${y}" width="${len}" height="${barH}" fill="#3b6ea8"/><text x="${475 + len}" y="${y + 15}" font-size="11">${fmt(r.rps)} ${r.unit}/s</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${40 + rows.length * (barH + 8)}" font-family="sans-serif"><text x="4" y="18" font-size="14">Mock 3DS Server benchmark (medians; log scale)</text>${bars}</svg>\n`;
}

/** 12345.6 → "12,346"; 12.34 → "12.3"; 1.234 → "1.23". */
function fmt(x: number): string {
  if (!Number.isFinite(x)) return '—';
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString('en-US');
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function duration(s: number): string {
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`;
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
  const { rounds, seconds, warmup, only } = opts;
  const parts: ScenarioGroup[] = [];
  const results = new Map<string, Measurement[]>();
  let scenarios: Scenario[] = [];
  const started = Date.now();
  try {
    for (const g of opts.groups) {
      // Only groups with a selected scenario are started (and groups start their servers lazily).
      if (!g.scenarioNames().some((n) => only.test(n))) continue;
      const group = await g.start(ROOT);
      parts.push(group);
      if (group.scenarios.map((s) => s.name).join('\n') !== g.scenarioNames().join('\n')) {
        throw new Error(`group ${g.name}: its scenarios differ from its scenarioNames() (fix scripts/bench/)`);
      }
    }
    const all = parts.flatMap((p) => p.scenarios);
    scenarios = all.filter(
      (s) => only.test(s.name) || all.some((o) => only.test(o.name) && o.baseline?.some((b) => refOf(b).name === s.name)),
    );
    const run = async (s: Scenario, secs: number, label: string) => {
      try {
        return await s.run(secs);
      } catch (err) {
        throw new Error(`${label}: scenario "${s.name}" failed: ${(err as Error).message}`, { cause: err });
      }
    };
    if (warmup > 0) {
      for (const [i, s] of scenarios.entries()) {
        process.stderr.write(`warm-up [${i + 1}/${scenarios.length}] ${s.name} …\n`);
        await run(s, Math.max(warmup, s.minWarmup ?? 0), 'warm-up');
      }
    }
    const total = rounds * scenarios.length;
    const measuredStart = Date.now();
    let done = 0;
    for (let r = 1; r <= rounds; r++) {
      for (const s of scenarios) {
        const left = done === 0 ? total * seconds : ((Date.now() - measuredStart) / 1000 / done) * (total - done);
        process.stderr.write(`[${done + 1}/${total}] round ${r}/${rounds} (~${duration(left)} left): ${s.name} …`);
        const m = await run(s, seconds, `round ${r}`);
        done++;
        process.stderr.write(
          ` ${fmt(m.rps)} ${s.unit ?? 'req'}/s, p99 ${fmt(m.p99ms)} ms${m.primaryCpuShare !== undefined ? `, primary ${Math.round(m.primaryCpuShare * 100)}% of CPU` : ''}\n`,
        );
        if (!results.has(s.name)) results.set(s.name, []);
        results.get(s.name)?.push(m);
      }
    }
  } finally {
    for (const p of parts) await p.close();
  }
  const med = (ms: Measurement[], f: (m: Measurement) => number | undefined): number | undefined => {
    const xs = ms.map(f).filter((x): x is number => x !== undefined && Number.isFinite(x));
    return xs.length > 0 ? median(xs) : undefined;
  };
  const rows: Row[] = scenarios.map((s) => {
    const ms = results.get(s.name) ?? [];
    const stepNames = [...new Set(ms.flatMap((m) => Object.keys(m.steps ?? {})))];
    const steps = stepNames.length
      ? Object.fromEntries(
          stepNames.map((n) => {
            const of = (k: keyof StepFigures) => med(ms, (m) => m.steps?.[n]?.[k]) ?? 0;
            return [n, { p50ms: of('p50ms'), p99ms: of('p99ms') }];
          }),
        )
      : undefined;
    const primaryCpuShare = med(ms, (m) => m.primaryCpuShare);
    const loopP99ms = med(ms, (m) => m.extra?.eventLoopDelayP99ms);
    const driverCpuUsPerFlow = med(ms, (m) => m.extra?.driverCpuUsPerFlow);
    return {
      scenario: s.name,
      unit: s.unit ?? 'req',
      rps: med(ms, (m) => m.rps) ?? 0,
      p50ms: med(ms, (m) => m.p50ms) ?? 0,
      p99ms: med(ms, (m) => m.p99ms) ?? 0,
      cpuUsPerReq: med(ms, (m) => m.cpuUsPerReq) ?? 0,
      ...(primaryCpuShare !== undefined && { primaryCpuShare }),
      ...(loopP99ms !== undefined && { loopP99ms }),
      ...(driverCpuUsPerFlow !== undefined && { driverCpuUsPerFlow }),
      ...(steps && { steps }),
      ratios: {},
      rounds: ms,
    };
  });
  for (const s of scenarios) {
    const row = rows.find((r) => r.scenario === s.name) as Row;
    for (const b of (s.baseline ?? []).map(refOf)) {
      const base = rows.find((r) => r.scenario === b.name);
      const short = scenarios.find((o) => o.name === b.name)?.short ?? b.name;
      if (base && base.rps > 0) row.ratios[ratioLabel(b, short)] = row.rps / (base.rps / (b.divisor ?? 1));
    }
  }
  const lines = [
    '| scenario | rate | p50 ms | p99 ms | CPU µs/unit | primary CPU | loop p99 ms | ratio |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${fmt(r.rps)} ${r.unit}/s | ${r.p50ms ? fmt(r.p50ms) : '—'} | ${r.p99ms ? fmt(r.p99ms) : '—'} | ${r.cpuUsPerReq ? fmt(r.cpuUsPerReq) : '—'} | ${
          r.primaryCpuShare === undefined ? '—' : `${Math.round(r.primaryCpuShare * 100)}%`
        } | ${r.loopP99ms === undefined ? '—' : fmt(r.loopP99ms)} | ${
          Object.entries(r.ratios)
            .map(([b, v]) => `${fmt(v)}× ${b}`)
            .join('; ') || '—'
        } |`,
    ),
  ];
  const flows = rows.filter((r) => r.steps);
  if (flows.length > 0) {
    lines.push('', '| flow | step | p50 ms | p99 ms |', '|---|---|---|---|');
    for (const r of flows) {
      for (const [step, f] of Object.entries(r.steps ?? {})) lines.push(`| ${r.scenario} | ${step} | ${fmt(f.p50ms)} | ${fmt(f.p99ms)} |`);
      if (r.driverCpuUsPerFlow !== undefined)
        lines.push(`| ${r.scenario} | (flow driver CPU per flow: ${fmt(r.driverCpuUsPerFlow)} µs) | | |`);
    }
  }
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  process.stdout.write(
    `\n${machine}; ${rounds} round${rounds === 1 ? '' : 's'} × ${seconds} s (warm-up ${warmup} s), interleaved, medians; took ${duration((Date.now() - started) / 1000)}\n\n${lines.join('\n')}\n`,
  );
  const dir = path.join(ROOT, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(
    path.join(dir, `bench-${stamp}.json`),
    JSON.stringify({ machine, rounds, seconds, warmup, date: new Date().toISOString(), rows }, null, 2),
  );
  writeFileSync(path.join(dir, `bench-${stamp}.svg`), svg(rows));
  process.stdout.write(`\nwritten: bench-results/bench-${stamp}.json and .svg\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`\nbench failed: ${err.message}\n`);
  if (!(err.cause instanceof Error && err.cause.name === 'ScenarioFailure')) process.stderr.write(`${err.stack ?? ''}\n`);
  process.exit(1);
});
