// The fault scenarios of `npm run chaos` (SPEC §20), in the order they run. Each runs on real processes —
// the built server, redis-server, the load driver — under a flow load of every test card, within a time
// bound, and returns one row: requests, failures by kind, 5xx, acknowledged records read back and lost,
// pushes expected and received, time to recover, p99 while the fault lasts, and the verdict against its
// target. The scenarios are in scenarios/: signals.ts (SIGKILL, SIGHUP, SIGTERM), redis.ts (Redis
// outage, two instances), load.ts (slow clients, fuzzing, the store stream); shared.ts has their shape.
import { fuzz, slowClients, storeStream } from './scenarios/load.js';
import { redisOutage, twoInstances } from './scenarios/redis.js';
import type { ChaosScenario } from './scenarios/shared.js';
import { primaryKill, sighup, sigterm, workerKill } from './scenarios/signals.js';

export {
  type ChaosContext,
  type ChaosScenario,
  failuresByKind,
  fiveXXOf,
  p99Between,
  type Row,
  total,
  type Verdict,
} from './scenarios/shared.js';

export const SCENARIOS: readonly ChaosScenario[] = [
  workerKill,
  primaryKill(false),
  primaryKill(true),
  redisOutage,
  sighup(false),
  sighup(true),
  sigterm,
  slowClients,
  fuzz,
  storeStream,
  twoInstances,
];
