// The scenario table a flow looks cards up in: the configured one (config-tables.ts) with the runtime
// overrides of the admin API layered on top (SPEC §17: full PAN, then last 4, before the table's own
// full PAN, last 4 and default). Selecting a scenario by name (a header, an extension) still reads the
// configured table. Built once per configuration and protocol instance, not per request.
import type { ProtocolCore } from '../core.js';
import { configTables } from './config-tables.js';
import type { ScenarioTable } from './scenarios.js';

const layered = new WeakMap<ProtocolCore, { base: ScenarioTable; table: ScenarioTable }>();

export function scenarioTable(core: ProtocolCore): ScenarioTable {
  const base = configTables(core.config()).scenarios;
  const overrides = core.overrides;
  if (!overrides) return base;
  const cached = layered.get(core);
  if (cached?.base === base) return cached.table;
  const table: ScenarioTable = { ...base, lookup: (pan) => overrides(pan) ?? base.lookup(pan) };
  layered.set(core, { base, table });
  return table;
}
