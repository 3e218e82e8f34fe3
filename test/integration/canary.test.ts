/**
 * Traffic in steps (traffic.steps [10, 50, 100]) with an alarm gate, through the built CLI against moto, for
 * both strategies that move traffic to a replica: replica-listener (weighted forward actions on an ALB
 * listener and its /api/* rule) and replica-dns (weighted Route 53 alias records). The alarm is set to
 * ALARM (moto's SetAlarmState: its alarms start OK and never change by themselves) during the 50% step:
 * the deployment rolls back by itself, exits 1 naming the alarm, traffic is back on blue in ONE call, green
 * is gone and the journal says rolled-back. Also: a deploy SIGKILLed during the 50% hold is rolled back (one
 * call restores traffic, AWS as before) or resumed (the 50% change is not sent again); without an alarm the
 * steps run 10, 50, 100 and end with every request on green.
 *
 * The CLI talks to moto through a recorder (startCallRecorder), so the calls that moved and restored traffic
 * are counted from what was actually sent, not from what the journal says.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeAlarmsCommand, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing';
import { DescribeLoadBalancersCommand as DescribeLoadBalancersV2Command } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/operations.js';
import { buildBlueStack, configYaml, snapshotAws, type BlueStack } from '../support/blue-stack.js';
import { jsonLines, runCli, runCliUntil, runCliWatching, type CliResult } from '../support/cli.js';
import {
  allTargetGroups,
  buildListenerStack,
  forwardsInCall,
  listenerClients,
  listenerRouting,
  snapshotListenerAws,
  startCallRecorder,
  writeListenerConfig,
  type CallRecorder,
  type Forward,
  type ListenerAwsClients,
  type ListenerStack,
  type RecordedCall,
} from '../support/listener-stack.js';
import { awsEnv, startMoto, type Moto } from '../support/moto.js';

const ALARM = 'shop-5xx';
const REASON = 'Threshold Crossed: 42 errors';
const STEPS = [10, 50, 100];
const HOLD = '4s';

let moto: Moto;
let recorder: CallRecorder;
let env: Record<string, string>;
let aws: ListenerAwsClients;
let dir: string | undefined;

beforeAll(async () => {
  moto = await startMoto();
  recorder = await startCallRecorder(moto.endpoint);
  env = awsEnv(recorder.endpoint);
  aws = listenerClients(moto.endpoint);
});
afterAll(async () => {
  await recorder?.stop();
  await moto?.stop();
});
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function createAlarm(): Promise<void> {
  await aws.cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: ALARM,
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );
  const state = (await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [ALARM] }))).MetricAlarms?.[0]?.StateValue;
  expect(state).toBe('OK');
}

/** When the alarm is set to ALARM: as the 50% step starts, or once it has moved traffic and holds. */
type Trigger = 'start' | 'hold';
const when = (trigger: Trigger) => (e: Record<string, unknown>) =>
  trigger === 'start'
    ? e.event === 'step.started' && e.stepId === 'traffic-50'
    : e.event === 'step.progress' && e.stepId === 'traffic-50' && /left/.test(String(e.message));

/**
 * deploy --yes --output json, setting the alarm to ALARM the first time `trigger` matches an event.
 * `trippedAt`: how many calls the recorder had seen then (the calls from that index on came after).
 */
async function deployAndTrip(trigger: Trigger): Promise<CliResult & { events: Array<Record<string, unknown>>; trippedAt: number }> {
  recorder.calls.length = 0;
  let fired: Promise<unknown> | undefined;
  let trippedAt = -1;
  const matches = when(trigger);
  const r = await runCliWatching(
    ['deploy', '--yes', '--output', 'json', '-c', 'bluegreen.yml'],
    (event) => {
      if (!fired && matches(event)) {
        trippedAt = recorder.calls.length;
        fired = aws.cloudwatch.send(new SetAlarmStateCommand({ AlarmName: ALARM, StateValue: 'ALARM', StateReason: REASON }));
      }
    },
    { cwd: dir, env, timeoutMs: 90_000 },
  );
  expect(fired, `no event matched the ${trigger} trigger\n${r.stderr}`).toBeDefined();
  await fired;
  return { ...r, trippedAt };
}

