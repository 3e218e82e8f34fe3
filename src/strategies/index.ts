/** The strategies bluegreen knows, by the name the config's `strategy` key gives. */
import { type Config, STRATEGIES, type StrategyName } from '../config/schema.js';
import { InputError } from '../errors.js';
import type { Strategy } from './types.js';
import { replicaDns } from './replica-dns/index.js';
import { replicaListener } from './replica-listener/index.js';
import { swapInstances } from './swap-instances/index.js';

/** The strategies that can deploy. A name the config accepts but that is absent here is not built yet. */
export const strategies: Readonly<Partial<Record<StrategyName, Strategy<any>>>> = {
  'replica-dns': replicaDns,
  'swap-instances': swapInstances,
  'replica-listener': replicaListener,
};

const built = (): StrategyName[] => STRATEGIES.filter((s) => strategies[s] !== undefined);

/** The message for a strategy the config accepts that cannot deploy yet. */
export function strategyNotBuilt(name: string): string {
  return `strategy ${name} is not built yet in this version of bluegreen; the strategies that can deploy are ${built().join(' and ')}`;
}

export function strategyFor(name: string): Strategy<any> {
  const strategy = (strategies as Readonly<Record<string, Strategy<any> | undefined>>)[name];
  if (strategy) return strategy;
  if ((STRATEGIES as readonly string[]).includes(name)) throw new InputError(strategyNotBuilt(name));
  throw new Error(`unknown strategy ${name}`); // the config schema admits only known names
}

/**
 * Keys the config accepts but no strategy acts on yet, each with what happens without it. plan and deploy
 * refuse them by name (refuseUnbuilt) rather than silently ignore them; a key leaves this list when the
 * engine acts on it.
 */
export const UNBUILT: ReadonlyArray<{ key: string; isSet: (config: Config) => boolean; without: string }> = [];

/**
 * The one check, before anything is read from AWS, that the config asks only for what this version can
 * do: a built strategy and no UNBUILT key. An InputError (exit 2) names every problem, one per line.
 */
export function refuseUnbuilt(config: Config): void {
  const problems = [
    ...(strategies[config.strategy] === undefined ? [strategyNotBuilt(config.strategy)] : []),
    ...UNBUILT.filter((u) => u.isSet(config)).map(
      (u) => `${u.key} is not built yet in this version of bluegreen: remove it from ${config.source.file} (without it, ${u.without})`,
    ),
  ];
  if (problems.length > 0) throw new InputError(problems.join('\n'));
}
