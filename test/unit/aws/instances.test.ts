import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type DescribeInstancesCommandInput,
  type TerminateInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { AwsClients } from '../../../src/aws/sdk/clients.js';
import { SdkInstances, missingIds } from '../../../src/aws/sdk/instances.js';
import { awsError } from './aws-error.js';

const ec2 = mockClient(EC2Client);
let instances: SdkInstances;

/** EC2's answer for unknown ids: the whole call fails, the message names them. */
const notFound = (ids: string[]) =>
  awsError(
    'InvalidInstanceID.NotFound',
    ids.length === 1 ? `The instance ID '${ids[0]}' does not exist` : `The instance IDs '${ids.join(', ')}' do not exist`,
  );

/** Answers like EC2 for a world holding `known` instances. */
function world(known: Set<string>) {
  const check = (ids: string[]) => {
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length) throw notFound(missing);
  };
  ec2.on(DescribeInstancesCommand).callsFake((input: DescribeInstancesCommandInput) => {
    check(input.InstanceIds ?? []);
    return { Reservations: [{ Instances: (input.InstanceIds ?? []).map((InstanceId) => ({ InstanceId })) }] };
  });
  ec2.on(TerminateInstancesCommand).callsFake((input: TerminateInstancesCommandInput) => {
    check(input.InstanceIds ?? []);
    return { TerminatingInstances: (input.InstanceIds ?? []).map((InstanceId) => ({ InstanceId })) };
  });
}

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `i-${(from + i).toString(16).padStart(17, '0')}`);

beforeEach(() => {
  ec2.reset();
  instances = new SdkInstances(new AwsClients({ region: 'us-east-1' }));
});

describe('run', () => {
  it('sends one RunInstances with MinCount = MaxCount and the caller s ClientToken, returns the instances', async () => {
    ec2.on(RunInstancesCommand).resolves({ Instances: [{ InstanceId: 'i-1' }, { InstanceId: 'i-2' }] });
    const out = await instances.run({ ImageId: 'ami-1', MinCount: 1, MaxCount: 2, ClientToken: 'shop-k3x9a-green' });
    expect(out.map((i) => i.InstanceId)).toEqual(['i-1', 'i-2']);
    expect(ec2.commandCalls(RunInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { ImageId: 'ami-1', MinCount: 2, MaxCount: 2, ClientToken: 'shop-k3x9a-green' },
    ]);
  });

  it('names the image and the client token when it fails', async () => {
    ec2.on(RunInstancesCommand).rejects(awsError('InsufficientInstanceCapacity', 'We currently do not have sufficient t3.small capacity'));
    await expect(instances.run({ ImageId: 'ami-1', MinCount: 3, MaxCount: 3, ClientToken: 'tok' })).rejects.toMatchObject({
      name: 'AwsCallError',
      operation: 'RunInstances',
      resource: '3 instances of image ami-1 (client token tok)',
      code: 'InsufficientInstanceCapacity',
    });
  });

  it('fails when AWS answers no instances', async () => {
    ec2.on(RunInstancesCommand).resolves({});
    await expect(instances.run({ ImageId: 'ami-1', MinCount: 1, MaxCount: 1 })).rejects.toMatchObject({ code: 'NoInstances' });
  });
});

