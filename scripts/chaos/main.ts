// `npm run chaos` (SPEC §20): fault scenarios against the built server as real processes, each under a
// flow load of every test card and within a time bound (scenarios.ts). Prints a table — requests,
// failures by kind, 5xx, acknowledged records read back and lost, pushes expected and received, time to
// recover, p99 while the fault lasts, the verdict against the target — and writes the same figures as
// JSON under chaos-results/ (git-ignored). Builds dist/ first when it is missing. Options are parsed
// strictly; `--help` prints them with every scenario and runs nothing; anything unknown exits 2.
// Exit code: 0 when every scenario met its target (or is pending a part of the product not yet built),
// 1 otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { redisServerAvailable } from '../../test/helpers/redis.js';
import { fmt, kinds, ROOT } from './common.js';
import { killAllServers } from './processes.js';
import { type ChaosContext, type Row, SCENARIOS, type Verdict } from './scenarios.js';

/** A scenario that has not finished after this long is stopped and reported as an error. */
const SCENARIO_LIMIT_S = 900;

const OPTIONS = {
  only: { type: 'string', default: '.', arg: 'REGEX', doc: 'only scenarios whose name matches (default: all)' },
  seconds: {
    type: 'string',
    default: '10',
    arg: 'S',
    doc: 'seconds of load per scenario (the Redis outage lasts 10 s regardless; the fuzzer runs its requests, the store stream its 1,000,000 transactions)',
  },
  'fuzz-requests': { type: 'string', default: '100000', arg: 'N', doc: 'requests of the fuzzing scenario' },
  seed: { type: 'string', default: '1', arg: 'N', doc: 'seed of the fuzzer (the same seed sends the same requests)' },
  help: { type: 'boolean', short: 'h', default: false, arg: '', doc: 'print this help and run nothing' },
} as const;

type Name = keyof typeof OPTIONS;

export function usage(): string {
  const flag = (name: string, o: { short?: string; arg: string }) =>
    `${'short' in o && o.short ? `-${o.short}, ` : ''}--${name}${o.arg ? ` ${o.arg}` : ''}`;
  const width = Math.max(...Object.entries(OPTIONS).map(([n, o]) => flag(n, o).length));
  return [
    'Usage: npm run chaos -- [options]',
    '       node --import tsx scripts/chaos/main.ts [options]',
    '',
    'Options:',
    ...Object.entries(OPTIONS).map(
      ([n, o]) => `  ${flag(n, o).padEnd(width)}  ${o.doc}${o.type === 'string' && n !== 'only' ? ` (default ${o.default})` : ''}`,
    ),
    '',
    'Scenarios (each under a browser-flow load of every test card, on real processes):',
    ...SCENARIOS.map((s) => `  ${s.name}${s.needs.length ? `  [needs ${s.needs.join(', ')}]` : ''}`),
    '',
    "Writes chaos-results/chaos-<date>.json (and the fuzzer's reproductions, if any). Exit 1 when a target is missed.",
    '',
  ].join('\n');
}

export class UsageError extends Error {}

export interface ChaosOptions {
  only: RegExp;
  seconds: number;
  fuzzRequests: number;
  seed: number;
}

export function parseOptions(argv: string[]): ChaosOptions | 'help' {
  const config = Object.fromEntries(
    Object.entries(OPTIONS).map(([n, o]) => [n, { type: o.type, ...('short' in o && { short: o.short }) }]),
  ) as Record<Name, { type: 'string' | 'boolean'; short?: string }>;
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options: config, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help === true) return 'help';
  const str = (n: Exclude<Name, 'help'>) => (typeof values[n] === 'string' ? (values[n] as string) : OPTIONS[n].default);
  const num = (n: 'seconds' | 'fuzz-requests' | 'seed', integer: boolean, min: number) => {
    const v = Number(str(n));
    if (str(n).trim() === '' || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
      throw new UsageError(`--${n} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, not '${str(n)}'`);
    }
    return v;
  };
  let only: RegExp;
  try {
    only = new RegExp(str('only'));
  } catch (err) {
    throw new UsageError(`--only: ${(err as Error).message}`);
  }
  if (!SCENARIOS.some((s) => only.test(s.name))) throw new UsageError(`--only ${str('only')} matches no scenario`);
  return { only, seconds: num('seconds', false, 1), fuzzRequests: num('fuzz-requests', true, 1), seed: num('seed', true, 0) };
}

