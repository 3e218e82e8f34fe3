/**
 * deploy --pause-before-switch, promote and rollback through the built CLI against moto (replica-dns):
 * a paused deployment has green up and healthy with the record still on blue, survives the CLI exiting,
 * refuses resume and a new deploy, and is finished by promote or undone by rollback.
 */
import { rm } from 'node:fs/promises';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstanceHealthCommand } from '@aws-sdk/client-elastic-load-balancing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/operations.js';
import { buildBlueStack, clients, lbDns, recordTarget, snapshotAws, writeConfig, type AwsClients, type BlueStack } from '../support/blue-stack.js';
import { jsonLines, runCli } from '../support/cli.js';
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

beforeEach(async () => {
  await moto.reset();
  stack = await buildBlueStack(moto.endpoint);
  dir = (await writeConfig(stack)).dir;
});
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const bg = (...args: string[]) => runCli([...args, '-c', 'bluegreen.yml'], { cwd: dir, env });

async function statusReport(): Promise<StatusReport> {
  const r = await bg('status', '--output', 'json');
  expect(r.code, r.stderr).toBe(0);
  return jsonLines(r.stdout)[0] as unknown as StatusReport;
}

/**
 * A snapshot without blue's scaling policy: moto keys scaling policies by name alone (AWS: per group), so
 * green's copy replaces blue's in moto and deleting it on rollback leaves blue with none (as in
 * recovery.test.ts). Green's own resources being gone is checked separately.
 */
function withoutBluePolicy(s: Record<string, unknown>): Record<string, unknown> {
  return { ...s, policies: (s.policies as string[]).filter((p) => p !== `${stack.groupName}/${stack.policyName}`) };
}

function greenOf(report: StatusReport): { group: string; loadBalancer: string } {
  const green = (report.journal?.summary as { green?: { group?: string; loadBalancer?: string } }).green;
  expect(green?.group).toBeTruthy();
  return { group: green!.group!, loadBalancer: green!.loadBalancer ?? green!.group! };
}

