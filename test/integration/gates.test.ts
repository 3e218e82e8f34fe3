/**
 * gates.alarms of replica-dns through the built CLI against moto: an alarm set to ALARM (moto's
 * SetAlarmState: moto's alarms start OK and never change by themselves) while wait-retire runs rolls the
 * deployment back by itself: exit 1 naming the alarm, the record back on blue, green's group gone, blue
 * with its sizes. gates.http is unit-tested only (test/unit/replica-dns/gates.test.ts): moto's classic
 * load balancer DNS names resolve to nothing, so no GET can reach green here.
 */
import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBlueStack, clients, configYaml, writeConfig, type AwsClients, type BlueStack } from '../support/blue-stack.js';
import { CLI, jsonLines, runCli } from '../support/cli.js';
import { awsEnv, startMoto, type Moto } from '../support/moto.js';

let moto: Moto;
let env: Record<string, string>;
let aws: AwsClients;

beforeAll(async () => {
  moto = await startMoto();
  env = awsEnv(moto.endpoint);
  aws = clients(moto.endpoint);
});
afterAll(async () => {
  await moto?.stop();
});

/** Runs the built CLI, calling `on` for every JSON event on its stdout as it comes; resolves when it exits. */
function runCliWatching(
  args: string[],
  cwd: string,
  on: (event: Record<string, unknown>) => void,
  timeoutMs = 50_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end('');
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    pending += d;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      try {
        on(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not an event line
      }
    }
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bluegreen ${args.join(' ')} did not end within ${timeoutMs} ms\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('gates.alarms with replica-dns', () => {
  let stack: BlueStack;
  let dir: string;

  beforeAll(async () => {
    await moto.reset();
    stack = await buildBlueStack(moto.endpoint);
    dir = (await writeConfig(stack, { retireAfter: '20s' })).dir;
    await writeFile(join(dir, 'bluegreen.yml'), `${configYaml(stack, { retireAfter: '20s' })}\ngates:\n  alarms: [shop-5xx]\n`);
    await aws.cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'shop-5xx',
        Namespace: 'AWS/ELB',
        MetricName: 'HTTPCode_Backend_5XX',
        Dimensions: [{ Name: 'LoadBalancerName', Value: stack.loadBalancerName }],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 10,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('an alarm in ALARM during wait-retire rolls back by itself: exit 1 naming it, the record on blue, green gone', async () => {
    const blueBefore = (await aws.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [stack.groupName] })))
      .AutoScalingGroups?.[0];
    let fired: Promise<unknown> | undefined;
    const r = await runCliWatching(['deploy', '--yes', '--output', 'json', '-c', 'bluegreen.yml'], dir, (event) => {
      if (event.event === 'step.started' && event.stepId === 'wait-retire' && !fired) {
        fired = aws.cloudwatch.send(
          new SetAlarmStateCommand({ AlarmName: 'shop-5xx', StateValue: 'ALARM', StateReason: 'Threshold Crossed: 42 errors' }),
        );
      }
    });
    expect(fired, r.stderr).toBeDefined();
    await fired;
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('shop-5xx is in ALARM (Threshold Crossed: 42 errors)');
    expect(r.stderr).toMatch(/Rolled back: traffic stays on blue/);
    const events = jsonLines(r.stdout);
    expect(events.find((e) => e.event === 'step.failed')).toMatchObject({ stepId: 'wait-retire' });
    expect(events.map((e) => e.stepId)).not.toContain('retire-blue');
    expect(events.at(-1)).toMatchObject({ event: 'deployment.finished', status: 'rolled-back' });

    // The record points at blue again.
    const records = await aws.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: stack.hostedZoneId }));
    const record = records.ResourceRecordSets?.find((s) => s.Name === `${stack.recordName}.` && s.Type === 'A');
    expect(record?.AliasTarget?.DNSName?.replace(/\.$/, '').toLowerCase()).toContain(stack.loadBalancerDnsName.toLowerCase());
    // Green's group and load balancer are gone; blue has its sizes.
    const groups = (await aws.autoscaling.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? [];
    expect(groups.map((g) => g.AutoScalingGroupName)).toEqual([stack.groupName]);
    const blue = groups[0]!;
    expect({ min: blue.MinSize, max: blue.MaxSize, desired: blue.DesiredCapacity }).toEqual({
      min: blueBefore?.MinSize,
      max: blueBefore?.MaxSize,
      desired: blueBefore?.DesiredCapacity,
    });
    const lbs = (await aws.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancerDescriptions ?? [];
    expect(lbs.map((l) => l.LoadBalancerName)).toEqual([stack.loadBalancerName]);

    const status = await runCli(['status', '--output', 'json', '-c', 'bluegreen.yml'], { cwd: dir, env });
    expect(status.code, status.stderr).toBe(0);
    expect(jsonLines(status.stdout)[0]).toMatchObject({ liveColor: 'blue', journal: { status: 'rolled-back' } });
  });

  it('an alarm name that does not exist is refused before anything is made (exit 2)', async () => {
    await writeFile(join(dir, 'bluegreen.yml'), `${configYaml(stack, { retireAfter: '20s' })}\ngates:\n  alarms: [shop-5xx, shop-typo]\n`);
    const r = await runCli(['deploy', '--yes', '--output', 'json', '-c', 'bluegreen.yml'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('alarm shop-typo (gates.alarms) does not exist in CloudWatch');
  });
});
