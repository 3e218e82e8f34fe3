/**
 * The strategies and shapes the fault-injection suite crashes: each builds a fresh blue world in the
 * in-memory AWS (the same worlds as the strategies' own engine tests) and the config that deploys over it.
 */
import type { Config } from '../../src/config/schema.js';
import { replicaDns } from '../../src/strategies/replica-dns/index.js';
import { replicaListener } from '../../src/strategies/replica-listener/index.js';
import { swapInstances } from '../../src/strategies/swap-instances/index.js';
import type { StrategyServices } from '../../src/strategies/types.js';
import { FakeRemote } from '../fakes/remote.js';
import { blueWorld, configFor as dnsConfig } from '../unit/replica-dns/world.js';
import { configFor as listenerConfig, GATE_ALARM, listenerWorld } from '../unit/replica-listener/world.js';
import { commandsConfig, swapConfig } from '../unit/swap-instances/fixtures.js';
import { swapWorld } from '../unit/swap-instances/world.js';
import type { CrashPoint, Scenario } from './harness.js';
import { dnsChecks, listenerChecks, swapChecks, type DnsWorld, type ListenerFacts, type SwapFacts } from './invariants.js';

const COMMANDS = ['sudo systemctl stop shop', 'sudo /opt/shop/update.sh', 'sudo systemctl start shop'];
/**
 * EC2 is eventually consistent ("Eventual consistency in the Amazon EC2 API"): in every scenario, an instance,
 * image or launch template a step makes is left out of the first answers that would show it, so that a crash
 * right after the create, then a resume or a rollback, meets what a real account does.
 */
const NOT_VISIBLE_FOR_POLLS = 2;
const noRemote: StrategyServices = {
  remote: () => {
    throw new Error('an image release asked for a remote-command runner');
  },
};

/** replica-dns over blueWorld: 2 InService instances, a classic ELB, an alias record, 2 policies, an alarm. */
function dns(
  name: string,
  overrides: (world: DnsWorld) => Partial<Config & { strategy: 'replica-dns' }>,
  options: { commands?: boolean; rollbackFrom?: CrashPoint } = {},
): Scenario<DnsWorld> {
  return {
    name,
    ...(options.rollbackFrom ? { rollbackFrom: options.rollbackFrom } : {}),
    strategy: replicaDns,
    checks: dnsChecks({ maxInstances: options.commands ? 1 : 0 }),
    build() {
      const world = blueWorld();
      world.aws.notVisibleForPolls = NOT_VISIBLE_FOR_POLLS;
      let services = noRemote;
      if (options.commands) {
        world.aws.runningAfterSeconds = 20;
        world.aws.imageAvailableAfterSeconds = 120;
        const remote = new FakeRemote();
        services = { remote: () => remote };
      }
      world.aws.addAlarm({
        AlarmName: 'shop-5xx',
        MetricName: 'HTTPCode_Backend_5XX',
        Namespace: 'AWS/ELB',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 10,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      world.aws.setAlarmState('shop-5xx', 'OK');
      return { world, config: dnsConfig(overrides(world)), services };
    },
  };
}

function listener(
  name: string,
  overrides: (world: ListenerFacts) => Record<string, unknown>,
  options: { https?: boolean } = {},
): Scenario<ListenerFacts> {
  return {
    name,
    strategy: replicaListener,
    checks: listenerChecks(),
    build() {
      const world = listenerWorld({ ...(options.https ? { https: true } : {}) });
      world.aws.notVisibleForPolls = NOT_VISIBLE_FOR_POLLS;
      return { world, config: listenerConfig(world, overrides(world)), services: noRemote };
    },
  };
}

function swap(name: string, config: () => Config, options: { targetGroup?: boolean } = {}): Scenario<SwapFacts> {
  return {
    name,
    // A finished swap cannot be rolled back (the old instances are gone): from just before terminate-old.
    rollbackFrom: { kind: 'start', step: 'terminate-old' },
    strategy: swapInstances,
    checks: swapChecks(),
    build() {
      const world = swapWorld({ ...(options.targetGroup === false ? { targetGroup: false } : {}) });
      world.aws.notVisibleForPolls = NOT_VISIBLE_FOR_POLLS;
      return { world, config: config(), services: { remote: () => world.remote } };
    },
  };
}

export const SCENARIOS: Scenario[] = [
  dns('replica-dns image', () => ({ retire: { afterSeconds: 300, action: 'scale-to-zero' } })),
  dns('replica-dns retire.action delete', () => ({ retire: { afterSeconds: 120, action: 'delete' } }), {
    rollbackFrom: { kind: 'start', step: 'retire-blue' },
  }),
  dns('replica-dns traffic 10/50/100', () => ({
    traffic: { steps: [10, 50, 100], holdSeconds: 120 },
    retire: { afterSeconds: 120, action: 'scale-to-zero' },
  })),
  dns('replica-dns gates.alarms', () => ({ gates: { alarms: ['shop-5xx'], http: [] }, retire: { afterSeconds: 120, action: 'scale-to-zero' } })),
  dns(
    'replica-dns commands',
    () => ({ release: { kind: 'commands', commands: COMMANDS, via: 'ssh' }, retire: { afterSeconds: 120, action: 'scale-to-zero' } }),
    { commands: true },
  ),
  listener('replica-listener switch', () => ({ retire: { afterSeconds: 60, action: 'scale-to-zero' } })),
  listener('replica-listener traffic 10/50/100', () => ({
    traffic: { steps: [10, 50, 100], holdSeconds: 120 },
    gates: { alarms: [GATE_ALARM], http: [] },
    retire: { afterSeconds: 60, action: 'scale-to-zero' },
  })),
  // A second listener of the ALB forwards to blue too: it moves in the same steps, and every rollback puts it back.
  listener(
    'replica-listener traffic 50/100, two listeners',
    () => ({ traffic: { steps: [50, 100], holdSeconds: 60 }, retire: { afterSeconds: 60, action: 'scale-to-zero' } }),
    { https: true },
  ),
  swap('swap-instances image (classic ELB + target group)', () => swapConfig()),
  swap('swap-instances image (classic ELB only)', () => swapConfig(), { targetGroup: false }),
  swap('swap-instances commands', () => commandsConfig('ssh')),
];
