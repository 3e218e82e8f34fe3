/**
 * Whole deployments through the built CLI against moto: deploy copies blue faithfully and moves the
 * record; a crash between steps is resumed with nothing made twice; two deployments in a row;
 * rollback after a finished deployment; a held lock exits 3.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DescribeAutoScalingGroupsCommand,
  DescribeLaunchConfigurationsCommand,
  DescribePoliciesCommand,
  type AutoScalingGroup,
  DescribeNotificationConfigurationsCommand,
  DescribeScheduledActionsCommand,
  PutNotificationConfigurationCommand,
  PutScheduledUpdateGroupActionCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateLBCookieStickinessPolicyCommand,
  CreateLoadBalancerPolicyCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancerPoliciesCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  ModifyLoadBalancerAttributesCommand,
  SetLoadBalancerPoliciesForBackendServerCommand,
  SetLoadBalancerPoliciesOfListenerCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/operations.js';
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import {
  buildBlueStack,
  CLASSIC_ELB_ZONE_US_EAST_1,
  clients,
  lbDns,
  recordTarget,
  writeConfig,
  type AwsClients,
  type BlueStack,
} from '../support/blue-stack.js';
import { jsonLines, runCli, runCliUntil } from '../support/cli.js';
import { awsEnv, startMoto, type Moto } from '../support/moto.js';

let moto: Moto;
let env: Record<string, string>;
let aws: AwsClients;
let stack: BlueStack;
let dir: string;

beforeAll(async () => {
  moto = await startMoto();
  env = awsEnv(moto.endpoint);
  aws = clients(moto.endpoint);
});
afterAll(async () => {
  await moto?.stop();
});

async function setUp(options: Parameters<typeof writeConfig>[1] = {}, stackOptions: Parameters<typeof buildBlueStack>[1] = {}) {
  await moto.reset();
  stack = await buildBlueStack(moto.endpoint, stackOptions);
  dir = (await writeConfig(stack, options)).dir;
}

const bg = (...args: string[]) => runCli([...args, '-c', 'bluegreen.yml'], { cwd: dir, env });

async function statusReport(): Promise<StatusReport> {
  const r = await bg('status', '--output', 'json');
  expect(r.code, r.stderr).toBe(0);
  return jsonLines(r.stdout)[0] as unknown as StatusReport;
}

async function group(name: string): Promise<AutoScalingGroup | undefined> {
  const r = await aws.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  return r.AutoScalingGroups?.[0];
}

async function allGroups(): Promise<AutoScalingGroup[]> {
  return (await aws.autoscaling.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? [];
}

function greenOf(report: StatusReport): { group: string; loadBalancer: string } {
  const green = (report.journal?.summary as { green?: { group?: string; loadBalancer?: string } }).green;
  expect(green?.group).toBeTruthy();
  return { group: green!.group!, loadBalancer: green!.loadBalancer ?? green!.group! };
}

describe('deploy', () => {
  beforeEach(async () => {
    await setUp({}, { lifecycleHook: true });
    return () => rm(dir, { recursive: true, force: true });
  });

  it('builds green as a faithful copy of blue with the new image, moves the record, scales blue to zero', async () => {
    const r = await bg('deploy', '--yes', '--output', 'json');
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    const last = lines.at(-1) as { status?: string; event?: string };
    expect(last.event).toBeUndefined();
    expect(last.status).toBe('succeeded');
    expect(lines[0]).toMatchObject({ event: 'deployment.started', mode: 'deploy' });
    expect(lines.filter((e) => e.event === 'step.succeeded').length).toBe(lines.filter((e) => e.event === 'step.started').length);

    const report = await statusReport();
    expect(report.liveColor).toBe('green');
    expect(report.journal?.status).toBe('succeeded');
    expect(report.lock).toBeUndefined();
    const green = greenOf(report);

    // Group.
    const blueGroup = (await group(stack.groupName))!;
    const greenGroup = (await group(green.group))!;
    expect(greenGroup.MaxSize).toBe(4);
    expect(greenGroup.DesiredCapacity).toBe(2);
    expect(greenGroup.MinSize).toBe(2);
    expect(greenGroup.Instances).toHaveLength(2);
    expect(greenGroup.VPCZoneIdentifier?.split(',').sort()).toEqual([...stack.subnetIds].sort());
    expect(greenGroup.HealthCheckType).toBe('ELB');
    expect(greenGroup.HealthCheckGracePeriod).toBe(120);
    expect(greenGroup.DefaultCooldown).toBe(180);
    expect(greenGroup.TerminationPolicies).toEqual(['OldestInstance', 'Default']);
    expect(greenGroup.LoadBalancerNames).toEqual([green.loadBalancer]);
    const tags = (greenGroup.Tags ?? []).map((t) => `${t.Key}=${t.Value}:${t.PropagateAtLaunch}`);
    expect(tags).toEqual(expect.arrayContaining(['Name=shop-web:true', 'team=checkout:true', 'cost-center=cc-42:false']));

    // Launch configuration: blue's fields, the new image.
    const lcs = await aws.autoscaling.send(
      new DescribeLaunchConfigurationsCommand({ LaunchConfigurationNames: [greenGroup.LaunchConfigurationName!, stack.launchConfigurationName] }),
    );
    const greenLc = lcs.LaunchConfigurations!.find((l) => l.LaunchConfigurationName === greenGroup.LaunchConfigurationName)!;
    const blueLc = lcs.LaunchConfigurations!.find((l) => l.LaunchConfigurationName === stack.launchConfigurationName)!;
    expect(greenLc.ImageId).toBe(stack.releaseImageId);
    for (const field of [
      'InstanceType',
      'KeyName',
      'SecurityGroups',
      'IamInstanceProfile',
      'UserData',
      'InstanceMonitoring',
      'BlockDeviceMappings',
      'MetadataOptions',
    ] as const) {
      expect(greenLc[field], field).toEqual(blueLc[field]);
    }

    // Load balancer: listeners, health check, subnets, security groups, attributes, tags.
    const lbs = await aws.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerNames: [stack.loadBalancerName, green.loadBalancer] }));
    const blueLb = lbs.LoadBalancerDescriptions!.find((l) => l.LoadBalancerName === stack.loadBalancerName)!;
    const greenLb = lbs.LoadBalancerDescriptions!.find((l) => l.LoadBalancerName === green.loadBalancer)!;
    const listeners = (l: typeof blueLb) =>
      (l.ListenerDescriptions ?? []).map((d) => d.Listener).sort((a, b) => (a?.LoadBalancerPort ?? 0) - (b?.LoadBalancerPort ?? 0));
    expect(listeners(greenLb)).toEqual(listeners(blueLb));
    expect(greenLb.HealthCheck).toEqual(blueLb.HealthCheck);
    expect([...(greenLb.Subnets ?? [])].sort()).toEqual([...(blueLb.Subnets ?? [])].sort());
    expect(greenLb.SecurityGroups).toEqual(blueLb.SecurityGroups);
    expect(greenLb.Scheme).toBe(blueLb.Scheme);
    const attrs = await aws.elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerName: green.loadBalancer }));
    expect(attrs.LoadBalancerAttributes?.ConnectionDraining).toMatchObject({ Enabled: true, Timeout: 30 });
    expect(attrs.LoadBalancerAttributes?.CrossZoneLoadBalancing).toMatchObject({ Enabled: true });
    expect(attrs.LoadBalancerAttributes?.ConnectionSettings).toMatchObject({ IdleTimeout: 120 });
    const elbTags = await aws.elb.send(new DescribeTagsCommand({ LoadBalancerNames: [green.loadBalancer] }));
    expect((elbTags.TagDescriptions?.[0]?.Tags ?? []).map((t) => `${t.Key}=${t.Value}`)).toEqual(
      expect.arrayContaining(['team=checkout', 'service=shop']),
    );

    // Scaling policy and the alarm that triggers it (the SNS action kept).
    const policies = await aws.autoscaling.send(new DescribePoliciesCommand({ AutoScalingGroupName: green.group }));
    expect(policies.ScalingPolicies).toHaveLength(1);
    const policy = policies.ScalingPolicies![0]!;
    expect(policy).toMatchObject({ PolicyType: 'SimpleScaling', AdjustmentType: 'ChangeInCapacity', ScalingAdjustment: 1, Cooldown: 300 });
    const alarms = (await aws.cloudwatch.send(new DescribeAlarmsCommand({}))).MetricAlarms ?? [];
    const greenAlarm = alarms.find((a) => a.Dimensions?.some((d) => d.Name === 'AutoScalingGroupName' && d.Value === green.group));
    expect(greenAlarm).toBeDefined();
    expect(greenAlarm!.AlarmActions).toEqual(expect.arrayContaining([policy.PolicyARN!, stack.snsTopicArn]));
    expect(greenAlarm!.AlarmActions).not.toContain(stack.policyArn);
    expect(greenAlarm).toMatchObject({ MetricName: 'CPUUtilization', Threshold: 70, EvaluationPeriods: 2, Period: 60 });

    // Traffic and blue.
    expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, green.loadBalancer));
    expect(blueGroup.DesiredCapacity).toBe(0);
    expect(blueGroup.MinSize).toBe(0);

    // User data (where secrets live) reaches neither the events nor the journal, in any encoding.
    const journalText = await readFile(join(dir, '.bluegreen', 'shop', 'journal.json'), 'utf8');
    const plain = Buffer.from(stack.userData, 'base64').toString('utf8');
    for (const text of [r.stdout, r.stderr, journalText]) {
      expect(text).not.toContain(stack.userData);
      expect(text).not.toContain('systemctl start shop');
      expect(text).not.toContain(JSON.stringify(plain).slice(1, -1));
    }
  });

  it("copies blue's classic load balancer policies (TLS negotiation, stickiness, proxy protocol) and its desync mitigation mode", async () => {
    // moto keeps and describes policies and their listener and backend sets as AWS does, but describes the
    // stickiness types by names of its own (LbCookieStickinessPolicy) and without their attribute, and
    // checks no policy type: the unit tests on the fake (elb-policies.test.ts) cover what moto cannot show.
    const lb = stack.loadBalancerName;
    const attributes = (pairs: Record<string, string>) =>
      Object.entries(pairs).map(([AttributeName, AttributeValue]) => ({ AttributeName, AttributeValue }));
    await aws.elb.send(
      new CreateLoadBalancerPolicyCommand({
        LoadBalancerName: lb,
        PolicyName: 'tls-1-2',
        PolicyTypeName: 'SSLNegotiationPolicyType',
        PolicyAttributes: attributes({ 'Reference-Security-Policy': 'ELBSecurityPolicy-TLS-1-2-2017-01' }),
      }),
    );
    await aws.elb.send(
      new CreateLoadBalancerPolicyCommand({
        LoadBalancerName: lb,
        PolicyName: 'proxy',
        PolicyTypeName: 'ProxyProtocolPolicyType',
        PolicyAttributes: attributes({ ProxyProtocol: 'true' }),
      }),
    );
    await aws.elb.send(new CreateLBCookieStickinessPolicyCommand({ LoadBalancerName: lb, PolicyName: 'sticky', CookieExpirationPeriod: 600 }));
    await aws.elb.send(new SetLoadBalancerPoliciesOfListenerCommand({ LoadBalancerName: lb, LoadBalancerPort: 443, PolicyNames: ['tls-1-2'] }));
    await aws.elb.send(new SetLoadBalancerPoliciesOfListenerCommand({ LoadBalancerName: lb, LoadBalancerPort: 80, PolicyNames: ['sticky'] }));
    await aws.elb.send(new SetLoadBalancerPoliciesForBackendServerCommand({ LoadBalancerName: lb, InstancePort: 8443, PolicyNames: ['proxy'] }));
    await aws.elb.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerName: lb,
        LoadBalancerAttributes: { AdditionalAttributes: [{ Key: 'elb.http.desyncmitigationmode', Value: 'strictest' }] },
      }),
    );

    const r = await bg('deploy', '--yes', '--output', 'json');
    expect(r.code, r.stderr).toBe(0);
    const green = greenOf(await statusReport());
    const [greenLb] =
      (await aws.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerNames: [green.loadBalancer] }))).LoadBalancerDescriptions ?? [];
    const listener = (port: number) => greenLb?.ListenerDescriptions?.find((d) => d.Listener?.LoadBalancerPort === port)?.PolicyNames;
    expect(listener(443)).toEqual(['tls-1-2']);
    expect(listener(80)).toEqual(['sticky']);
    expect(greenLb?.BackendServerDescriptions?.find((b) => b.InstancePort === 8443)?.PolicyNames).toEqual(['proxy']);
    const policies = (await aws.elb.send(new DescribeLoadBalancerPoliciesCommand({ LoadBalancerName: green.loadBalancer }))).PolicyDescriptions ?? [];
    expect(policies.find((p) => p.PolicyName === 'tls-1-2')?.PolicyAttributeDescriptions).toEqual(
      attributes({ 'Reference-Security-Policy': 'ELBSecurityPolicy-TLS-1-2-2017-01' }),
    );
    expect(policies.find((p) => p.PolicyName === 'proxy')?.PolicyAttributeDescriptions).toEqual(attributes({ ProxyProtocol: 'true' }));
    const greenAttributes = await aws.elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerName: green.loadBalancer }));
    expect(greenAttributes.LoadBalancerAttributes?.AdditionalAttributes).toContainEqual({ Key: 'elb.http.desyncmitigationmode', Value: 'strictest' });
  });

  it("gives green blue's scheduled actions and notifications; blue at zero has every size 0 and what would scale it up suspended", async () => {
    await aws.autoscaling.send(
      new PutScheduledUpdateGroupActionCommand({
        AutoScalingGroupName: stack.groupName,
        ScheduledActionName: 'mornings',
        Recurrence: '0 7 * * *',
        MinSize: 2,
        MaxSize: 4,
        DesiredCapacity: 3,
      }),
    );
    await aws.autoscaling.send(
      new PutNotificationConfigurationCommand({
        AutoScalingGroupName: stack.groupName,
        TopicARN: stack.snsTopicArn,
        NotificationTypes: ['autoscaling:EC2_INSTANCE_LAUNCH', 'autoscaling:EC2_INSTANCE_TERMINATE'],
      }),
    );
    const r = await bg('deploy', '--yes', '--output', 'json');
    expect(r.code, r.stderr).toBe(0);
    const green = greenOf(await statusReport());
    const actions = await aws.autoscaling.send(new DescribeScheduledActionsCommand({ AutoScalingGroupName: green.group }));
    expect(actions.ScheduledUpdateGroupActions?.map((a) => [a.ScheduledActionName, a.Recurrence, a.DesiredCapacity])).toEqual([
      ['mornings', '0 7 * * *', 3],
    ]);
    const notifications = await aws.autoscaling.send(new DescribeNotificationConfigurationsCommand({ AutoScalingGroupNames: [green.group] }));
    expect(notifications.NotificationConfigurations?.map((n) => [n.TopicARN, n.NotificationType])).toEqual([
      [stack.snsTopicArn, 'autoscaling:EC2_INSTANCE_LAUNCH'],
      [stack.snsTopicArn, 'autoscaling:EC2_INSTANCE_TERMINATE'],
    ]);
    const blue = (await group(stack.groupName))!;
    expect([blue.MinSize, blue.MaxSize, blue.DesiredCapacity]).toEqual([0, 0, 0]);
    expect(blue.SuspendedProcesses?.map((p) => p.ProcessName)).toEqual(expect.arrayContaining(['AlarmNotification', 'ScheduledActions']));

    // Rollback: blue's sizes back, and the processes the retirement suspended resumed.
    const back = await bg('rollback', '--yes', '--output', 'json');
    expect(back.code, back.stderr).toBe(0);
    const restored = (await group(stack.groupName))!;
    expect([restored.MinSize, restored.MaxSize, restored.DesiredCapacity]).toEqual([2, 4, 2]);
    expect(restored.SuspendedProcesses ?? []).toEqual([]);
  });

  it('a dual-stack name: the AAAA alias record moves with the A record, and a rollback brings both back', async () => {
    const aaaa = async () => {
      const r = await aws.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: stack.hostedZoneId }));
      const set = r.ResourceRecordSets?.find((s) => s.Name === `${stack.recordName}.` && s.Type === 'AAAA');
      return set?.AliasTarget?.DNSName?.replace(/\.$/, '').toLowerCase();
    };
    await aws.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: stack.hostedZoneId,
        ChangeBatch: {
          Changes: [
            {
              Action: 'CREATE',
              ResourceRecordSet: {
                Name: stack.recordName,
                Type: 'AAAA',
                AliasTarget: {
                  HostedZoneId: CLASSIC_ELB_ZONE_US_EAST_1,
                  DNSName: `dualstack.${stack.loadBalancerDnsName}`,
                  EvaluateTargetHealth: false,
                },
              },
            },
          ],
        },
      }),
    );
    const r = await bg('deploy', '--yes', '--output', 'json');
    expect(r.code, r.stderr).toBe(0);
    const green = greenOf(await statusReport());
    expect(await aaaa()).toBe(`dualstack.${await lbDns(aws, green.loadBalancer)}`);
    expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, green.loadBalancer));

    const back = await bg('rollback', '--yes', '--output', 'json');
    expect(back.code, back.stderr).toBe(0);
    expect(await aaaa()).toBe(`dualstack.${await lbDns(aws, stack.loadBalancerName)}`);
    expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, stack.loadBalancerName));
  });

  it('a private hosted zone of the same name aliasing blue is refused by plan (exit 2) until dns.alsoHostedZoneIds names it; then both move', async () => {
    const created = await aws.route53.send(
      new CreateHostedZoneCommand({
        Name: stack.zoneName,
        CallerReference: `private-${Date.now()}`,
        VPC: { VPCRegion: 'us-east-1', VPCId: stack.vpcId },
        HostedZoneConfig: { PrivateZone: true },
      }),
    );
    const privateZone = created.HostedZone!.Id!.replace(/^\/hostedzone\//, '');
    await aws.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: privateZone,
        ChangeBatch: {
          Changes: [
            {
              Action: 'CREATE',
              ResourceRecordSet: {
                Name: stack.recordName,
                Type: 'A',
                AliasTarget: { HostedZoneId: CLASSIC_ELB_ZONE_US_EAST_1, DNSName: stack.loadBalancerDnsName, EvaluateTargetHealth: false },
              },
            },
          ],
        },
      }),
    );
    const inPrivate = async () => {
      const r = await aws.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: privateZone }));
      return r.ResourceRecordSets?.find((x) => x.Name === `${stack.recordName}.` && x.Type === 'A')
        ?.AliasTarget?.DNSName?.replace(/\.$/, '')
        .toLowerCase();
    };

    const refused = await bg('plan');
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(`hosted zone ${privateZone} (private, ${stack.zoneName}`);
    expect(refused.stderr).toContain('dns.alsoHostedZoneIds');

    const file = join(dir, 'bluegreen.yml');
    const yaml = await readFile(file, 'utf8');
    await writeFile(file, yaml.replace(/^dns:\n/m, `dns:\n  alsoHostedZoneIds: [${privateZone}]\n`));
    const r = await bg('deploy', '--yes', '--output', 'json');
    expect(r.code, r.stderr).toBe(0);
    const green = greenOf(await statusReport());
    expect(await inPrivate()).toBe(await lbDns(aws, green.loadBalancer));
    expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, green.loadBalancer));

    const back = await bg('rollback', '--yes', '--output', 'json');
    expect(back.code, back.stderr).toBe(0);
    expect(await inPrivate()).toBe(await lbDns(aws, stack.loadBalancerName));
  });

  it('a deploy SIGKILLed between two steps is resumed with nothing made twice', async () => {
    const killed = await runCliUntil(
      ['deploy', '--yes', '--output', 'json', '-c', 'bluegreen.yml'],
      (e) => e.event === 'step.succeeded' && e.stepId === 'create-group',
      { cwd: dir, env },
    );
    expect(killed.killed, killed.stderr).toBe(true);
    expect(killed.signal).toBe('SIGKILL');
    const interrupted = await statusReport();
    expect(interrupted.journal?.status).toBe('running');
    expect(interrupted.lock?.pid).toBeGreaterThan(0); // left by the dead process

    const r = await bg('resume', '--yes', '--output', 'json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('took over the lock');
    const events = jsonLines(r.stdout);
    const started = events.filter((e) => e.event === 'step.started').map((e) => e.stepId);
    expect(started).not.toContain('create-launch');
    expect(started).not.toContain('create-group');

    const report = await statusReport();
    expect(report.journal?.status).toBe('succeeded');
    const green = greenOf(report);
    const groups = (await allGroups()).map((g) => g.AutoScalingGroupName).sort();
    expect(groups).toEqual([green.group, stack.groupName].sort());
    const lbs = (await aws.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancerDescriptions ?? [];
    expect(lbs.map((l) => l.LoadBalancerName).sort()).toEqual([green.loadBalancer, stack.loadBalancerName].sort());
    expect((await group(green.group))!.Instances).toHaveLength(2);
    expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, green.loadBalancer));
  });

  it('two deployments in a row: the second replaces the first green', async () => {
    const first = await bg('deploy', '--yes');
    expect(first.code, first.stderr).toBe(0);
    const green1 = greenOf(await statusReport());
    const second = await bg('deploy', '--yes', '--image', stack.blueImageId);
    expect(second.code, second.stderr).toBe(0);
    const green2 = greenOf(await statusReport());
    expect(green2.group).not.toBe(green1.group);
    expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, green2.loadBalancer));
    expect((await group(green1.group))?.DesiredCapacity ?? 0).toBe(0);
    expect((await group(green2.group))!.DesiredCapacity).toBe(2);
  });

  it('rollback after a finished deployment: the record back on blue, blue restored, green removed', async () => {
    const d = await bg('deploy', '--yes');
    expect(d.code, d.stderr).toBe(0);
    const green = greenOf(await statusReport());
    const r = await bg('rollback', '--yes', '--output', 'json');
    expect(r.code, r.stderr).toBe(0);
    const events = jsonLines(r.stdout);
    expect(events.some((e) => e.event === 'step.undo.succeeded')).toBe(true);
    expect((events.at(-1) as { status?: string }).status).toBe('rolled-back');
    expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, stack.loadBalancerName));
    const blue = (await group(stack.groupName))!;
    expect(blue.DesiredCapacity).toBe(2);
    expect(blue.MinSize).toBe(2);
    expect(await group(green.group)).toBeUndefined();
    const report = await statusReport();
    expect(report.liveColor).toBe('blue');
    expect(report.journal?.status).toBe('rolled-back');
  });
});

describe('the lock', () => {
  beforeEach(async () => {
    await setUp({ retireAfter: '30s' });
    return () => rm(dir, { recursive: true, force: true });
  });

  it('a deploy while another holds the lock exits 3 naming the holder; unlock says who held it', async () => {
    const killed = await runCliUntil(
      ['deploy', '--yes', '--output', 'json', '-c', 'bluegreen.yml'],
      (e) => e.event === 'step.started' && e.stepId === 'wait-retire',
      { cwd: dir, env },
    );
    expect(killed.killed, killed.stderr).toBe(true);
    const held = (await statusReport()).lock!;
    expect(held).toBeDefined();

    const r = await bg('deploy', '--yes');
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/^error: /m);
    expect(r.stderr).toContain(String(held.pid));

    const u = await bg('unlock', '--yes');
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toContain(String(held.pid));
    expect(u.stdout).toContain(held.host);
    expect((await statusReport()).lock).toBeUndefined();
    const again = await bg('unlock', '--yes');
    expect(again.stdout).toContain('no lock held');
  });
});
