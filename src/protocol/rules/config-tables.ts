// The tables the protocol builds from the configuration (card range table, scenario lookup, redirect
// origins, results push hosts), rebuilt only when the configuration object changes: config() is a getter
// because SIGHUP replaces the object, and a WeakMap keyed on it makes the hot path one map lookup.
import type { Config } from '../../config/index.js';
import { buildRangeTable, type RangeTable } from './card-ranges.js';
import { buildScenarioTable, type ScenarioTable } from './scenarios.js';

interface ConfigTables {
  ranges: RangeTable;
  scenarios: ScenarioTable;
  /** Origins verify-otp may redirect to besides the notificationURL's. */
  redirectOrigins: ReadonlySet<string>;
  /** Lower-cased hosts results may be pushed to; empty means any. */
  pushHosts: ReadonlySet<string>;
}

const cache = new WeakMap<Config, ConfigTables>();

export function configTables(config: Config): ConfigTables {
  let t = cache.get(config);
  if (!t) {
    t = {
      ranges: buildRangeTable(config.protocol.ranges),
      scenarios: buildScenarioTable(config.protocol.scenarios),
      redirectOrigins: new Set(config.security.allowedRedirectOrigins),
      pushHosts: new Set(config.notifications.allowedHosts.map((h) => h.toLowerCase())),
    };
    cache.set(config, t);
  }
  return t;
}
