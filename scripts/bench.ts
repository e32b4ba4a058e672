// `npm run bench`: every scenario of scripts/bench/, interleaved over rounds (A B A B …), median per
// scenario, ratios against the baselines of the same run. Prints a table, writes JSON and an SVG chart
// under bench-results/. Options: --rounds N (default 3), --seconds S (default 5), --only REGEX,
// --group all|http|store|app.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Measurement, median, type Scenario } from './bench/harness.js';
import { httpScenarios, type ScenarioGroup } from './bench/scenarios-http.js';
import { storeScenarios } from './bench/scenarios-store.js';
import { appScenarios } from './bench/scenarios-app.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : (process.argv[i + 1] ?? fallback);
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
  const rounds = Number(arg('rounds', '3'));
  const seconds = Number(arg('seconds', '5'));
  const only = new RegExp(arg('only', '.'));
  const group = arg('group', 'all');
  const parts: ScenarioGroup[] = [];
  if (group === 'all' || group === 'http') parts.push(await httpScenarios(ROOT));
  if (group === 'all' || group === 'store') parts.push(await storeScenarios(ROOT));
  if (group === 'all' || group === 'app') parts.push(await appScenarios(ROOT));
  const all = parts.flatMap((p) => p.scenarios);
  const groups = { close: async () => { for (const p of parts) await p.close(); } };
  const scenarios: Scenario[] = all.filter((s) => only.test(s.name) || all.some((o) => only.test(o.name) && o.baseline?.includes(s.name)));
  const results = new Map<string, Measurement[]>();
  try {
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
    await groups.close();
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
