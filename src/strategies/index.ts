/** The strategies bluegreen knows, by the name the config's `strategy` key gives. */
import type { Strategy } from './types.js';
import { replicaDns } from './replica-dns/index.js';
import { swapInstances } from './swap-instances/index.js';

export const strategies: Readonly<Record<string, Strategy<any>>> = {
  'replica-dns': replicaDns,
  'swap-instances': swapInstances,
};

export function strategyFor(name: string): Strategy<any> {
  const strategy = strategies[name];
  if (!strategy) throw new Error(`unknown strategy ${name}`); // the config schema admits only known names
  return strategy;
}
