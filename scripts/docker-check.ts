// The image's build and start steps without a Docker engine (SPEC §13): reads the Dockerfile, performs
// each stage's COPY and RUN steps in a clean temporary directory (a stage's `/` becomes a folder of its
// own), then starts the final stage's ENTRYPOINT + CMD with the image's ENV, probes /health/ready, runs
// the image's HEALTHCHECK command, and stops it with SIGTERM. Steps that need the image's operating
// system (apt-get, chown to image users) cannot run on the host: they are listed as not performed.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Instruction {
  op: string;
  args: string;
}

export interface Stage {
  name: string;
  base: string;
  steps: Instruction[];
}

export interface CheckReport {
  stages: string[];
  skipped: string[];
  readyStatus: number;
  healthcheckExit: number | null;
  stopExit: number | null;
  finalHasDevDependencies: boolean;
  finalHasSources: boolean;
  user: string;
  entrypoint: string[];
  healthcheck: string[];
  log: string[];
}

/** Parses a Dockerfile into stages (line continuations joined, comments dropped). */
export function parseDockerfile(text: string): Stage[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  const stages: Stage[] = [];
  for (const raw of joined.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = (m[1] as string).toUpperCase();
    const args = (m[2] as string).trim();
    if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args);
      stages.push({ base: f?.[1] ?? args, name: f?.[2] ?? String(stages.length), steps: [] });
    } else {
      const cur = stages[stages.length - 1];
      if (!cur) throw new Error(`${op} before FROM`);
      cur.steps.push({ op, args });
    }
  }
  return stages;
}

function execForm(args: string): string[] {
  const t = args.trim();
  if (t.startsWith('[')) return JSON.parse(t) as string[];
  return ['/bin/sh', '-c', t];
}

function parseEnv(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) out[m[1] as string] = (m[2] as string).replace(/^"|"$/g, '');
  return out;
}

const HOST_ONLY = [/^apt-get\b/, /^rm -rf \/var\/lib\/apt/, /^chown\b/];

