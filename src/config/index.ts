// The config leaf's public surface (DESIGN §1): what the primary, the workers and every stage import.
// The schema as data (configSchema) is not re-exported: only the README generator and tests read it.
export { publicBaseUrl, storeBackend, workerCount } from './derived.js';
export type { CardRangeConfig, ScenarioConfig } from './formats.js';
export { ConfigError, configFileFromArgv, type LoadedConfig, loadConfig } from './load.js';
export type { Config, LogLevel } from './schema.js';
