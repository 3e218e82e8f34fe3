/**
 * A blue stack behind an ALB listener in the in-memory AWS, and the config that deploys over it. Shared by
 * the replica-listener tests. The listener's default action and rule 10 (/api/*, with group stickiness)
 * forward to blue's target group; rule 20 answers a fixed response and rule 30 forwards to another
 * target group: those two are never touched. With `https`, a second listener of the same ALB forwards to blue too.
 */
import type { ReplicaListenerConfig } from '../../../src/config/schema.js';
import type { StrategyServices } from '../../../src/strategies/types.js';
import { FakeAws } from '../../fakes/aws.js';
import { VirtualClock } from '../../support/virtual-clock.js';

export const OLD_IMAGE = 'ami-0aaaaaaaaaaaaaaa1';
export const NEW_IMAGE = 'ami-0bbbbbbbbbbbbbbb2';
export const GATE_ALARM = 'shop-5xx';

export interface ListenerWorld {
  clock: VirtualClock;
  aws: FakeAws;
  lbArn: string;
  listenerArn: string;
  blueTg: string;
  adminTg: string;
  rules: { api: string; fixed: string; admin: string };
  /** With `https`: the load balancer's HTTPS listener, whose default action and /api/* rule forward to blue, its /admin/* rule to admin. */
  https?: { listenerArn: string; api: string; admin: string };
}

export function configFor(world: ListenerWorld, overrides: Partial<ReplicaListenerConfig> = {}): ReplicaListenerConfig {
  return {
    service: 'shop',
    strategy: 'replica-listener',
    blue: { autoScalingGroup: 'shop-web' },
    release: { kind: 'image', image: NEW_IMAGE },
    listener: { arn: world.listenerArn },
    health: { timeoutSeconds: 300, intervalSeconds: 10 },
    retire: { afterSeconds: 60, action: 'scale-to-zero' },
    state: { dir: '/srv/shop/.bluegreen' },
    ssh: { address: 'private', connectTimeoutSeconds: 30, connectionAttempts: 4, parallel: 10, hostKeys: 'strict' },
    source: { file: '/srv/shop/bluegreen.yml', digest: 'sha256:test' },
    ...overrides,
  };
}