/** The common outcome: exit 1 naming the alarm, the 50% step failed, no 100% step, the journal rolled back. */
async function expectRolledBackByAlarm(r: CliResult & { events: Array<Record<string, unknown>> }): Promise<void> {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toContain(`${ALARM} is in ALARM (${REASON})`);
  expect(r.stderr).toMatch(/Rolled back/);
  const events = jsonLines(r.stdout);
  expect(events.find((e) => e.event === 'step.failed')).toMatchObject({ stepId: 'traffic-50' });
  const started = events.filter((e) => e.event === 'step.started').map((e) => e.stepId);
  expect(started).toEqual(expect.arrayContaining(['traffic-10', 'traffic-50']));
  expect(started).not.toContain('traffic-100');
  expect(started).not.toContain('retire-blue');
  const undone = events.filter((e) => e.event === 'step.undo.succeeded').map((e) => e.stepId);
  expect(undone).toEqual(expect.arrayContaining(['traffic-50', 'traffic-10']));
  expect(undone.indexOf('traffic-50')).toBeLessThan(undone.indexOf('traffic-10'));
  expect(events.at(-1)).toMatchObject({ event: 'deployment.finished', status: 'rolled-back' });

  await expectStatus('rolled-back', 'blue');
}

/** `status --output json`: the journal's status, the live color, no lock left. */
async function expectStatus(journalStatus: string, liveColor: string): Promise<void> {
  const status = await runCli(['status', '--output', 'json', '-c', 'bluegreen.yml'], { cwd: dir, env });
  expect(status.code, status.stderr).toBe(0);
  const report = jsonLines(status.stdout)[0] as unknown as StatusReport;
  expect(report.journal?.status).toBe(journalStatus);
  expect(report.lock).toBeUndefined();
  expect(report.liveColor).toBe(liveColor);
}

/**
 * deploy, SIGKILLed once the 50% step has moved traffic and holds (a crash mid-canary: weights at 50/50),
 * then `rollback --yes`; the recorder keeps only the rollback's calls.
 */
async function crashInHoldThenRollBack(): Promise<CliResult> {
  const killed = await runCliUntil(['deploy', '--yes', '--output', 'json', '-c', 'bluegreen.yml'], when('hold'), {
    cwd: dir,
    env,
    timeoutMs: 90_000,
  });
  expect(killed.killed, killed.stderr).toBe(true);
  expect(killed.signal).toBe('SIGKILL');
  recorder.calls.length = 0;
  const r = await runCli(['rollback', '--yes', '--output', 'json', '-c', 'bluegreen.yml'], { cwd: dir, env, timeoutMs: 90_000 });
  expect(r.code, r.stderr).toBe(0);
  const events = jsonLines(r.stdout);
  expect(events.find((e) => e.event === 'deployment.finished')).toMatchObject({ status: 'rolled-back' });
  expect(events.filter((e) => e.event === 'step.undo.succeeded').map((e) => e.stepId)).toEqual(expect.arrayContaining(['traffic-50', 'traffic-10']));
  await expectStatus('rolled-back', 'blue');
  return r;
}

/**
 * deploy, SIGKILLed once the 50% step has moved traffic and holds, then `resume --yes`. Returns the index of
 * the resume's first call in the recorder (which keeps the deploy's calls too).
 */
async function crashInHoldThenResume(): Promise<number> {
  recorder.calls.length = 0;
  const killed = await runCliUntil(['deploy', '--yes', '--output', 'json', '-c', 'bluegreen.yml'], when('hold'), {
    cwd: dir,
    env,
    timeoutMs: 90_000,
  });
  expect(killed.killed, killed.stderr).toBe(true);
  const from = recorder.calls.length;
  const r = await runCli(['resume', '--yes', '--output', 'json', '-c', 'bluegreen.yml'], { cwd: dir, env, timeoutMs: 90_000 });
  expect(r.code, r.stderr).toBe(0);
  const started = jsonLines(r.stdout)
    .filter((e) => e.event === 'step.started')
    .map((e) => e.stepId);
  expect(started).not.toContain('traffic-10');
  expect(started).toEqual(expect.arrayContaining(['traffic-50', 'traffic-100', 'retire-blue']));
  await expectStatus('succeeded', 'green');
  return from;
}

