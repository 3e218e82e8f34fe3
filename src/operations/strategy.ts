/**
 * The strategy of a config or journal, loaded by name when an operation needs it: a run loads the one
 * strategy it uses, not the three (src/strategies/index.ts imports them all, for code that wants the table).
 * A replica-dns deploy then does not load swap-instances' 15 modules nor the listener front's 7 (~20 ms
 * of start-up; test/unit/operations/lazy-modules.test.ts).
 */
import type { StrategyName } from '../config/schema.js';
import type { Strategy } from '../strategies/types.js';

const LOADERS: Readonly<Record<StrategyName, () => Promise<Strategy<unknown>>>> = {
  'replica-dns': async () => (await import('../strategies/replica-dns/index.js')).replicaDns,
  'swap-instances': async () => (await import('../strategies/swap-instances/index.js')).swapInstances,
  'replica-listener': async () => (await import('../strategies/replica-listener/index.js')).replicaListener,
};

/** The strategy by name; a name the config schema does not admit (a hand-edited journal) is a bug. */
export async function loadStrategy(name: string): Promise<Strategy<unknown>> {
  const load = Object.hasOwn(LOADERS, name) ? LOADERS[name as StrategyName] : undefined;
  if (load) return load();
  throw new Error(`unknown strategy ${name}`); // the config schema admits only known names
}
