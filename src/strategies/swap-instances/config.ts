/** The part of the configuration swap-instances reads: the schema's own type, narrowed by `strategy`. */
import type { Config, SwapInstancesConfig } from '../../config/schema.js';

export type { Release, SshSettings, SwapInstancesConfig } from '../../config/schema.js';

/** The config as swap-instances sees it; the engine hands a strategy only configs of its own name. */
export function asSwapConfig(config: Config): SwapInstancesConfig {
  if (config.strategy !== 'swap-instances') throw new Error(`swap-instances given a config for strategy ${config.strategy}`);
  return config;
}