const share = (forwards: Forward[], arn: string) => {
  const total = forwards.reduce((n, f) => n + f.weight, 0);
  return total === 0 ? 0 : (forwards.find((f) => f.targetGroupArn === arn)?.weight ?? 0) / total;
};

// ---------------------------------------------------------------- replica-listener

describe('traffic steps with replica-listener', () => {
  let stack: ListenerStack;

  async function setUp(): Promise<void> {
    await moto.reset();
    stack = await buildListenerStack(moto.endpoint, { deregistrationDelaySeconds: 1 });
    await createAlarm();
    dir = (await writeListenerConfig(stack, { traffic: { steps: STEPS, hold: HOLD }, alarms: [ALARM] })).dir;
  }

  /** ModifyListener (the stack's listener) and ModifyRule (its /api/* rule) calls from call `from` on, in order, with their forwards. */
  const moves = (from = 0) => {
    const of = (action: string, key: string, arn: string) =>
      recorder.calls
        .filter((c: RecordedCall) => c.seq >= from && c.action === action && new URLSearchParams(c.body).get(key) === arn)
        .map(forwardsInCall);
    return { listener: of('ModifyListener', 'ListenerArn', stack.listenerArn), rule: of('ModifyRule', 'RuleArn', stack.apiRuleArn) };
  };

  async function expectBackOnBlue(): Promise<void> {
    const blueOnly = [{ targetGroupArn: stack.targetGroupArn, weight: 1 }];
    expect(await listenerRouting(aws, stack)).toEqual({ default: blueOnly, api: blueOnly });
    const groups = (await aws.autoscaling.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? [];
    expect(groups.map((g) => g.AutoScalingGroupName)).toEqual([stack.groupName]);
    expect(groups[0]).toMatchObject({ MinSize: 2, DesiredCapacity: 2 });
    expect((await allTargetGroups(aws)).map((t) => t.TargetGroupArn)).toEqual([stack.targetGroupArn]);
    const lbs = (await aws.elbv2.send(new DescribeLoadBalancersV2Command({}))).LoadBalancers ?? [];
    expect(lbs.map((l) => l.LoadBalancerArn)).toEqual([stack.loadBalancerArn]);
  }

  it.each<Trigger>(['start', 'hold'])(
    'an alarm in ALARM in traffic-50 (set at its %s) rolls back: exit 1 naming it, listener and rule back on blue in one call each, green gone',
    async (trigger) => {
      await setUp();
      const r = await deployAndTrip(trigger);
      await expectRolledBackByAlarm(r);
      await expectBackOnBlue();

      const all = moves();
      // The first moves were the 10% step: 10% of the listener's and the rule's requests to green.
      const greenTg = all.listener[0]?.find((f) => f.targetGroupArn !== stack.targetGroupArn)?.targetGroupArn;
      expect(greenTg, JSON.stringify(all)).toBeDefined();
      expect(share(all.listener[0]!, greenTg!)).toBeCloseTo(0.1);
      expect(share(all.rule[0]!, greenTg!)).toBeCloseTo(0.1);
      // Traffic was restored in ONE call each: the last call forwards to blue alone, and no other call does.
      const restores = (list: Forward[][]) => list.filter((f) => share(f, stack.targetGroupArn) === 1);
      expect(restores(all.listener), JSON.stringify(all.listener)).toHaveLength(1);
      expect(restores(all.rule), JSON.stringify(all.rule)).toHaveLength(1);
      expect(share(all.listener.at(-1)!, stack.targetGroupArn)).toBe(1);
      expect(share(all.rule.at(-1)!, stack.targetGroupArn)).toBe(1);
      if (trigger === 'hold') {
        // The 50% step had moved traffic before the alarm: 10%, 50%, then the one restore.
        expect(all.listener.map((f) => share(f, greenTg!))).toEqual([0.1, 0.5, 0]);
        expect(all.rule.map((f) => share(f, greenTg!))).toEqual([0.1, 0.5, 0]);
        // After the alarm was set: the restore calls alone.
        const blueOnly = [{ targetGroupArn: stack.targetGroupArn, weight: 1 }];
        expect(moves(r.trippedAt)).toEqual({ listener: [blueOnly], rule: [blueOnly] });
      }
    },
  );

  it('a deploy SIGKILLed during the 50% hold is rolled back: one call each puts the listener and the rule back, AWS as before', async () => {
    await setUp();
    const before = await snapshotListenerAws(moto.endpoint, { ignoreTerminatedInstances: true });
    await crashInHoldThenRollBack();
    await expectBackOnBlue();
    const blueOnly = [{ targetGroupArn: stack.targetGroupArn, weight: 1 }];
    expect(moves()).toEqual({ listener: [blueOnly], rule: [blueOnly] });
    expect(await snapshotListenerAws(moto.endpoint, { ignoreTerminatedInstances: true })).toEqual(before);
  });

  it('a deploy SIGKILLed during the 50% hold is finished by resume: the 50% step is not sent again, the 100% step once', async () => {
    await setUp();
    const from = await crashInHoldThenResume();
    const greenTg = (await allTargetGroups(aws)).find((t) => t.TargetGroupArn !== stack.targetGroupArn)!.TargetGroupArn!;
    const greenOnly = [{ targetGroupArn: greenTg, weight: 1 }];
    expect(await listenerRouting(aws, stack)).toEqual({ default: greenOnly, api: greenOnly });
    expect(moves(from)).toEqual({ listener: [greenOnly], rule: [greenOnly] });
  });

  it('without an alarm: 10%, 50%, then every request on green, one call each for the listener and the rule; blue retired', async () => {
    await setUp();
    recorder.calls.length = 0;
    const r = await runCli(['deploy', '--yes', '--output', 'json', '-c', 'bluegreen.yml'], { cwd: dir, env, timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    const started = jsonLines(r.stdout)
      .filter((e) => e.event === 'step.started')
      .map((e) => e.stepId);
    expect(started.filter((id) => String(id).startsWith('traffic-'))).toEqual(['traffic-10', 'traffic-50', 'traffic-100']);
    expect(started).not.toContain('switch-listener');
    const greenTg = (await allTargetGroups(aws)).find((t) => t.TargetGroupArn !== stack.targetGroupArn)!.TargetGroupArn!;
    const greenOnly = [{ targetGroupArn: greenTg, weight: 1 }];
    expect(await listenerRouting(aws, stack)).toEqual({ default: greenOnly, api: greenOnly });
    const all = moves();
    expect(all.listener.map((f) => share(f, greenTg))).toEqual([0.1, 0.5, 1]);
    expect(all.rule.map((f) => share(f, greenTg))).toEqual([0.1, 0.5, 1]);
    const blue = (await aws.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [stack.groupName] })))
      .AutoScalingGroups?.[0];
    expect(blue).toMatchObject({ MinSize: 0, DesiredCapacity: 0 });
    await expectStatus('succeeded', 'green');
  });
});

