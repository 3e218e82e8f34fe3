/** The strategies bluegreen knows, by the name the config's `strategy` key gives. */
import { type Config, STRATEGIES, type StrategyName } from '../config/schema.js';
import { InputError } from '../errors.js';
import type { Strategy } from './types.js';
import { replicaDns } from './replica-dns/index.js';
import { swapInstances } from './swap-instances/index.js';

/** The strategies that can deploy. A name the config accepts but that is absent here is not built yet. */
export const strategies: Readonly<Partial<Record<StrategyName, Strategy<any>>>> = {
  'replica-dns': replicaDns,
  'swap-instances': swapInstances,
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
export const UNBUILT: ReadonlyArray<{ key: string; isSet: (config: Config) => boolean; without: string }> = [
  { key: 'traffic.steps', isSet: (c) => c.strategy !== 'swap-instances' && c.traffic !== undefined, without: 'traffic moves all at once' },
  // Built for replica-dns; replica-listener (itself not built) has no gates yet.
  {
    key: 'gates.alarms',
    isSet: (c) => c.strategy === 'replica-listener' && (c.gates?.alarms.length ?? 0) > 0,
    without: 'no alarm is watched',
  },
  {
    key: 'gates.http',
    isSet: (c) => c.strategy === 'replica-listener' && (c.gates?.http.length ?? 0) > 0,
    without: "green is checked by its instances' health alone",
  },
  {
    key: 'retire.untilRequestsBelow',
    // Built for replica-dns; replica-listener (itself not built) does not watch RequestCount yet.
    isSet: (c) => c.strategy === 'replica-listener' && c.retire.untilRequestsBelow !== undefined,
    without: 'blue is retired after retire.after',
  },
];

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
