// What the protocol derives from the configuration (range table, scenario lookup), rebuilt only when
// the configuration object changes: config() is a getter because SIGHUP replaces the object, and a
// WeakMap keyed on it makes the hot path one map lookup.
import type { Config } from '../config.js';
import { buildRangeTable, type RangeTable } from './card-ranges.js';
import { buildScenarioTable, type ScenarioTable } from './scenarios.js';

export interface Derived {
  ranges: RangeTable;
  scenarios: ScenarioTable;
  /** Origins verify-otp may redirect to besides the notificationURL's. */
  redirectOrigins: ReadonlySet<string>;
  /** Lower-cased hosts results may be pushed to; empty means any. */
  pushHosts: ReadonlySet<string>;
}

const cache = new WeakMap<Config, Derived>();

export function derive(config: Config): Derived {
  let d = cache.get(config);
  if (!d) {
    d = {
      ranges: buildRangeTable(config.protocol.ranges),
      scenarios: buildScenarioTable(config.protocol.scenarios),
      redirectOrigins: new Set(config.security.allowedRedirectOrigins),
      pushHosts: new Set(config.notifications.allowedHosts.map((h) => h.toLowerCase())),
    };
    cache.set(config, d);
  }
  return d;
}
