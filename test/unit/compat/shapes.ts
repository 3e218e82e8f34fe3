/**
 * The shapes the golden plans are recorded for: per strategy, a blue world in the in-memory AWS (built
 * by the strategies' own test builders) and the config that deploys over it. plans.test.ts and
 * scripts/record-compat.ts both build them from here, so the fixture and the test see the same world.
 */
import type { Config, HttpGate, ReplicaDnsConfig, ReplicaListenerConfig, SwapInstancesConfig } from '../../../src/config/schema.js';
import type { FakeAws } from '../../fakes/aws.js';
import { blueWorld, configFor as dnsConfig } from '../replica-dns/world.js';
import { configFor as listenerConfig, GATE_ALARM, listenerWorld } from '../replica-listener/world.js';
import { COMMANDS, swapConfig } from '../swap-instances/fixtures.js';
import { swapWorld } from '../swap-instances/world.js';

export const DEPLOYMENT_ID = 'k3x9a';

export interface PlanShape {
  /** The fixture's file name, without .json. */
  name: string;
  build(): { aws: FakeAws; config: Config };
}

export const DNS_ALARM = 'shop-5xx';

/** replica-dns's gate alarm (on blue's classic load balancer's 5xx), in OK, as test/faults/scenarios.ts adds it. */
export function addDnsGateAlarm(aws: FakeAws): void {
  aws.addAlarm({
    AlarmName: DNS_ALARM,
    MetricName: 'HTTPCode_Backend_5XX',
    Namespace: 'AWS/ELB',
    Statistic: 'Sum',
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 10,
    ComparisonOperator: 'GreaterThanThreshold',
  });
  aws.setAlarmState(DNS_ALARM, 'OK');
}
const dnsGate: HttpGate = { url: 'http://{green.loadBalancerDns}/health', expect: 200, tries: 3, intervalSeconds: 5 };
const listenerGate: HttpGate = { url: 'http://{green.target}/up', expect: 204, tries: 2, intervalSeconds: 10 };

type DnsWorldOptions = Parameters<typeof blueWorld>[0] & { mixed?: boolean };

/** A blue group with a mixed instances policy over its launch template (as test/unit/strategies/mixed-instances.test.ts). */
const MIXED_POLICY = {
  LaunchTemplate: {
    LaunchTemplateSpecification: { LaunchTemplateName: 'shop-web-lt', Version: '$Latest' },
    Overrides: [{ InstanceType: 'm5.large', WeightedCapacity: '2' }, { InstanceType: 'm6i.large' }],
  },
  InstancesDistribution: { OnDemandBaseCapacity: 1, OnDemandPercentageAboveBaseCapacity: 25, SpotAllocationStrategy: 'price-capacity-optimized' },
};

function dns(name: string, overrides: Partial<ReplicaDnsConfig>, options: DnsWorldOptions = {}): PlanShape {
  return {
    name: `replica-dns-${name}`,
    build() {
      const { mixed, ...worldOptions } = options;
      const { aws } = blueWorld(mixed ? { ...worldOptions, launch: 'template' } : worldOptions);
      if (mixed) {
        const g = (aws.state.groups.get('shop-web') as { group: Record<string, unknown> }).group;
        delete g.LaunchTemplate;
        g.MixedInstancesPolicy = structuredClone(MIXED_POLICY);
      }
      addDnsGateAlarm(aws);
      return { aws, config: dnsConfig(overrides) };
    },
  };
}

function listener(name: string, overrides: Partial<ReplicaListenerConfig>, options: Parameters<typeof listenerWorld>[0] = {}): PlanShape {
  return {
    name: `replica-listener-${name}`,
    build() {
      const world = listenerWorld(options);
      return { aws: world.aws, config: listenerConfig(world, overrides) };
    },
  };
}

function swap(name: string, overrides: Partial<SwapInstancesConfig>, options: Parameters<typeof swapWorld>[0] = {}): PlanShape {
  return {
    name: `swap-instances-${name}`,
    build() {
      return { aws: swapWorld(options).aws, config: swapConfig(overrides) };
    },
  };
}

const ssh = { kind: 'commands', commands: COMMANDS, via: 'ssh' } as const;
const ssm = { kind: 'commands', commands: COMMANDS, via: 'ssm' } as const;
const traffic = { steps: [10, 50, 100], holdSeconds: 120 };

export const PLAN_SHAPES: PlanShape[] = [
  // replica-dns: blueWorld has lifecycle hooks, 2 policies and an alarm, a suspended process and enabled metrics.
  dns('image', {}),
  dns('commands-ssh', { release: ssh }),
  dns('commands-ssm', { release: ssm }),
  dns('traffic-gates', { traffic, gates: { alarms: [DNS_ALARM], http: [dnsGate] } }),
  dns('gates-alarms', { gates: { alarms: [DNS_ALARM], http: [] } }),
  dns('gates-http', { gates: { alarms: [], http: [dnsGate] } }),
  dns('retire-delete', { retire: { afterSeconds: 120, action: 'delete' } }),
  dns('retire-keep', { retire: { afterSeconds: 0, action: 'keep' } }),
  dns('until-requests-below', { retire: { afterSeconds: 300, action: 'scale-to-zero', untilRequestsBelow: 5 } }),
  dns('template-latest', {}, { launch: 'template' }),
  dns('template-latest-delete', { retire: { afterSeconds: 30, action: 'delete' } }, { launch: 'template' }),
  dns('configuration-to-template', { launch: 'template' }),
  dns('mixed-instances', {}, { mixed: true }),
  dns('one-instance', {}, { instances: 1 }),
  dns('commands-traffic-delete', { release: ssh, traffic: { steps: [25, 100], holdSeconds: 60 }, retire: { afterSeconds: 60, action: 'delete' } }),
  // replica-listener: the listener's default action and rule 10 forward to blue; rules 20 and 30 do not.
  listener('switch', {}),
  listener('traffic-gates', { traffic, gates: { alarms: [GATE_ALARM], http: [listenerGate] } }),
  listener('gates-alarms', { gates: { alarms: [GATE_ALARM], http: [] } }),
  listener('nlb', {}, { network: true }),
  listener('nlb-retire-delete', { retire: { afterSeconds: 30, action: 'delete' } }, { network: true }),
  listener('commands-ssh', { release: ssh }),
  listener('commands-ssm', { release: ssm }),
  listener('retire-delete', { retire: { afterSeconds: 60, action: 'delete' } }),
  listener('retire-keep', { retire: { afterSeconds: 60, action: 'keep' } }),
  listener('until-requests-below', { retire: { afterSeconds: 60, action: 'scale-to-zero', untilRequestsBelow: 1 } }),
  listener('configuration-to-template', { launch: 'template' }),
  listener('no-deregistration-delay', {}, { deregistrationDelay: 0 }),
  // swap-instances: a classic ELB and a target group unless said.
  swap('image', {}),
  swap('image-classic-only', {}, { targetGroup: false }),
  swap('commands-ssh', { release: ssh }),
  swap('commands-ssm', { release: ssm }),
  swap('template-latest', {}, { launch: 'template' }),
  swap('configuration-to-template', { launch: 'template' }),
  swap('retire-at-once', { retire: { afterSeconds: 0, action: 'keep' } }),
  swap('no-draining', {}, { draining: null, delay: 0 }),
  swap('one-instance', {}, { instances: 1 }),
];
