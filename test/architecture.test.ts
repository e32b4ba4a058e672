// Dependency direction (DESIGN §1): main → primary | worker → http → protocol → store | crypto, leaves
// below all. An import may only go down that chain (or stay inside its own stage). Inside protocol/, the
// flows (flows/<flow>/) stand side by side on one kernel (transaction/, wire/, rules/ and the core): a
// flow never imports another flow, and only protocol.ts, which puts the flows together, imports them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { ROOT } from './helpers/server.js';

const SRC = path.join(ROOT, 'src');
// Leaves are files at the top of src/ and whole folders (config/); they may import each other.
const LEAVES = new Set(['errors', 'logger', 'metrics', 'ipc', 'types']);
const LEAF_DIRS = new Set(['config']);
const RANK: Record<string, number> = { main: 0, primary: 1, worker: 1, http: 2, protocol: 3, store: 4, crypto: 4, leaf: 5 };

function stageOf(rel: string): string {
  const parts = rel.split('/');
  if (parts.length === 1) {
    const base = (parts[0] as string).replace(/\.ts$/, '');
    if (base === 'main') return 'main';
    if (LEAVES.has(base)) return 'leaf';
    return `unknown:${base}`;
  }
  if (LEAF_DIRS.has(parts[0] as string)) return 'leaf';
  return parts[0] as string;
}

const FLOW_RE = /^protocol\/flows\/([^/]+)\//;

/** Why an edge into a protocol flow is refused, or null when it is allowed. */
function flowProblem(from: string, to: string): string | null {
  const target = FLOW_RE.exec(to)?.[1];
  if (target === undefined) return null;
  const source = FLOW_RE.exec(from)?.[1];
  if (source === target) return null;
  if (source !== undefined) return `${from} → ${to}: a flow never imports another flow (share it through the kernel)`;
  if (from.startsWith('protocol/') && from !== 'protocol/protocol.ts') return `${from} → ${to}: the protocol kernel never imports a flow`;
  return null;
}