// ---------------------------------------------------------------- replica-dns

interface RecordChange {
  action: string;
  name: string;
  setIdentifier?: string;
  weight?: number;
  dnsName?: string;
}

/** The changes of a recorded ChangeResourceRecordSets call (its XML body). */
function recordChanges(call: RecordedCall): RecordChange[] {
  const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
  return [...call.body.matchAll(/<Change>([\s\S]*?)<\/Change>/g)].map(([, xml]) => {
    const weight = tag(xml!, 'Weight');
    const setIdentifier = tag(xml!, 'SetIdentifier');
    const dnsName = tag(xml!, 'DNSName');
    return {
      action: tag(xml!, 'Action') ?? '',
      name: (tag(xml!, 'Name') ?? '').replace(/\.$/, '').toLowerCase(),
      ...(setIdentifier !== undefined ? { setIdentifier } : {}),
      ...(weight !== undefined ? { weight: Number(weight) } : {}),
      ...(dnsName !== undefined ? { dnsName: dnsName.replace(/\.$/, '').toLowerCase() } : {}),
    };
  });
}

/**
 * Replays batches of changes to one record name as Route 53 checks them (moto does not): a DELETE must name
 * the record set exactly as it is (SetIdentifier, Weight, target), a CREATE must not find it, and a simple
 * record never stands beside weighted ones. Starts from the simple record to `start`; returns the sets
 * left, keyed by SetIdentifier ('' for the simple record). Throws on the first change AWS would refuse.
 */
