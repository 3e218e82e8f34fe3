/** A live group in the in-memory AWS, and the fake remote runner, for the swap-instances step tests. */
import type { SwapInstancesConfig } from '../../../src/config/schema.js';
import type { StepDescriptor } from '../../../src/engine/types.js';
import { swapInstances } from '../../../src/strategies/swap-instances/index.js';
import { FakeAws } from '../../fakes/aws.js';
import { FakeRemote } from '../../fakes/remote.js';
import { FakeJournal, VirtualClock } from '../../support/virtual-clock.js';
import { GROUP, NEW_IMAGE, OLD_IMAGE, USER_DATA } from './fixtures.js';

export interface World {
  clock: VirtualClock;
  aws: FakeAws;
  remote: FakeRemote;
  journal: FakeJournal;
  tgArn: string | undefined;
  /** The group's instances before the deployment. */
  old: string[];
}

export function swapWorld(
  options: { instances?: number; targetGroup?: boolean; launch?: 'configuration' | 'template'; draining?: number | null; delay?: number } = {},
): World {
  const clock = new VirtualClock();
  const aws = new FakeAws({ clock, inServiceAfterSeconds: 30, runningAfterSeconds: 20, imageAvailableAfterSeconds: 120 });
  const n = options.instances ?? 3;
  aws.addImage(OLD_IMAGE, 'shop-1.0');
  aws.addImage(NEW_IMAGE, 'shop-1.1');
  if ((options.launch ?? 'configuration') === 'configuration') {
    aws.addLaunchConfiguration({
      LaunchConfigurationName: 'shop-web-lc',
      ImageId: OLD_IMAGE,
      InstanceType: 't3.small',
      KeyName: 'ops',
      SecurityGroups: ['sg-0123'],
      IamInstanceProfile: 'shop-web',
      UserData: USER_DATA,
      InstanceMonitoring: { Enabled: true },
    });
  } else {
    aws.addLaunchTemplate('shop-web-lt', [
      { ImageId: OLD_IMAGE, InstanceType: 't3.micro', UserData: USER_DATA },
      { ImageId: OLD_IMAGE, InstanceType: 't3.small', UserData: USER_DATA, SecurityGroupIds: ['sg-0123'] },
    ]);
  }
  const draining = options.draining === undefined ? 120 : options.draining;
  aws.addLoadBalancer(
    {
      LoadBalancerName: 'shop-web-elb',
      Listeners: [{ Protocol: 'HTTP', LoadBalancerPort: 80, InstanceProtocol: 'HTTP', InstancePort: 8080 }],
      Subnets: ['subnet-a', 'subnet-b'],
    },
    { Target: 'HTTP:8080/up', Interval: 10, Timeout: 5, UnhealthyThreshold: 2, HealthyThreshold: 2 },
    { ConnectionDraining: draining === null ? { Enabled: false, Timeout: 300 } : { Enabled: true, Timeout: draining } },
  );
  const tgArn =
    options.targetGroup === false
      ? undefined
      : aws.addTargetGroup('shop-web', [], { 'deregistration_delay.timeout_seconds': String(options.delay ?? 45) });
  aws.addGroup(
    {
      AutoScalingGroupName: GROUP,
      ...(options.launch === 'template'
        ? { LaunchTemplate: { LaunchTemplateName: 'shop-web-lt', Version: '$Latest' } }
        : { LaunchConfigurationName: 'shop-web-lc' }),
      MinSize: Math.max(0, n - 1),
      MaxSize: n + 1,
      DesiredCapacity: n,
      AvailabilityZones: ['us-east-1a', 'us-east-1b'],
      VPCZoneIdentifier: 'subnet-a,subnet-b',
      HealthCheckType: 'ELB',
      LoadBalancerNames: ['shop-web-elb'],
      ...(tgArn ? { TargetGroupARNs: [tgArn] } : {}),
      Tags: [
        { Key: 'Name', Value: 'shop-web', PropagateAtLaunch: true },
        { Key: 'team', Value: 'web', PropagateAtLaunch: false },
      ],
    },
    { SuspendedProcesses: [{ ProcessName: 'AZRebalance', SuspensionReason: 'User suspended' }] },
  );
  const old = (aws.state.groups.get(GROUP)?.instances ?? []).map((i) => i.id);
  return { clock, aws, remote: new FakeRemote(), journal: new FakeJournal(clock), tgArn, old };
}

export async function planned(world: World, config: SwapInstancesConfig) {
  const observed = await swapInstances.observe(config, world.aws);
  const plan = swapInstances.plan(config, observed, 'k3x9a');
  const registry = swapInstances.handlers(world.aws, { remote: () => world.remote });
  return { plan, steps: plan.steps, registry };
}

export const upTo = (steps: StepDescriptor[], id: string) => steps.slice(0, steps.findIndex((s) => s.id === id) + 1);
export const stepOf = (steps: StepDescriptor[], id: string) => steps.find((s) => s.id === id) as StepDescriptor;