function table(rows: Row[]): string {
  const lines = [
    '| scenario | requests | failures by kind | 5xx | acknowledged: read back / lost | pushes: received / expected | time to recover | p99 during the fault | target | result |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const acked =
      r.acked === undefined
        ? '—'
        : `${r.acked.toLocaleString('en-US')}: ${r.readBack?.toLocaleString('en-US')} / ${r.lost?.toLocaleString('en-US')}`;
    const pushes = r.pushes ? `${r.pushes.received} / ${r.pushes.expected}` : '—';
    const recover = r.recoverMs === undefined ? '—' : `${fmt(r.recoverMs)} ms`;
    const p99 = r.p99FaultMs === undefined ? '—' : `${fmt(r.p99FaultMs)} ms`;
    lines.push(
      `| ${r.scenario} | ${r.requests.toLocaleString('en-US')} | ${kinds(r.failures)} | ${r.fiveXX.toLocaleString('en-US')} | ${acked} | ${pushes} | ${recover} | ${p99} | ${r.target} | ${r.verdict} |`,
    );
  }
  return lines.join('\n');
}

function details(rows: Row[]): string {
  return rows
    .map((r) =>
      [
        `${r.scenario}: ${r.verdict}${r.recovered ? ` (recovered = ${r.recovered})` : ''}`,
        ...r.checks.map((c) => `  ${c.ok ? '✓' : '✗'} ${c.what}`),
        ...r.notes.map((n) => `  · ${n}`),
      ].join('\n'),
    )
    .join('\n');
}

/** The row of a scenario that did not run (SKIPPED) or did not finish (ERROR), with why. */
function emptyRow(scenario: string, verdict: Verdict, note: string): Row {
  return { scenario, requests: 0, failures: {}, fiveXX: 0, target: '—', verdict, checks: [], notes: [note] };
}

async function main(): Promise<void> {
  let opts: ChaosOptions | 'help';
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`chaos: ${err.message}\n\n${usage()}`);
    process.exit(2);
  }
  if (opts === 'help') {
    process.stdout.write(usage());
    return;
  }
  if (!existsSync(path.join(ROOT, 'dist/main.js'))) {
    process.stderr.write('dist/main.js is missing: npm run build …\n');
    const b = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) process.exit(1);
  }
  const outDir = path.join(ROOT, 'chaos-results');
  mkdirSync(outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const chosen = opts.only;
  const selected = SCENARIOS.filter((s) => chosen.test(s.name));
  const ctx: ChaosContext = {
    seconds: opts.seconds,
    seed: opts.seed,
    fuzzRequests: opts.fuzzRequests,
    outDir,
    stamp,
    log: (l) => process.stderr.write(`${l}\n`),
  };
  // Servers run in process groups of their own: an interrupted run must not leave them behind.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      killAllServers();
      process.stderr.write(`\nchaos: ${sig}; stopped every server it had started\n`);
      process.exit(130);
    });
  }
  const rows: Row[] = [];
  const started = Date.now();
  for (const [i, s] of selected.entries()) {
    const t0 = Date.now();
    process.stderr.write(`[${i + 1}/${selected.length}] ${s.name} …\n`);
    const missing = s.needs.filter((n) => n === 'redis-server' && !redisServerAvailable());
    let row: Row;
    if (missing.length > 0) {
      row = emptyRow(s.name, 'SKIPPED', `needs ${missing.join(', ')} (apt-get install -y redis-server)`);
    } else {
      try {
        let timer: NodeJS.Timeout | undefined;
        const limit = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`did not finish within ${SCENARIO_LIMIT_S} s`)), SCENARIO_LIMIT_S * 1000);
        });
        row = await Promise.race([s.run(ctx), limit]).finally(() => clearTimeout(timer));
      } catch (err) {
        row = emptyRow(s.name, 'ERROR', (err as Error).stack ?? String(err));
      }
    }
    rows.push(row);
    killAllServers();
    process.stderr.write(
      `  ${row.verdict} in ${Math.round((Date.now() - t0) / 1000)} s${row.checks
        .filter((c) => !c.ok)
        .map((c) => `; ✗ ${c.what}`)
        .join('')}\n`,
    );
  }
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const took = Math.round((Date.now() - started) / 1000);
  process.stdout.write(
    `\n${machine}; ${new Date().toISOString().slice(0, 10)}; --seconds ${opts.seconds}, --fuzz-requests ${opts.fuzzRequests}, --seed ${opts.seed}; took ${took} s\n\n${table(rows)}\n\n${details(rows)}\n`,
  );
  const file = path.join(outDir, `chaos-${stamp}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      { machine, date: new Date().toISOString(), options: { ...opts, only: opts.only.source }, tookSeconds: took, rows },
      null,
      2,
    ),
  );
  process.stdout.write(`\nwritten: ${path.relative(ROOT, file)}\n`);
  if (rows.some((r) => r.verdict === 'FAIL' || r.verdict === 'ERROR')) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.join(ROOT, 'scripts/chaos/main.ts')) {
  main().catch((err: Error) => {
    process.stderr.write(`\nchaos failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