/** Why an edge is refused, or null when it is allowed. */
function edgeProblem(from: string, to: string): string | null {
  const a = stageOf(from);
  const b = stageOf(to);
  if (a.startsWith('unknown') || b.startsWith('unknown')) return `${from} → ${to}: file outside the known stages`;
  if (from.startsWith('crypto/tasks/') && !to.startsWith('crypto/')) return `${from} → ${to}: pool tasks import only the task protocol`;
  const flow = flowProblem(from, to);
  if (flow) return flow;
  if (a === b) return null;
  if ((RANK[b] as number) > (RANK[a] as number)) return null;
  return `${from} (${a}) → ${to} (${b}) goes up the chain`;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function edges(): [string, string][] {
  const out: [string, string][] = [];
  for (const file of walk(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = (m[1] ?? m[2]) as string;
      const target = path.relative(SRC, path.resolve(path.dirname(file), spec)).replace(/\.js$/, '.ts');
      out.push([path.relative(SRC, file), target]);
    }
  }
  return out;
}

describe('architecture: import direction', () => {
  it('finds the imports of src/', () => {
    const e = edges();
    expect(e.length).to.be.greaterThan(20);
    expect(e).to.deep.include(['main.ts', 'primary/primary.ts']);
  });

  it('has no upstream import', () => {
    const problems = edges()
      .map(([a, b]) => edgeProblem(a, b))
      .filter((p): p is string => p !== null);
    expect(problems).to.deep.equal([]);
  });

  it('would catch an upstream or sideways edge', () => {
    expect(edgeProblem('protocol/x.ts', 'http/app.ts')).to.match(/goes up/);
    expect(edgeProblem('store/x.ts', 'protocol/y.ts')).to.match(/goes up/);
    expect(edgeProblem('logger.ts', 'store/store.ts')).to.match(/goes up/);
    expect(edgeProblem('worker/w.ts', 'primary/p.ts')).to.match(/goes up/);
    expect(edgeProblem('store/x.ts', 'crypto/y.ts')).to.match(/goes up/);
    expect(edgeProblem('crypto/tasks/sign.ts', 'logger.ts')).to.match(/task protocol/);
    expect(edgeProblem('config/load.ts', 'store/store.ts')).to.match(/goes up/);
    expect(edgeProblem('config/schema.ts', 'primary/config-diff.ts')).to.match(/goes up/);
    expect(edgeProblem('http/app.ts', 'protocol/protocol.ts')).to.equal(null);
    expect(edgeProblem('store/x.ts', 'config/index.ts')).to.equal(null);
    expect(edgeProblem('logger.ts', 'config/index.ts')).to.equal(null);
  });

  it('would catch a flow importing another flow, or the protocol kernel importing a flow', () => {
    // The walk reaches the nested flow folders, so the rule sees their real imports.
    expect(edges()).to.deep.include(['protocol/flows/authenticate/authenticate.ts', 'protocol/transaction/lifecycle.ts']);
    expect(edgeProblem('protocol/flows/browser-challenge/browser-challenge.ts', 'protocol/flows/results/results.ts')).to.match(
      /another flow/,
    );
    expect(edgeProblem('protocol/flows/app-challenge/app-prepare.ts', 'protocol/flows/authenticate/areq.ts')).to.match(/another flow/);
    expect(edgeProblem('protocol/transaction/lifecycle.ts', 'protocol/flows/results/results.ts')).to.match(/kernel never imports a flow/);
    expect(edgeProblem('protocol/core.ts', 'protocol/flows/app-challenge/app-prepare.ts')).to.match(/kernel never imports a flow/);
    expect(edgeProblem('protocol/flows/authenticate/authenticate.ts', 'protocol/flows/authenticate/areq.ts')).to.equal(null);
    expect(edgeProblem('protocol/flows/authenticate/authenticate.ts', 'protocol/transaction/lifecycle.ts')).to.equal(null);
    expect(edgeProblem('protocol/protocol.ts', 'protocol/flows/results/results.ts')).to.equal(null);
    expect(edgeProblem('http/views/acs-result.ts', 'protocol/flows/browser-challenge/browser-challenge.ts')).to.equal(null);
  });
});

// `npm run test:unit` is every test file outside test/integration/: those must start no child process and
// no external server (redis-server, Chromium, Java, the built server). A file that needs one lives under
// test/integration/, mirroring src/ there.
const TEST_IMPORT_RE = /(?:^|\n)\s*import\s+(?:type\s+)?([^;]*?)\s+from\s+['"]([^'"]+)['"]/g;
const STARTERS: { module: RegExp; names?: RegExp; what: string }[] = [
  { module: /^(node:)?child_process$/, what: 'node:child_process' },
  { module: /\/helpers\/redis\.js$/, names: /\b(startRedis|startRedisCluster|startRedisSentinel|requireRedis)\b/, what: 'a redis-server' },
  { module: /\/helpers\/server\.js$/, names: /\bstartServer\b/, what: 'the built server' },
  { module: /\/browser\/chromium\.js$/, what: 'Chromium' },
  { module: /\/scripts\/docker-check\.js$/, names: /\bdockerCheck\b/, what: 'the Dockerfile build' },
];

/** Why a test file outside test/integration/ does not belong in the unit set, or null. */
function unitFileProblem(rel: string, text: string): string | null {
  if (rel.startsWith('integration/')) return null;
  for (const m of text.matchAll(TEST_IMPORT_RE)) {
    const [, names, spec] = m as unknown as [string, string, string];
    const hit = STARTERS.find((s) => s.module.test(spec) && (s.names === undefined || s.names.test(names)));
    if (hit) return `test/${rel} starts ${hit.what}: move it (or that part) under test/integration/`;
  }
  return null;
}

describe('architecture: unit and integration tests', () => {
  const TEST = path.join(ROOT, 'test');

  it('starts no process or external server from a test file outside test/integration/', () => {
    const files = walk(TEST).filter((f) => f.endsWith('.test.ts'));
    expect(files.filter((f) => f.includes(`${path.sep}integration${path.sep}`)).length).to.be.greaterThan(5);
    const problems = files
      .map((f) => unitFileProblem(path.relative(TEST, f), readFileSync(f, 'utf8')))
      .filter((p): p is string => p !== null);
    expect(problems).to.deep.equal([]);
  });

  it('would catch a unit test file that starts one', () => {
    expect(unitFileProblem('store/x.test.ts', "import { startRedis, waitFor } from '../helpers/redis.js';")).to.match(/redis-server/);
    expect(unitFileProblem('crypto/x.test.ts', "import { execFile } from 'node:child_process';")).to.match(/child_process/);
    expect(unitFileProblem('x.test.ts', "import {\n  ROOT,\n  startServer,\n} from './helpers/server.js';")).to.match(/built server/);
    expect(unitFileProblem('integration/store/x.test.ts', "import { startRedis } from '../../helpers/redis.js';")).to.equal(null);
    expect(unitFileProblem('store/x.test.ts', "import { waitFor } from '../helpers/redis.js';")).to.equal(null);
    expect(unitFileProblem('x.test.ts', "import { ROOT } from './helpers/server.js';")).to.equal(null);
  });
});
