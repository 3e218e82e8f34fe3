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
import { addFiveXxAlarm, blueWorld, configFor as dnsConfig } from '../unit/replica-dns/world.js';
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
/** And Auto Scaling refuses a new launch template for its first call naming it (its view of EC2 lags). */
const AUTO_SCALING_LAG_CALLS = 1;
const noRemote: StrategyServices = {
  remote: () => {
    throw new Error('an image release asked for a remote-command runner');
  },
};

/** replica-dns over blueWorld: 2 InService instances, a classic ELB, an alias record, 2 policies, an alarm. */
function dns(
  name: string,
  overrides: (world: DnsWorld) => Partial<Config & { strategy: 'replica-dns' }>,
  options: { commands?: boolean; rollbackFrom?: CrashPoint; scalesItself?: boolean } = {},
): Scenario<DnsWorld> {
  return {
    name,
    ...(options.rollbackFrom ? { rollbackFrom: options.rollbackFrom } : {}),
    strategy: replicaDns,
    checks: dnsChecks({ maxInstances: options.commands ? 1 : 0 }),
    build() {
      const world = blueWorld();
      world.aws.notVisibleForPolls = NOT_VISIBLE_FOR_POLLS;
      world.aws.autoScalingLagCalls = AUTO_SCALING_LAG_CALLS;
      let services = noRemote;
      if (options.commands) {
        world.aws.runningAfterSeconds = 20;
        world.aws.imageAvailableAfterSeconds = 120;
        const remote = new FakeRemote();
        services = { remote: () => remote };
      }
      addFiveXxAlarm(world.aws, { Threshold: 10 });
      world.aws.setAlarmState('shop-5xx', 'OK');
      if (options.scalesItself) scalesItself(world);
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
      world.aws.autoScalingLagCalls = AUTO_SCALING_LAG_CALLS;
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
      world.aws.autoScalingLagCalls = AUTO_SCALING_LAG_CALLS;
      return { world, config: config(), services: { remote: () => world.remote } };
    },
  };
}

/**
 * Blue with what scales a group by itself and what retire must stop, keep or restore: scheduled actions
 * (none due during the run), a predictive policy that launches, AlarmNotification suspended by the user
 * (retire must not resume it), a warm pool, and an alarm on blue's policy alone beside shop-web-cpu-high
 * (which also notifies SNS).
 */
function scalesItself(world: DnsWorld): void {
  const { aws } = world;
  const g = aws.state.groups.get('shop-web')!;
  g.group.SuspendedProcesses = [...(g.group.SuspendedProcesses ?? []), { ProcessName: 'AlarmNotification', SuspensionReason: 'User suspended' }];
  Object.assign(g.group, { WarmPoolConfiguration: { MinSize: 0, PoolState: 'Stopped' }, WarmPoolSize: 0 });
  aws.addScheduledAction({
    AutoScalingGroupName: 'shop-web',
    ScheduledActionName: 'summer',
    Recurrence: '0 8 * 6 *',
    MinSize: 2,
    MaxSize: 6,
    DesiredCapacity: 4,
  });
  aws.addScheduledAction({
    AutoScalingGroupName: 'shop-web',
    ScheduledActionName: 'launch-day',
    StartTime: new Date(Date.UTC(2026, 11, 1)),
    DesiredCapacity: 4,
  });
  aws.addPolicy({
    AutoScalingGroupName: 'shop-web',
    PolicyName: 'forecast',
    PolicyType: 'PredictiveScaling',
    PredictiveScalingConfiguration: {
      Mode: 'ForecastAndScale',
      MetricSpecifications: [{ TargetValue: 50, PredefinedMetricPairSpecification: { PredefinedMetricType: 'ASGCPUUtilization' } }],
    },
  });
  const up = g.policies.get('scale-up')!.PolicyARN!;
  aws.addAlarm({ AlarmName: 'shop-web-queue-deep', AlarmActions: [up], MetricName: 'Depth', Namespace: 'Queue', Threshold: 100 });
}

export const SCENARIOS: Scenario[] = [
  dns('replica-dns image', () => ({ retire: { afterSeconds: 300, action: 'scale-to-zero' } })),
  dns('replica-dns retire.action delete', () => ({ retire: { afterSeconds: 120, action: 'delete' } }), {
    rollbackFrom: { kind: 'start', step: 'retire-blue' },
  }),
  dns('replica-dns scale-to-zero, blue that scales by itself', () => ({ retire: { afterSeconds: 120, action: 'scale-to-zero' } }), {
    scalesItself: true,
  }),
  dns('replica-dns retire.action delete, blue with a warm pool and shared alarms', () => ({ retire: { afterSeconds: 120, action: 'delete' } }), {
    rollbackFrom: { kind: 'start', step: 'retire-blue' },
    scalesItself: true,
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
