// The config leaf's public surface (DESIGN §1): what the primary, the workers and every stage import.
// The schema as data (configSchema) is not re-exported: only the README generator and tests read it.
export { publicBaseUrl, storeBackend, workerCount } from './derived.js';
export type { BrokenResponse, CardRangeConfig, ScenarioConfig } from './formats.js';
/** The scenario vocabulary's check, for runtime overrides (SPEC §17) as for protocol.scenarios. */
export { validateScenarioTable } from './formats.js';
export { ConfigError, configFileFromArgv, type LoadedConfig, loadConfig } from './load.js';
export type { Config, LogLevel } from './schema.js';
