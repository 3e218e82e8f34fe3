import { describe, expect, it } from 'vitest';
import { replicaDns } from '../../../src/strategies/replica-dns/index.js';
import type { Observed } from '../../../src/strategies/replica-dns/index.js';
import { blueWorld, configFor, NEW_IMAGE, RECORD, SNS, ZONE } from './world.js';

async function observed(launch: 'configuration' | 'template' = 'configuration'): Promise<Observed> {
  const world = blueWorld({ launch });
  return replicaDns.observe(configFor(), world.aws);
}

describe('replica-dns plan', () => {
  it('lists the steps in order with stable ids, kinds and titles', async () => {
    const plan = replicaDns.plan(configFor(), await observed(), 'k3x9a');
    expect(plan.deploymentId).toBe('k3x9a');
    expect(plan.steps.map((s) => [s.id, s.kind, s.title])).toEqual([
      ['create-launch', 'replica-dns/create-launch', `Create launch configuration shop-green-k3x9a from shop-web-lc with image ${NEW_IMAGE}`],
      ['create-load-balancer', 'replica-dns/create-load-balancer', 'Create classic load balancer shop-green-k3x9a like shop-web-elb'],
      ['create-group', 'replica-dns/create-group', 'Create Auto Scaling group shop-green-k3x9a like shop-web'],
      ['copy-scaling-policies', 'replica-dns/copy-scaling-policies', 'Copy 2 scaling policies of shop-web to shop-green-k3x9a'],
      ['copy-alarms', 'replica-dns/copy-alarms', "Copy 1 alarm of shop-web's policies to shop-green-k3x9a"],
      ['wait-healthy', 'replica-dns/wait-healthy', 'Wait until shop-green-k3x9a has all its instances InService in shop-green-k3x9a'],
      ['switch-dns', 'replica-dns/switch-dns', `Point ${RECORD} at shop-green-k3x9a`],
      ['settle-green', 'replica-dns/settle-green', "Let shop-green-k3x9a scale as shop-web does, now that it serves: MinSize back to shop-web's"],
      ['wait-retire', 'replica-dns/wait-retire', 'Wait 300s for clients to move to green before retiring blue'],
      ['retire-blue', 'replica-dns/retire-blue', 'Scale shop-web to zero'],
    ]);
  });

  it('says what each step creates, changes and waits for', async () => {
    const o = await observed();
    const plan = replicaDns.plan(configFor(), o, 'k3x9a');
    const by = Object.fromEntries(plan.steps.map((s) => [s.id, s]));
    expect(by['create-launch']?.creates).toEqual([{ type: 'launch-configuration', name: 'shop-green-k3x9a' }]);
    expect(by['create-load-balancer']?.creates).toEqual([{ type: 'load-balancer', name: 'shop-green-k3x9a' }]);
    expect(by['create-group']?.creates).toEqual([{ type: 'auto-scaling-group', name: 'shop-green-k3x9a' }]);
    expect(by['copy-scaling-policies']?.creates?.map((c) => c.name).sort()).toEqual(['shop-green-k3x9a/cpu-50', 'shop-green-k3x9a/scale-up']);
    expect(by['copy-alarms']?.creates).toEqual([{ type: 'alarm', name: 'shop-green-k3x9a-shop-web-cpu-high' }]);
    expect(by['wait-healthy']?.waits).toBe('until 2 of 2 instances are InService in shop-green-k3x9a (timeout 300s, every 10s)');
    expect(by['switch-dns']?.changes).toEqual([
      { what: `DNS record ${RECORD}`, from: o.blue.loadBalancer.description.DNSName, to: 'shop-green-k3x9a' },
    ]);
    expect(by['switch-dns']?.waits).toBe('until the change is INSYNC (timeout 300s)');
    expect(by['retire-blue']?.changes).toEqual([
      { what: 'capacity of shop-web', from: 'min 2, max 4, desired 2', to: 'min 0, max 0, desired 0' },
      {
        what: 'suspended processes of shop-web (scheduled actions and alarm-driven policies would scale it up)',
        from: 'AZRebalance',
        to: 'AZRebalance, AlarmNotification, ScheduledActions',
      },
    ]);
  });

  it('puts every decision in JSON params: names, blue, timeouts, inputs without secrets', async () => {
    const o = await observed();
    const plan = replicaDns.plan(configFor({ health: { timeoutSeconds: 120, intervalSeconds: 5 } }), o, 'k3x9a');
    for (const s of plan.steps) expect(JSON.parse(JSON.stringify(s.params))).toEqual(s.params);
    const by = Object.fromEntries(plan.steps.map((s) => [s.id, s.params]));
    expect(by['create-launch']).toEqual({
      kind: 'configuration',
      name: 'shop-green-k3x9a',
      image: NEW_IMAGE,
      source: 'shop-web-lc',
      tags: { service: 'shop', deploymentId: 'k3x9a', color: 'green' },
    });
    expect(by['create-group']).toMatchObject({
      name: 'shop-green-k3x9a',
      blueGroup: 'shop-web',
      suspendedProcesses: ['AZRebalance'],
      metrics: { metrics: ['GroupInServiceInstances'], granularity: '1Minute' },
      input: { LaunchConfigurationName: 'shop-green-k3x9a', LoadBalancerNames: ['shop-green-k3x9a'], MinSize: 2, MaxSize: 4, DesiredCapacity: 2 },
      holdMinSize: true,
    });
    expect(by['copy-alarms']).toMatchObject({
      group: 'shop-green-k3x9a',
      alarms: [{ AlarmName: 'shop-green-k3x9a-shop-web-cpu-high', AlarmActions: [expect.stringContaining(':policyName/scale-up'), SNS] }],
    });
    expect(Object.values((by['copy-alarms'] as { policyNameByBlueArn: Record<string, string> }).policyNameByBlueArn).sort()).toEqual([
      'cpu-50',
      'scale-up',
    ]);
    expect(by['wait-healthy']).toEqual({ group: 'shop-green-k3x9a', loadBalancer: 'shop-green-k3x9a', timeoutSeconds: 120, intervalSeconds: 5 });
    expect(by['switch-dns']).toEqual({
      zoneId: ZONE,
      recordName: RECORD,
      loadBalancer: 'shop-green-k3x9a',
      from: `dualstack.${o.blue.loadBalancer.description.DNSName}.`,
      region: null,
      evaluateTargetHealth: true,
      syncTimeoutSeconds: 300,
      blueLoadBalancer: 'shop-web-elb',
      clientSeconds: 180, // the alias TTL and blue's (so green's) 120s of connection draining
      rollbackWaitSeconds: 300,
      capacity: {
        green: 'shop-green-k3x9a',
        blue: { group: 'shop-web', loadBalancer: 'shop-web-elb' },
        holdStep: 'switch-dns',
        holds: true,
        timeoutSeconds: 120,
        intervalSeconds: 5,
      },
    });
    expect(by['settle-green']).toEqual({ group: 'shop-green-k3x9a', suspend: [], minSize: 2, groupStep: 'create-group' });
    expect(by['wait-retire']).toEqual({ seconds: 300, intervalSeconds: 30 });
    expect(by['retire-blue']).toMatchObject({
      action: 'scale-to-zero',
      group: 'shop-web',
      loadBalancer: 'shop-web-elb',
      launch: { kind: 'configuration', name: 'shop-web-lc', own: false },
      policies: ['scale-up', 'cpu-50'],
      alarms: ['shop-web-cpu-high'],
      timeoutSeconds: 120,
      holdStep: 'switch-dns',
    });
  });

  it('is pure: the same input gives the same plan and the observation is not changed', async () => {
    const o = await observed();
    const copy = structuredClone(o);
    const a = replicaDns.plan(configFor(), o, 'k3x9a');
    const b = replicaDns.plan(configFor(), o, 'k3x9a');
    expect(a).toEqual(b);
    expect(o).toEqual(copy);
  });

  it('gives a summary for people and status', async () => {
    const plan = replicaDns.plan(configFor(), await observed(), 'k3x9a');
    expect(plan.summary).toEqual({
      blue: { color: 'blue', group: 'shop-web', loadBalancer: 'shop-web-elb' },
      green: { color: 'green', group: 'shop-green-k3x9a', loadBalancer: 'shop-green-k3x9a', launch: 'shop-green-k3x9a' },
      image: NEW_IMAGE,
      record: { zone: ZONE, name: RECORD },
    });
  });

  it('warns when delete makes rollback impossible, when the wait is short, and when a template moves', async () => {
    const del = replicaDns.plan(configFor({ retire: { afterSeconds: 30, action: 'delete' } }), await observed('template'), 'k3x9a');
    expect(del.warnings).toEqual([
      "blue's launch template shop-web-lt is used as $Latest; green copies version 2 and is pinned to its own template shop-green-k3x9a version 1",
      'retire.after is 30s: a rollback after traffic moved deletes green that long after shop.example.com points back at blue, but clients cache the alias for 60s (many resolvers longer) and green drains connections for 120s; set retire.after to 3m or more so their requests are not lost',
      'blue shop-web has 1 process suspended (AZRebalance); green gets it too',
      'retire.action delete: after the retire-blue step, rollback cannot bring blue (shop-web) back; use scale-to-zero to keep that possibility',
      "retire.action delete keeps blue's launch-template shop-web-lt: bluegreen did not create it",
      'retire.after is 30s: clients cache alias records to load balancers for 60s and many resolvers longer, so blue may still get traffic when it is retired',
    ]);
    const retire = del.steps.at(-1);
    expect(retire?.title).toBe('Delete blue stack shop-web');
    // Emptied first as scale-to-zero does; the alarm that also notifies SNS is kept, without blue's policy.
    expect(retire?.changes).toEqual([
      { what: 'capacity of shop-web', from: 'min 2, max 4, desired 2', to: 'min 0, max 0, desired 0' },
      {
        what: 'suspended processes of shop-web (scheduled actions and alarm-driven policies would scale it up)',
        from: 'AZRebalance',
        to: 'AZRebalance, AlarmNotification, ScheduledActions',
      },
      {
        what: "actions of alarm shop-web-cpu-high (it also acts elsewhere: kept, without blue's policies)",
        from: expect.stringMatching(new RegExp(`:autoScalingGroupName/shop-web:policyName/scale-up, ${SNS}$`)) as string,
        to: SNS,
      },
      { what: 'blue stack', from: 'group shop-web, load balancer shop-web-elb, 2 policies, 0 alarms', to: 'deleted' },
    ]);
    // blue's termination hook (drain) may hold each instance 60s more than the group's own deletion time
    expect(retire?.waits).toBe(
      'until every instance of shop-web has terminated through its termination hooks, then until the group is deleted (without ForceDelete; at most 960s each)',
    );
    expect(del.steps[0]?.params).toMatchObject({ kind: 'template', source: { version: 2 } });
    const keep = replicaDns.plan(configFor({ retire: { afterSeconds: 300, action: 'keep' } }), await observed(), 'k3x9a');
    expect(keep.steps.at(-1)).toMatchObject({ title: 'Keep shop-web as it is' });
    expect(keep.steps.at(-1)?.changes).toBeUndefined();
  });

  it('refuses a deployment id or service that would make an invalid load balancer name', async () => {
    const o = await observed();
    expect(() => replicaDns.plan(configFor(), o, 'K3X9A')).toThrow(/deployment id/);
    expect(() => replicaDns.plan(configFor({ service: 'a'.repeat(21) }), o, 'k3x9a')).toThrow(/at most 32/);
    expect(replicaDns.plan(configFor({ service: 'a'.repeat(20) }), o, 'k3x9a').summary.green).toMatchObject({
      loadBalancer: `${'a'.repeat(20)}-green-k3x9a`,
    });
  });
});