export function listenerWorld(
  options: { instances?: number; network?: boolean; deregistrationDelay?: number; inServiceAfterSeconds?: number | null; https?: boolean } = {},
): ListenerWorld {
  const clock = new VirtualClock();
  const aws = new FakeAws({ clock, inServiceAfterSeconds: options.inServiceAfterSeconds === undefined ? 30 : options.inServiceAfterSeconds });
  const n = options.instances ?? 2;
  aws.addImage(OLD_IMAGE, 'shop-1.0');
  aws.addImage(NEW_IMAGE, 'shop-1.1');
  aws.addLaunchConfiguration({ LaunchConfigurationName: 'shop-web-lc', ImageId: OLD_IMAGE, InstanceType: 't3.small', SecurityGroups: ['sg-0123'] });
  const network = options.network ?? false;
  const blueTg = aws.addTargetGroup(
    'shop-web',
    [],
    {
      'deregistration_delay.timeout_seconds': String(options.deregistrationDelay ?? 120),
      'stickiness.enabled': 'true',
      'stickiness.type': 'lb_cookie',
      'slow_start.duration_seconds': '30',
      'load_balancing.algorithm.type': 'least_outstanding_requests',
    },
    {
      settings: network
        ? { Protocol: 'TCP', Port: 8080, HealthCheckProtocol: 'TCP', HealthCheckPath: undefined }
        : {
            Port: 8080,
            ProtocolVersion: 'HTTP1',
            HealthCheckPath: '/up',
            HealthCheckProtocol: 'HTTP',
            HealthCheckPort: 'traffic-port',
            Matcher: { HttpCode: '200-299' },
          },
      tags: [{ Key: 'team', Value: 'web' }],
    },
  );
  const adminTg = aws.addTargetGroup('shop-admin');
  const lbArn = aws.addAlb('shop', { type: network ? 'network' : 'application' });
  const listenerArn = aws.addListener(lbArn, [{ Type: 'forward', TargetGroupArn: blueTg }]);
  const rules = network
    ? { api: '', fixed: '', admin: '' }
    : {
        api: aws.addRule(listenerArn, {
          priority: 10,
          conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }],
          actions: [
            {
              Type: 'forward',
              ForwardConfig: {
                TargetGroups: [{ TargetGroupArn: blueTg, Weight: 1 }],
                TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 600 },
              },
            },
          ],
        }),
        fixed: aws.addRule(listenerArn, {
          priority: 20,
          conditions: [{ Field: 'path-pattern', Values: ['/maintenance'] }],
          actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503', ContentType: 'text/plain', MessageBody: 'later' } }],
        }),
        admin: aws.addRule(listenerArn, {
          priority: 30,
          conditions: [{ Field: 'path-pattern', Values: ['/admin/*'] }],
          actions: [{ Type: 'forward', TargetGroupArn: adminTg }],
        }),
      };
  const https = options.https ? addHttpsListener(aws, lbArn, blueTg, adminTg) : undefined;
  aws.addGroup({
    AutoScalingGroupName: 'shop-web',
    LaunchConfigurationName: 'shop-web-lc',
    MinSize: n,
    MaxSize: n * 2,
    DesiredCapacity: n,
    VPCZoneIdentifier: 'subnet-a,subnet-b',
    HealthCheckType: 'ELB',
    HealthCheckGracePeriod: 90,
    TargetGroupARNs: [blueTg],
    Tags: [{ Key: 'Name', Value: 'shop-web', PropagateAtLaunch: true }],
  });
  aws.addPolicy({
    AutoScalingGroupName: 'shop-web',
    PolicyName: 'requests-per-target',
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingConfiguration: {
      PredefinedMetricSpecification: {
        PredefinedMetricType: 'ALBRequestCountPerTarget',
        ResourceLabel: `${lbArn.split(':loadbalancer/')[1]}/${blueTg.split(':')[5]}`,
      },
      TargetValue: 1000,
    },
  });
  aws.addAlarm({
    AlarmName: GATE_ALARM,
    MetricName: 'HTTPCode_Target_5XX_Count',
    Namespace: 'AWS/ApplicationELB',
    Statistic: 'Sum',
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 10,
    ComparisonOperator: 'GreaterThanThreshold',
  });
  aws.setAlarmState(GATE_ALARM, 'OK');
  return { clock, aws, lbArn, listenerArn, blueTg, adminTg, rules, ...(https ? { https } : {}) };
}

/** A second listener of the same ALB (HTTPS :443): its default action and /api/* rule forward to blue, /admin/* to admin. */
function addHttpsListener(aws: FakeAws, lbArn: string, blueTg: string, adminTg: string): NonNullable<ListenerWorld['https']> {
  const listenerArn = aws.addListener(lbArn, [{ Type: 'forward', TargetGroupArn: blueTg }], { port: 443, protocol: 'HTTPS' });
  const api = aws.addRule(listenerArn, {
    priority: 10,
    conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }],
    actions: [{ Type: 'forward', TargetGroupArn: blueTg }],
  });
  const admin = aws.addRule(listenerArn, {
    priority: 20,
    conditions: [{ Field: 'path-pattern', Values: ['/admin/*'] }],
    actions: [{ Type: 'forward', TargetGroupArn: adminTg }],
  });
  return { listenerArn, api, admin };
}

/** An image release runs no remote command: the handlers get services that refuse. */
export const noRemote: StrategyServices = {
  remote: () => {
    throw new Error('replica-listener asked for a remote-command runner');
  },
};

export { engineRun } from '../../support/engine-run.js';