describe('describe', () => {
  it('asks 1000 ids a call, without MaxResults (EC2 refuses it with InstanceIds), and follows pages', async () => {
    const all = ids(2300);
    world(new Set(all));
    const found = await instances.describe([...all, all[0]!]);
    expect(found).toHaveLength(2300);
    const calls = ec2.commandCalls(DescribeInstancesCommand);
    expect(calls.map((c) => c.args[0].input.InstanceIds?.length)).toEqual([1000, 1000, 300]);
    expect(calls.every((c) => c.args[0].input.MaxResults === undefined)).toBe(true);
  });

  it('follows NextToken', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: 'i-1' }] }], NextToken: 't' })
      .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: 'i-2' }] }, { Instances: [{ InstanceId: 'i-3' }] }] });
    expect((await instances.describe(['i-1', 'i-2', 'i-3'])).map((i) => i.InstanceId)).toEqual(['i-1', 'i-2', 'i-3']);
    expect(ec2.commandCalls(DescribeInstancesCommand)[1]!.args[0].input.NextToken).toBe('t');
  });

  it('leaves out ids that no longer exist: asks again without the ids the error names', async () => {
    const all = ids(5);
    world(new Set(all.filter((_, i) => i !== 1 && i !== 3)));
    const found = await instances.describe(all);
    expect(found.map((i) => i.InstanceId)).toEqual([all[0], all[2], all[4]]);
    expect(ec2.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input.InstanceIds)).toEqual([all, [all[0], all[2], all[4]]]);
  });

  it('asks one at a time when the error names no id of the batch', async () => {
    ec2.on(DescribeInstancesCommand).callsFake((input: DescribeInstancesCommandInput) => {
      const asked = input.InstanceIds ?? [];
      if (asked.length > 1 || asked[0] === 'i-gone') throw awsError('InvalidInstanceID.NotFound', 'An instance does not exist');
      return { Reservations: [{ Instances: asked.map((InstanceId) => ({ InstanceId })) }] };
    });
    expect((await instances.describe(['i-a', 'i-gone', 'i-b'])).map((i) => i.InstanceId)).toEqual(['i-a', 'i-b']);
  });

  it('right after RunInstances EC2 may not know a new id (eventual consistency): it is absent, the others described', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .rejectsOnce(notFound(['i-new']))
      .resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-old' }] }] });
    expect((await instances.describe(['i-old', 'i-new'])).map((i) => i.InstanceId)).toEqual(['i-old']);
    expect(ec2.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input.InstanceIds)).toEqual([['i-old', 'i-new'], ['i-old']]);
  });

  it('gives [] for no ids (no call) and for one missing id', async () => {
    expect(await instances.describe([])).toEqual([]);
    expect(ec2.calls()).toHaveLength(0);
    world(new Set());
    expect(await instances.describe(['i-gone'])).toEqual([]);
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(1);
  });

  it('names the operation and the instances when it fails otherwise', async () => {
    ec2.on(DescribeInstancesCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized'));
    await expect(instances.describe(['i-1', 'i-2'])).rejects.toMatchObject({
      operation: 'DescribeInstances',
      resource: 'instances i-1, i-2',
      code: 'UnauthorizedOperation',
    });
  });
});

describe('listByTag', () => {
  it('filters by tag and live states, 1000 a page, all pages', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: 'i-1' }] }], NextToken: 'n' })
      .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: 'i-2' }] }] });
    expect((await instances.listByTag('bluegreen:deployment', 'k3x9a')).map((i) => i.InstanceId)).toEqual(['i-1', 'i-2']);
    const first = ec2.commandCalls(DescribeInstancesCommand)[0]!.args[0].input;
    expect(first).toMatchObject({
      Filters: [
        { Name: 'tag:bluegreen:deployment', Values: ['k3x9a'] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
      MaxResults: 1000,
    });
  });
});

describe('terminate', () => {
  it('terminates all in one call', async () => {
    const all = ids(40);
    world(new Set(all));
    await instances.terminate(all);
    expect(ec2.commandCalls(TerminateInstancesCommand).map((c) => c.args[0].input.InstanceIds)).toEqual([all]);
  });

  it('succeeds for ids EC2 does not know, terminating the others, and returns them (gone, or not visible yet)', async () => {
    const all = ids(3);
    world(new Set([all[1]!]));
    expect(await instances.terminate(all)).toEqual([all[0], all[2]]);
    expect(ec2.commandCalls(TerminateInstancesCommand).map((c) => c.args[0].input.InstanceIds)).toEqual([all, [all[1]]]);
    ec2.resetHistory();
    world(new Set());
    expect(await instances.terminate(all)).toEqual(all);
    expect(ec2.commandCalls(TerminateInstancesCommand)).toHaveLength(1);
  });

  it('returns the ids asked one at a time when the message names none of them', async () => {
    ec2.on(TerminateInstancesCommand).callsFake((input: TerminateInstancesCommandInput) => {
      const asked = input.InstanceIds ?? [];
      if (asked.length > 1 || asked[0] === 'i-new') throw awsError('InvalidInstanceID.NotFound', 'An instance does not exist');
      return { TerminatingInstances: asked.map((InstanceId) => ({ InstanceId })) };
    });
    expect(await instances.terminate(['i-a', 'i-new', 'i-b'])).toEqual(['i-new']);
  });

  it('makes no call for no ids; wraps other failures', async () => {
    expect(await instances.terminate([])).toEqual([]);
    expect(ec2.calls()).toHaveLength(0);
    ec2.on(TerminateInstancesCommand).rejects(awsError('OperationNotPermitted', 'The instance has termination protection'));
    await expect(instances.terminate(['i-1'])).rejects.toMatchObject({
      operation: 'TerminateInstances',
      resource: 'instance i-1',
      code: 'OperationNotPermitted',
    });
  });
});

describe('missingIds', () => {
  it('reads the ids out of EC2 messages (one or several)', () => {
    expect(missingIds("The instance IDs 'i-1, i-3' do not exist", ['i-1', 'i-2', 'i-3'])).toEqual(['i-1', 'i-3']);
    expect(missingIds("The instance ID 'i-2' does not exist", ['i-1', 'i-2'])).toEqual(['i-2']);
    expect(missingIds("Invalid id: 'i-1x'", ['i-1'])).toEqual([]);
  });
});