function replay(batches: RecordChange[][], start: string): Record<string, { weight?: number; dnsName?: string }> {
  let sets: Record<string, { weight?: number; dnsName?: string }> = { '': { dnsName: start } };
  batches.forEach((changes, b) => {
    const next = { ...sets };
    for (const c of changes) {
      const key = c.setIdentifier ?? '';
      const value = { ...(c.weight !== undefined ? { weight: c.weight } : {}), ...(c.dnsName !== undefined ? { dnsName: c.dnsName } : {}) };
      const where = `batch ${b + 1}: ${c.action} ${key || '(simple)'}`;
      if (c.action === 'DELETE') {
        if (JSON.stringify(next[key]) !== JSON.stringify(value)) {
          throw new Error(`${where} names ${JSON.stringify(value)} but the record set is ${JSON.stringify(next[key])}`);
        }
        delete next[key];
      } else {
        if (c.action === 'CREATE' && next[key]) throw new Error(`${where}: it exists already`);
        next[key] = value;
      }
    }
    const keys = Object.keys(next);
    if (keys.includes('') && keys.length > 1) throw new Error(`after batch ${b + 1}: a simple record beside weighted ones (${keys.join(', ')})`);
    sets = next;
  });
  return sets;
}

describe('traffic steps with replica-dns', () => {
  let stack: BlueStack;

  async function setUp(): Promise<void> {
    await moto.reset();
    stack = await buildBlueStack(moto.endpoint);
    await createAlarm();
    dir = await mkdtemp(join(tmpdir(), 'bluegreen-canary-'));
    await writeFile(
      join(dir, 'bluegreen.yml'),
      `${configYaml(stack)}\ntraffic:\n  steps: [${STEPS.join(', ')}]\n  hold: ${HOLD}\n\ngates:\n  alarms: [${ALARM}]\n`,
    );
  }

  /** The ChangeResourceRecordSets calls on the stack's zone (from call `from` on), in order, with their changes to the stack's record. */
  const batches = (from = 0) =>
    recorder.calls
      .filter((c) => c.seq >= from && c.service === 'route53' && c.method === 'POST' && c.path.includes(`/hostedzone/${stack.hostedZoneId}/rrset`))
      .map((c) => recordChanges(c).filter((ch) => ch.name === stack.recordName.toLowerCase()));
  const blueDns = () => stack.loadBalancerDnsName.replace(/\.$/, '').toLowerCase();
  /** A batch that leaves the simple record on blue: what a restore is. */
  const isRestore = (changes: RecordChange[]) =>
    changes.some((c) => (c.action === 'CREATE' || c.action === 'UPSERT') && c.setIdentifier === undefined && c.dnsName === blueDns());

  async function expectBackOnBlue(): Promise<void> {
    const records = (await aws.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: stack.hostedZoneId }))).ResourceRecordSets ?? [];
    const mine = records.filter((s) => s.Name === `${stack.recordName}.`);
    expect(
      mine.map((s) => ({ type: s.Type, set: s.SetIdentifier, weight: s.Weight, dns: s.AliasTarget?.DNSName?.replace(/\.$/, '').toLowerCase() })),
    ).toEqual([{ type: 'A', set: undefined, weight: undefined, dns: blueDns() }]);
    const groups = (await aws.autoscaling.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? [];
    expect(groups.map((g) => g.AutoScalingGroupName)).toEqual([stack.groupName]);
    expect(groups[0]).toMatchObject({ MinSize: 2, DesiredCapacity: 2 });
    const lbs = (await aws.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancerDescriptions ?? [];
    expect(lbs.map((l) => l.LoadBalancerName)).toEqual([stack.loadBalancerName]);
  }

  it.each<Trigger>(['start', 'hold'])(
    'an alarm in ALARM in traffic-50 (set at its %s) rolls back: exit 1 naming it, one simple record on blue again in one batch, green gone',
    async (trigger) => {
      await setUp();
      const r = await deployAndTrip(trigger);
      await expectRolledBackByAlarm(r);
      await expectBackOnBlue();

      const all = batches();
      // The first batch was the 10% step: the simple record replaced by weighted ones, 10% on green.
      const first = all[0] ?? [];
      expect(
        first.some((c) => c.action === 'DELETE' && c.setIdentifier === undefined),
        JSON.stringify(all),
      ).toBe(true);
      const weighted = first.filter((c) => c.action !== 'DELETE' && c.setIdentifier !== undefined);
      const total = weighted.reduce((n, c) => n + (c.weight ?? 0), 0);
      const green = weighted.find((c) => c.dnsName !== blueDns());
      expect(green, JSON.stringify(first)).toBeDefined();
      expect((green!.weight ?? 0) / total).toBeCloseTo(0.1);
      // Restored in ONE batch, the last one.
      expect(all.filter(isRestore), JSON.stringify(all)).toHaveLength(1);
      expect(isRestore(all.at(-1) ?? [])).toBe(true);
      if (trigger === 'hold') {
        expect(all, JSON.stringify(all)).toHaveLength(3); // 10%, 50%, the restore
        // After the alarm was set: the restore batch alone.
        expect(batches(r.trippedAt)).toEqual([all[2]]);
      }
      // Each batch would pass Route 53's own checks, which moto skips (it deletes a weighted record whatever
      // Weight the DELETE names, and lets a simple record coexist with weighted ones).
      expect(replay(all, blueDns())).toEqual({ '': { dnsName: blueDns() } });
    },
  );

  it('a deploy SIGKILLed during the 50% hold is rolled back: one batch puts the simple record back on blue, AWS as before', async () => {
    await setUp();
    // Without policies: moto keys scaling policies by name alone, so green's copy replaces blue's (see recovery.test.ts).
    const snapshot = async () => ({ ...(await snapshotAws(moto.endpoint, { ignoreTerminatedInstances: true })), policies: undefined });
    const before = await snapshot();
    await crashInHoldThenRollBack();
    await expectBackOnBlue();
    const all = batches();
    expect(all, JSON.stringify(all)).toHaveLength(1);
    expect(isRestore(all[0]!)).toBe(true);
    // From the 50/50 weights the crash left.
    expect(all[0]!.filter((c) => c.action === 'DELETE').map((c) => c.weight)).toEqual([50, 50]);
    expect(await snapshot()).toEqual(before);
  });

  it('a deploy SIGKILLed during the 50% hold is finished by resume: the 50% step is not sent again, the 100% step once', async () => {
    await setUp();
    const from = await crashInHoldThenResume();
    const all = batches();
    expect(batches(from), JSON.stringify(all)).toHaveLength(1);
    expect(all, JSON.stringify(all)).toHaveLength(3);
    const greenLb = ((await aws.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancerDescriptions ?? []).find(
      (l) => l.LoadBalancerName !== stack.loadBalancerName,
    );
    expect(replay(all, blueDns())).toEqual({ '': { dnsName: greenLb!.DNSName!.replace(/\.$/, '').toLowerCase() } });
  });

  it('without an alarm: 10%, 50%, then one simple record on green again, each change one batch; blue retired', async () => {
    await setUp();
    recorder.calls.length = 0;
    const r = await runCli(['deploy', '--yes', '--output', 'json', '-c', 'bluegreen.yml'], { cwd: dir, env, timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    const started = jsonLines(r.stdout)
      .filter((e) => e.event === 'step.started')
      .map((e) => e.stepId);
    expect(started.filter((id) => String(id).startsWith('traffic-'))).toEqual(['traffic-10', 'traffic-50', 'traffic-100']);
    expect(started).not.toContain('switch-dns');
    const lbs = (await aws.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancerDescriptions ?? [];
    const greenLb = lbs.find((l) => l.LoadBalancerName !== stack.loadBalancerName);
    expect(greenLb).toBeDefined();
    const greenDns = greenLb!.DNSName!.replace(/\.$/, '').toLowerCase();
    const all = batches();
    expect(all, JSON.stringify(all)).toHaveLength(3);
    expect(replay(all, blueDns())).toEqual({ '': { dnsName: greenDns } });
    const records = (await aws.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: stack.hostedZoneId }))).ResourceRecordSets ?? [];
    expect(
      records
        .filter((s) => s.Name === `${stack.recordName}.`)
        .map((s) => ({ set: s.SetIdentifier, dns: s.AliasTarget?.DNSName?.replace(/\.$/, '').toLowerCase() })),
    ).toEqual([{ set: undefined, dns: greenDns }]);
    const blue = (await aws.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [stack.groupName] })))
      .AutoScalingGroups?.[0];
    expect(blue).toMatchObject({ MinSize: 0, DesiredCapacity: 0 });
    await expectStatus('succeeded', 'green');
  });
});