describe('deploy --pause-before-switch', () => {
  it('pauses with green healthy and the record on blue; resume and deploy refuse; promote finishes on green', async () => {
    const blueDns = await lbDns(aws, stack.loadBalancerName);
    expect(await recordTarget(aws, stack)).toContain(blueDns);

    const r = await bg('deploy', '--pause-before-switch', '--yes', '--output', 'json');
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    const paused = lines.find((e) => e.event === 'deployment.paused');
    expect(paused).toMatchObject({
      stepId: 'switch-dns',
      next: 'bluegreen promote -c bluegreen.yml',
      rollback: 'bluegreen rollback -c bluegreen.yml',
    });
    expect(lines.at(-2)).toMatchObject({ event: 'deployment.finished', status: 'paused' });
    expect(lines.at(-1)).toMatchObject({ status: 'paused', pauseBefore: 'switch-dns' });
    expect(lines.filter((e) => e.event === 'step.started').map((e) => e.stepId)).not.toContain('switch-dns');
    expect(lines.filter((e) => e.event === 'step.started').map((e) => e.stepId)).toContain('wait-healthy');

    // The CLI has exited: the journal keeps the deployment paused, the lock is free, traffic on blue.
    const report = await statusReport();
    expect(report.journal?.status).toBe('paused');
    expect(report.lock).toBeUndefined();
    expect(report.liveColor).toBe((report.journal?.summary as { blue: { color: string } }).blue.color);
    expect(report.next).toEqual(['bluegreen promote -c bluegreen.yml', 'bluegreen rollback -c bluegreen.yml']);
    expect(await recordTarget(aws, stack)).toContain(blueDns);

    // Green is up and healthy: every instance of its group InService in its load balancer.
    const green = greenOf(report);
    const group = (await aws.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [green.group] }))).AutoScalingGroups?.[0];
    expect(group?.Instances?.length).toBe(group?.DesiredCapacity);
    const health = await aws.elb.send(new DescribeInstanceHealthCommand({ LoadBalancerName: green.loadBalancer }));
    expect(health.InstanceStates?.length).toBe(group?.DesiredCapacity);
    expect(health.InstanceStates?.every((s) => s.State === 'InService')).toBe(true);

    const text = await bg('status');
    expect(text.stdout).toContain('Status:     paused');
    expect(text.stdout).toMatch(/Next:\n {2}bluegreen promote -c bluegreen.yml\n {2}bluegreen rollback -c bluegreen.yml/);

    // resume refuses, naming promote and rollback.
    const resume = await bg('resume', '--yes');
    expect(resume.code, resume.stderr).toBe(2);
    expect(resume.stderr).toMatch(
      /is paused before step switch-dns \(.*\): run `bluegreen promote -c bluegreen.yml` to go on, or `bluegreen rollback -c bluegreen.yml` to return to blue/,
    );

    // A new deployment is refused while this one is paused.
    const again = await bg('deploy', '--yes');
    expect(again.code, again.stderr).toBe(2);
    expect(again.stderr).toContain('is paused before step switch-dns');
    expect(again.stderr).toContain('bluegreen promote -c bluegreen.yml');

    // promote without --yes and without a terminal asks for --yes and changes nothing.
    const unasked = await bg('promote');
    expect(unasked.code, unasked.stderr).toBe(2);
    expect(unasked.stderr).toContain('pass --yes to promote');
    expect((await statusReport()).journal?.status).toBe('paused');

    const promote = await bg('promote', '--yes', '--output', 'json');
    expect(promote.code, promote.stderr).toBe(0);
    const events = jsonLines(promote.stdout);
    expect(events[0]).toMatchObject({ event: 'deployment.started', mode: 'promote' });
    expect(events.filter((e) => e.event === 'step.started')[0]).toMatchObject({ stepId: 'switch-dns' });
    expect(events.at(-1)).toMatchObject({ status: 'succeeded', deploymentId: report.journal?.deploymentId });
    expect(await recordTarget(aws, stack)).toContain(await lbDns(aws, green.loadBalancer));
    const after = await statusReport();
    expect(after.liveColor).toBe((after.journal?.summary as { green: { color: string } }).green.color);
    expect(after.next).toBeUndefined();

    // Nothing is paused any more.
    const twice = await bg('promote', '--yes');
    expect(twice.code, twice.stderr).toBe(2);
    expect(twice.stderr).toContain('is not paused: it succeeded');
  });

  it('then rollback removes green and leaves AWS as it was before the deployment', async () => {
    const before = await snapshotAws(moto.endpoint, { ignoreTerminatedInstances: true });
    const r = await bg('deploy', '--pause-before-switch', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Paused before step switch-dns \(.*\): green is up and healthy, no traffic on it yet\./);
    expect(r.stdout).toContain('Next: bluegreen promote -c bluegreen.yml, or bluegreen rollback -c bluegreen.yml.');
    expect(r.stderr).toContain('⏸ paused before switch-dns');
    const green = greenOf(await statusReport());

    const back = await bg('rollback', '--yes', '--output', 'json');
    expect(back.code, back.stderr).toBe(0);
    expect(jsonLines(back.stdout).at(-1)).toMatchObject({ status: 'rolled-back' });
    const groups = (await aws.autoscaling.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? [];
    expect(groups.map((g) => g.AutoScalingGroupName)).not.toContain(green.group);
    expect(withoutBluePolicy(await snapshotAws(moto.endpoint, { ignoreTerminatedInstances: true }))).toEqual(withoutBluePolicy(before));
    expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, stack.loadBalancerName));
    const policies = (await snapshotAws(moto.endpoint)).policies as string[];
    expect(policies.filter((p) => p.startsWith(`${green.group}/`))).toEqual([]);

    const promote = await bg('promote', '--yes');
    expect(promote.code, promote.stderr).toBe(2);
    expect(promote.stderr).toContain('is not paused: it was rolled back');
  });

  it('plan --pause-before-switch marks the step it would stop before, and changes nothing', async () => {
    const before = await snapshotAws(moto.endpoint);
    const r = await bg('plan', '--pause-before-switch');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const mark = lines.findIndex((l) => l.includes('⏸ pauses here'));
    expect(mark).toBeGreaterThan(0);
    expect(lines[mark + 1]).toContain('switch-dns');
    expect(r.stderr).toContain('deploy -c bluegreen.yml --pause-before-switch');
    expect(await snapshotAws(moto.endpoint)).toEqual(before);
  });
});
