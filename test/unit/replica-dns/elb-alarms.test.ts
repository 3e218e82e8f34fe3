/**
 * Issue 10 item 11: an alarm copy must watch green's load balancer. Blue's alarms on AWS/ELB metrics name
 * blue's classic load balancer in LoadBalancerName; a copy that kept it would scale green on blue's
 * traffic (and, once blue is retired, on no data at all).
 */
import { describe, expect, it } from 'vitest';
import { replicaDns, STEP } from '../../../src/strategies/replica-dns/index.js';
import { blueWorld, configFor, noRemote, type World } from './world.js';

const GREEN = 'shop-green-k3x9a';

/** Blue's latency alarm on its load balancer, driving blue's scale-up policy; metric math on both dimensions too. */
async function withElbAlarms(world: World): Promise<void> {
  const [up] = (await world.aws.groups.describePolicies('shop-web')).filter((p) => p.PolicyName === 'scale-up');
  world.aws.addAlarm({
    AlarmName: 'shop-web-latency',
    AlarmActions: [up?.PolicyARN as string],
    Namespace: 'AWS/ELB',
    MetricName: 'Latency',
    Statistic: 'Average',
    Dimensions: [{ Name: 'LoadBalancerName', Value: 'shop-web-elb' }],
    Period: 60,
    EvaluationPeriods: 3,
    Threshold: 0.5,
    ComparisonOperator: 'GreaterThanThreshold',
  });
  world.aws.addAlarm({
    AlarmName: 'shop-web-errors-per-instance',
    AlarmActions: [up?.PolicyARN as string],
    Metrics: [
      {
        Id: 'errors',
        MetricStat: {
          Metric: { Namespace: 'AWS/ELB', MetricName: 'HTTPCode_Backend_5XX', Dimensions: [{ Name: 'LoadBalancerName', Value: 'shop-web-elb' }] },
          Period: 60,
          Stat: 'Sum',
        },
        ReturnData: false,
      },
      {
        Id: 'instances',
        MetricStat: {
          Metric: {
            Namespace: 'AWS/AutoScaling',
            MetricName: 'GroupInServiceInstances',
            Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'shop-web' }],
          },
          Period: 60,
          Stat: 'Average',
        },
        ReturnData: false,
      },
      { Id: 'ratio', Expression: 'errors / instances', ReturnData: true },
    ],
    EvaluationPeriods: 2,
    Threshold: 10,
    ComparisonOperator: 'GreaterThanThreshold',
  });
}

describe("replica-dns: alarm copies watch green's load balancer", () => {
  it("points an AWS/ELB alarm's LoadBalancerName at green's load balancer, in dimensions and in metric math", async () => {
    const world = blueWorld();
    await withElbAlarms(world);
    const config = configFor({ retire: { afterSeconds: 0, action: 'keep' } });
    const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
    const registry = replicaDns.handlers(world.aws, noRemote);
    await world.journal.applyAll(
      registry,
      plan.steps.filter((s) => s.id !== STEP.switchDns && !s.id.startsWith('retire') && !s.id.startsWith('wait-retire')),
    );

    const [latency] = await world.aws.alarms.describeAlarms([`${GREEN}-shop-web-latency`]);
    expect(latency?.Namespace).toBe('AWS/ELB');
    expect(latency?.Dimensions).toEqual([{ Name: 'LoadBalancerName', Value: GREEN }]);
    const [ratio] = await world.aws.alarms.describeAlarms([`${GREEN}-shop-web-errors-per-instance`]);
    expect(ratio?.Metrics?.map((m) => m.MetricStat?.Metric?.Dimensions)).toEqual([
      [{ Name: 'LoadBalancerName', Value: GREEN }],
      [{ Name: 'AutoScalingGroupName', Value: GREEN }],
      undefined,
    ]);
    // Blue's own alarms are untouched.
    const [blue] = await world.aws.alarms.describeAlarms(['shop-web-latency']);
    expect(blue?.Dimensions).toEqual([{ Name: 'LoadBalancerName', Value: 'shop-web-elb' }]);
  });

  it("the plan already names green's load balancer in copy-alarms' params", async () => {
    const world = blueWorld();
    await withElbAlarms(world);
    const config = configFor();
    const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
    const alarms = plan.steps.find((s) => s.id === STEP.copyAlarms)?.params.alarms as { AlarmName: string; Dimensions?: unknown }[];
    expect(alarms.find((a) => a.AlarmName === `${GREEN}-shop-web-latency`)?.Dimensions).toEqual([{ Name: 'LoadBalancerName', Value: GREEN }]);
    expect(JSON.stringify(plan.steps.find((s) => s.id === STEP.copyAlarms)?.params)).not.toContain('shop-web-elb');
  });
});