function dockerignore(): string[] {
  const f = path.join(ROOT, '.dockerignore');
  return existsSync(f)
    ? readFileSync(f, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
    : [];
}

export async function dockerCheck(opts: { keep?: boolean; timeoutMs?: number } = {}): Promise<CheckReport> {
  const stages = parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'm3ds-image-'));
  const ignore = dockerignore();
  const report: CheckReport = {
    stages: stages.map((s) => s.name),
    skipped: [],
    readyStatus: 0,
    healthcheckExit: null,
    stopExit: null,
    finalHasDevDependencies: false,
    finalHasSources: false,
    user: 'root',
    entrypoint: [],
    healthcheck: [],
    log: [],
  };
  const rootOf = (stage: string) => path.join(tmp, 'stages', stage);
  const inStage = (stage: string, p: string, workdir: string) => path.join(rootOf(stage), path.posix.resolve(workdir, p));
  let final: { stage: Stage; env: Record<string, string>; workdir: string; cmd: string[] } | undefined;
  try {
    for (const stage of stages) {
      let workdir = '/';
      const env: Record<string, string> = {};
      let cmd: string[] = [];
      report.entrypoint = [];
      report.healthcheck = [];
      report.user = 'root';
      mkdirSync(rootOf(stage.name), { recursive: true });
      for (const step of stage.steps) {
        const hostEnv = () => {
          const mapped: Record<string, string> = {};
          for (const [k, v] of Object.entries(env)) mapped[k] = v.startsWith('/') ? inStage(stage.name, v, '/') : v;
          return { ...process.env, ...mapped } as NodeJS.ProcessEnv;
        };
        switch (step.op) {
          case 'WORKDIR':
            workdir = path.posix.resolve(workdir, step.args);
            mkdirSync(inStage(stage.name, workdir, '/'), { recursive: true });
            break;
          case 'ENV':
            Object.assign(env, parseEnv(step.args));
            break;
          case 'COPY': {
            const parts = step.args.split(/\s+/);
            const from = parts[0]?.startsWith('--from=') ? (parts.shift() as string).slice(7) : undefined;
            const dest = parts.pop() as string;
            for (const src of parts) {
              const source = from ? inStage(from, src, '/') : path.join(ROOT, src);
              const target = dest.endsWith('/')
                ? path.join(inStage(stage.name, dest, workdir), path.basename(src))
                : inStage(stage.name, dest, workdir);
              mkdirSync(path.dirname(target), { recursive: true });
              cpSync(source, target, {
                recursive: true,
                filter: (s) => from !== undefined || !ignore.some((ig) => path.relative(ROOT, s).split(path.sep)[0] === ig),
              });
            }
            report.log.push(`COPY ${step.args}`);
            break;
          }
          case 'RUN':
            for (const part of step.args.split('&&').map((p) => p.trim())) {
              if (HOST_ONLY.some((re) => re.test(part))) {
                report.skipped.push(`${stage.name}: ${part}`);
                continue;
              }
              const r = spawnSync('/bin/sh', ['-c', part.replace(/(^|\s)\/app\//g, `$1${inStage(stage.name, '/app', '/')}/`)], {
                cwd: inStage(stage.name, workdir, '/'),
                env: hostEnv(),
                encoding: 'utf8',
                maxBuffer: 64 * 1024 * 1024,
              });
              report.log.push(`RUN ${part} → ${r.status}`);
              if (r.status !== 0) throw new Error(`RUN ${part} failed in stage ${stage.name}: ${(r.stdout + r.stderr).slice(-2000)}`);
            }
            break;
          case 'USER':
            report.user = step.args;
            break;
          case 'ENTRYPOINT':
            report.entrypoint = execForm(step.args);
            break;
          case 'CMD':
            cmd = execForm(step.args);
            break;
          case 'HEALTHCHECK':
            report.healthcheck = execForm(step.args.replace(/^(--\S+\s+)*CMD\s+/, ''));
            break;
          default:
            break;
        }
      }
      final = { stage, env, workdir, cmd };
    }
    if (!final) throw new Error('Dockerfile has no stage');
    const appDir = inStage(final.stage.name, final.workdir, '/');
    report.finalHasDevDependencies = existsSync(path.join(appDir, 'node_modules', 'typescript'));
    report.finalHasSources = existsSync(path.join(appDir, 'src'));
    const port = await freePort();
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(final.env)) env[k] = v.startsWith('/') ? inStage(final.stage.name, v, '/') : v;
    Object.assign(env, { PORT: String(port), HOST: '127.0.0.1', WORKERS: '2', PATH: process.env.PATH ?? '' });
    // The init of the image when the host has it (CI installs tini); else the CMD alone.
    const init = report.entrypoint.length > 0 && existsSync(report.entrypoint[0] as string) ? report.entrypoint : [];
    if (report.entrypoint.length > 0 && init.length === 0)
      report.skipped.push(`ENTRYPOINT ${report.entrypoint.join(' ')} (not on this host)`);
    const argv = [...init, ...final.cmd];
    const child = spawn(argv[0] as string, argv.slice(1), { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    while (Date.now() < deadline && child.exitCode === null) {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(1000) }).catch(() => null);
      if (res) {
        report.readyStatus = res.status;
        if (res.status === 200) break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    if (report.healthcheck.length > 0) {
      const hc = spawnSync(report.healthcheck[0] as string, report.healthcheck.slice(1), {
        cwd: appDir,
        env: { ...process.env, ...env },
        encoding: 'utf8',
      });
      report.healthcheckExit = hc.status;
    }
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    report.stopExit = await exited;
    clearTimeout(killer);
    report.log.push(...output.split('\n').slice(-5));
    return report;
  } finally {
    if (!opts.keep) rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  dockerCheck().then(
    (r) => {
      const ok = r.readyStatus === 200 && r.healthcheckExit === 0 && r.stopExit === 0 && !r.finalHasDevDependencies;
      process.stdout.write(`${JSON.stringify({ ok, seconds: (Date.now() - started) / 1000, ...r, log: undefined }, null, 2)}\n`);
      process.exit(ok ? 0 : 1);
    },
    (err: Error) => {
      process.stderr.write(`docker check failed: ${err.message}\n`);
      process.exit(1);
    },
  );
}
