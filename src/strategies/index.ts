/** The strategies bluegreen knows, by the name the config's `strategy` key gives: every name it accepts is built. */
import type { StrategyName } from '../config/schema.js';
import type { Strategy } from './types.js';
import { replicaDns } from './replica-dns/index.js';
import { replicaListener } from './replica-listener/index.js';
import { swapInstances } from './swap-instances/index.js';

export const strategies: Readonly<Record<StrategyName, Strategy<unknown>>> = {
  'replica-dns': replicaDns,
  'swap-instances': swapInstances,
  'replica-listener': replicaListener,
};

const byName: ReadonlyMap<string, Strategy<unknown>> = new Map(Object.entries(strategies));

/** The strategy of a config or journal; a name the config schema does not admit (a hand-edited journal) is a bug. */
export function strategyFor(name: string): Strategy<unknown> {
  const strategy = byName.get(name);
  if (strategy) return strategy;
  throw new Error(`unknown strategy ${name}`); // the config schema admits only known names
}
