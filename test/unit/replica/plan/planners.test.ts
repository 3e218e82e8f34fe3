/** The step planners of the replica core, each with exact inputs (fixtures.ts) and its exact steps and warnings. */
import { describe, expect, it } from 'vitest';
import { planBakeSteps } from '../../../../src/strategies/replica/bake-plan.js';
import { planCopyAlarms, planCopyPolicies, planCreateGroup } from '../../../../src/strategies/replica/plan/group.js';
import { planGates, planWaitHealthy } from '../../../../src/strategies/replica/plan/health.js';
import { planCreateLaunch } from '../../../../src/strategies/replica/plan/launch.js';
import { planGateAlarms, planRetireBlue, planWaitRetire } from '../../../../src/strategies/replica/plan/retire.js';
import { config, context, observed, POLICY_ARN } from './fixtures.js';

describe('replica core step planners', () => {
  it("create-launch copies blue's launch configuration with the new image, and warns that launch configurations are legacy", () => {
    expect(planCreateLaunch(context())).toEqual({
      steps: [
        {
          id: 'create-launch',
          kind: 'replica-test/create-launch',
          title: 'Create launch configuration shop-green-k3x9a from shop-web-lc with image ami-new',
          params: {
            kind: 'configuration',
            name: 'shop-green-k3x9a',
            image: 'ami-new',
            source: 'shop-web-lc',
            tags: {
              service: 'shop',
              deploymentId: 'k3x9a',
              color: 'green',
            },
          },
          creates: [
            {
              type: 'launch-configuration',
              name: 'shop-green-k3x9a',
            },
          ],
        },
      ],
      warnings: [
        'blue uses launch configuration shop-web-lc; AWS no longer lets new accounts create launch configurations, so consider moving shop-web to a launch template',
      ],
    });
  });

  it("create-group: blue's sizes and settings, green's launch, the front's load balancer, input, title, tail and warnings", () => {
    expect(planCreateGroup(context())).toEqual({
      steps: [
        {
          id: 'create-group',
          kind: 'replica-test/create-group',
          title: 'Create Auto Scaling group shop-green-k3x9a like shop-web, in the front',
          params: {
            name: 'shop-green-k3x9a',
            blueGroup: 'shop-web',
            input: {
              AutoScalingGroupName: 'shop-green-k3x9a',
              LaunchConfigurationName: 'shop-green-k3x9a',
              MinSize: 2,
              MaxSize: 4,
              DesiredCapacity: 2,
              DefaultCooldown: 300,
              VPCZoneIdentifier: 'subnet-a',
              HealthCheckType: 'EC2',
              LoadBalancerNames: ['green-lb'],
              Tags: [
                {
                  Key: 'bluegreen:service',
                  Value: 'shop',
                  PropagateAtLaunch: true,
                },
                {
                  Key: 'bluegreen:deployment',
                  Value: 'k3x9a',
                  PropagateAtLaunch: true,
                },
                {
                  Key: 'bluegreen:color',
                  Value: 'green',
                  PropagateAtLaunch: true,
                },
              ],
              Extra: [],
            },
            suspendedProcesses: [],
            metrics: null,
            lifecycleHooks: [],
            deleteTimeoutSeconds: 900,
            intervalSeconds: 10,
            holdMinSize: true,
            tail: 'last',
          },
          creates: [
            {
              type: 'auto-scaling-group',
              name: 'shop-green-k3x9a',
            },
          ],
        },
      ],
      warnings: ['group warning'],
    });
  });

  it("copy-scaling-policies: each named policy for green, with the front's rewrite and tail", () => {
    expect(planCopyPolicies(context())).toEqual({
      steps: [
        {
          id: 'copy-scaling-policies',
          kind: 'replica-test/copy-scaling-policies',
          title: 'Copy 1 scaling policy of shop-web to shop-green-k3x9a',
          params: {
            group: 'shop-green-k3x9a',
            policies: [
              {
                AutoScalingGroupName: 'shop-green-k3x9a',
                PolicyName: 'scale-out',
                PolicyType: 'SimpleScaling',
                ScalingAdjustment: 1,
              },
            ],
            rewrite: 'dim',
            tail: 'last',
          },
          creates: [
            {
              type: 'scaling-policy',
              name: 'shop-green-k3x9a/scale-out',
            },
          ],
        },
      ],
      warnings: [],
    });
  });

  it("copy-alarms: the alarms of blue's policies but target tracking's, renamed for green; a missing one is a warning", () => {
    expect(planCopyAlarms(context())).toEqual({
      steps: [
        {
          id: 'copy-alarms',
          kind: 'replica-test/copy-alarms',
          title: "Copy 1 alarm of shop-web's policies to shop-green-k3x9a",
          params: {
            group: 'shop-green-k3x9a',
            alarms: [
              {
                AlarmName: 'shop-green-k3x9a-cpu-high',
                AlarmActions: ['arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:p1:autoScalingGroupName/shop-web:policyName/scale-out'],
                MetricName: 'CPUUtilization',
                Namespace: 'AWS/EC2',
                Dimensions: [
                  {
                    Name: 'AutoScalingGroupName',
                    Value: 'shop-green-k3x9a',
                  },
                ],
                Tags: [
                  {
                    Key: 'bluegreen:service',
                    Value: 'shop',
                  },
                  {
                    Key: 'bluegreen:deployment',
                    Value: 'k3x9a',
                  },
                  {
                    Key: 'bluegreen:color',
                    Value: 'green',
                  },
                ],
              },
            ],
            policyNameByBlueArn: {
              'arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:p1:autoScalingGroupName/shop-web:policyName/scale-out': 'scale-out',
            },
            rewrite: 'dim',
            tail: 'last',
          },
          creates: [
            {
              type: 'alarm',
              name: 'shop-green-k3x9a-cpu-high',
            },
          ],
        },
      ],
      warnings: ["alarms named by blue's policies were not found and will not be copied: gone"],
    });
  });

  it("copy-alarms and copy-scaling-policies: the front's dimensions (blue's front) made green's when planning", () => {
    const elb = [{ Name: 'LoadBalancerName', Value: 'blue-lb' }];
    const base = observed();
    const o = observed({
      alarms: [{ ...base.blue.alarms[0], Namespace: 'AWS/ELB', MetricName: 'Latency', Dimensions: elb }],
      policies: [
        {
          ...base.blue.policies[0],
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingConfiguration: {
            CustomizedMetricSpecification: { Namespace: 'AWS/ELB', MetricName: 'RequestCount', Statistic: 'Sum', Dimensions: elb },
            TargetValue: 1000,
          },
        },
      ],
    });
    const ctx = context({ observed: o, front: { dimensions: [{ name: 'LoadBalancerName', from: 'blue-lb', to: 'green-lb' }] } });
    const [alarm] = planCopyAlarms(ctx).steps[0]?.params.alarms as { Dimensions: unknown }[];
    expect(alarm?.Dimensions).toEqual([{ Name: 'LoadBalancerName', Value: 'green-lb' }]);
    const [policy] = planCopyPolicies(ctx).steps[0]?.params.policies as {
      TargetTrackingConfiguration: { CustomizedMetricSpecification: { Dimensions: unknown } };
    }[];
    expect(policy?.TargetTrackingConfiguration.CustomizedMetricSpecification.Dimensions).toEqual([{ Name: 'LoadBalancerName', Value: 'green-lb' }]);
    // Without the front's dimensions (replica-listener rewrites when the step runs), blue's stays.
    const [kept] = planCopyAlarms(context({ observed: o })).steps[0]?.params.alarms as { Dimensions: unknown }[];
    expect(kept?.Dimensions).toEqual(elb);
  });

  it("wait-healthy: the front's lead first and tail last, its words in the title and waits", () => {
    expect(planWaitHealthy(context())).toEqual({
      steps: [
        {
          id: 'wait-healthy',
          kind: 'replica-test/wait-healthy',
          title: 'Wait until shop-green-k3x9a has all its instances InService and well in green-front',
          params: {
            group: 'shop-green-k3x9a',
            lead: 'first',
            timeoutSeconds: 300,
            intervalSeconds: 10,
            tail: 'last',
          },
          waits: 'until 2 of 2 instances are InService and well in green-front (timeout 300s, every 10s)',
        },
      ],
      warnings: [],
    });
  });

  it('check-http: no step without gates.http', () => {
    expect(planGates(context())).toEqual({
      steps: [],
      warnings: [],
    });
  });

  it('check-http: one check, where the front says it goes', () => {
    expect(
      planGates(
        context({
          config: config({
            gates: { alarms: ['5xx'], http: [{ url: 'http://{green.loadBalancerDns}/health', expect: 200, tries: 3, intervalSeconds: 5 }] },
          }),
        }),
      ),
    ).toEqual({
      steps: [
        {
          id: 'check-http',
          kind: 'replica-test/check-http',
          title: 'Check the front over HTTP: 1 check',
          params: {
            lead: 'first',
            checks: [
              {
                url: 'http://{green.loadBalancerDns}/health',
                expect: 200,
                tries: 3,
                intervalSeconds: 5,
              },
            ],
            tail: 'last',
          },
          waits: 'GET http://{green.loadBalancerDns}/health answers 200 on it (3 tries, every 5s, 10s each)',
        },
      ],
      warnings: [],
    });
  });

  it("wait-retire: the front's floor and warnings, progress every 30s", () => {
    expect(planWaitRetire(context())).toEqual({
      steps: [
        {
          id: 'wait-retire',
          kind: 'replica-test/wait-retire',
          title: 'Wait 300s for clients to move to green before retiring blue',
          params: {
            seconds: 300,
            intervalSeconds: 30,
          },
          waits: '300s',
        },
      ],
      warnings: ['wait warning'],
    });
  });

  it("wait-retire with untilRequestsBelow and a gate alarm: the front's metric, then the window and ceiling", () => {
    expect(
      planWaitRetire(
        context({ config: config({ gates: { alarms: ['5xx'], http: [] }, retire: { afterSeconds: 120, action: 'keep', untilRequestsBelow: 5 } }) }),
      ),
    ).toEqual({
      steps: [
        {
          id: 'wait-retire',
          kind: 'replica-test/wait-retire',
          title: 'Wait 300s and until blue gets fewer than 5 requests a minute for clients to move to green before retiring blue',
          params: {
            alarms: ['5xx'],
            seconds: 300,
            intervalSeconds: 10,
            drain: {
              metric: 'm',
              below: 5,
              windowMinutes: 3,
              ceilingSeconds: 3600,
            },
          },
          waits:
            '300s and until blue-front gets fewer than 5 requests a minute for 3 whole minutes in a row (CloudWatch RequestCount, minutes ended 60s ago or more; at most 60 minutes past the floor), watching alarm 5xx',
        },
      ],
      warnings: ['wait warning'],
    });
  });

  it('gate alarms in ALARM now: a warning naming the first traffic step, no step', () => {
    expect(planGateAlarms(context({ observed: { ...observed(), alarmsFiring: ['5xx', '4xx'] } }))).toEqual({
      steps: [],
      warnings: [
        'gates.alarms: alarms 5xx, 4xx are in ALARM now; unless they return to OK before the switch step, green will be built and then rolled back without the switch',
      ],
    });
  });

  it("retire-blue scale-to-zero: the front's params after the group, every size to 0 and the processes to suspend as the changes", () => {
    expect(planRetireBlue(context())).toEqual({
      steps: [
        {
          id: 'retire-blue',
          kind: 'replica-test/retire-blue',
          title: 'Scale shop-web to zero',
          params: {
            action: 'scale-to-zero',
            group: 'shop-web',
            front: 'blue-front',
            launch: {
              kind: 'configuration',
              name: 'shop-web-lc',
              own: false,
            },
            policies: ['scale-out'],
            alarms: ['cpu-high'],
            timeoutSeconds: 300,
            intervalSeconds: 10,
            deleteTimeoutSeconds: 900,
            holdStep: 'switch',
          },
          changes: [
            {
              what: 'capacity of shop-web',
              from: 'min 2, max 4, desired 2',
              to: 'min 0, max 0, desired 0',
            },
            {
              what: 'suspended processes of shop-web (scheduled actions and alarm-driven policies would scale it up)',
              from: 'none',
              to: 'AlarmNotification, ScheduledActions',
            },
          ],
        },
      ],
      warnings: ['retire warning'],
    });
  });

  it("retire-blue delete: what goes, and the warnings (the front's last)", () => {
    const [scale] = planRetireBlue(context()).steps;
    expect(planRetireBlue(context({ config: config({ retire: { afterSeconds: 300, action: 'delete' } }) }))).toEqual({
      steps: [
        {
          ...scale,
          title: 'Delete blue stack shop-web',
          params: { ...scale?.params, action: 'delete', policyArns: [POLICY_ARN] },
          // emptied first, through its termination hooks, as scale-to-zero does
          changes: [...(scale?.changes ?? []), { what: 'blue stack', from: 'group shop-web, front blue-front, 1 policy, 1 alarm', to: 'deleted' }],
          waits:
            'until every instance of shop-web has terminated through its termination hooks, then until the group is deleted (without ForceDelete; at most 900s each)',
        },
      ],
      warnings: [
        'retire.action delete: after the retire-blue step, rollback cannot bring blue (shop-web) back; use scale-to-zero to keep that possibility',
        "retire.action delete keeps blue's launch-configuration shop-web-lc: bluegreen did not create it",
        'retire warning',
      ],
    });
  });

  it('no bake steps for a release by image', () => {
    expect(planBakeSteps(context())).toEqual({ steps: [], warnings: [] });
  });

  it('the bake steps for a release by commands, kinds under the strategy', () => {
    const { steps, warnings } = planBakeSteps(context({ config: config({ release: { kind: 'commands', commands: ['make'], via: 'ssm' } }) }));
    expect(warnings).toEqual([]);
    expect(steps.map((s) => [s.id, s.kind])).toEqual([
      ['launch-builder', 'replica-test/launch-builder'],
      ['wait-running', 'replica-test/wait-running'],
      ['wait-reachable', 'replica-test/wait-reachable'],
      ['run-commands', 'replica-test/run-commands'],
      ['bake-image', 'replica-test/bake-image'],
      ['terminate-builder', 'replica-test/terminate-builder'],
    ]);
    expect(steps[2]).toEqual({
      id: 'wait-reachable',
      kind: 'replica-test/wait-reachable',
      title: 'Wait until builder shop-green-k3x9a-builder answers over ssm',
      params: { via: 'ssm', address: 'private', connectTimeoutSeconds: 30, attempts: 4, parallel: 10 },
      waits: 'until it is Online in SSM',
    });
  });
});
