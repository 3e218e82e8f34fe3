import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  InvalidInstanceId,
  InvocationDoesNotExist,
  SendCommandCommand,
  SSMClient,
  type DescribeInstanceInformationCommandInput,
} from '@aws-sdk/client-ssm';
import { AwsClients } from '../../../src/aws/sdk/clients.js';
import { SdkSsm } from '../../../src/aws/sdk/ssm.js';
import { awsError } from './aws-error.js';

const ssm = mockClient(SSMClient);
let port: SdkSsm;

beforeEach(() => {
  ssm.reset();
  port = new SdkSsm(new AwsClients({ region: 'us-east-1' }));
});

const ids = (n: number) => Array.from({ length: n }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);

describe('pingStatus', () => {
  it('filters by InstanceIds, 50 a call, and maps id to PingStatus; unmanaged ids absent', async () => {
    ssm.on(DescribeInstanceInformationCommand).callsFake((input: DescribeInstanceInformationCommandInput) => ({
      InstanceInformationList: (input.Filters?.[0]?.Values ?? [])
        .filter((id) => !id.endsWith('7'))
        .map((InstanceId, i) => ({ InstanceId, PingStatus: i % 2 ? 'ConnectionLost' : 'Online' })),
    }));
    const all = ids(120);
    const status = await port.pingStatus(all);
    const calls = ssm.commandCalls(DescribeInstanceInformationCommand);
    expect(calls.map((c) => c.args[0].input.Filters?.[0]?.Values?.length)).toEqual([50, 50, 20]);
    expect(calls[0]!.args[0].input).toMatchObject({ Filters: [{ Key: 'InstanceIds', Values: all.slice(0, 50) }], MaxResults: 50 });
    expect(status[all[0]!]).toBe('Online');
    expect(status[all[1]!]).toBe('ConnectionLost');
    expect(all[7]! in status).toBe(false);
  });

  it('follows NextToken', async () => {
    ssm
      .on(DescribeInstanceInformationCommand)
      .resolvesOnce({ InstanceInformationList: [{ InstanceId: 'i-1', PingStatus: 'Online' }], NextToken: 'n' })
      .resolvesOnce({ InstanceInformationList: [{ InstanceId: 'i-2', PingStatus: 'Inactive' }] });
    expect(await port.pingStatus(['i-1', 'i-2'])).toEqual({ 'i-1': 'Online', 'i-2': 'Inactive' });
  });

  it('asks one by one when AWS refuses the batch with InvalidInstanceId', async () => {
    ssm.on(DescribeInstanceInformationCommand).callsFake((input: DescribeInstanceInformationCommandInput) => {
      const asked = input.Filters?.[0]?.Values ?? [];
      if (asked.includes('i-gone')) throw new InvalidInstanceId({ message: 'Instances [[i-gone]] not in a valid state', $metadata: {} });
      return { InstanceInformationList: asked.map((InstanceId) => ({ InstanceId, PingStatus: 'Online' })) };
    });
    expect(await port.pingStatus(['i-1', 'i-gone', 'i-2'])).toEqual({ 'i-1': 'Online', 'i-2': 'Online' });
  });

  it('makes no call for no ids; names the operation on failure', async () => {
    expect(await port.pingStatus([])).toEqual({});
    expect(ssm.calls()).toHaveLength(0);
    ssm.on(DescribeInstanceInformationCommand).rejects(awsError('AccessDeniedException', 'not authorized'));
    await expect(port.pingStatus(['i-1'])).rejects.toMatchObject({
      name: 'AwsCallError',
      operation: 'DescribeInstanceInformation',
      resource: 'SSM status of instance i-1',
      code: 'AccessDeniedException',
    });
  });
});

describe('sendShellCommand', () => {
  it('sends AWS-RunShellScript with the commands, the execution timeout and a comment of at most 100 chars', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
    const id = await port.sendShellCommand(['i-1', 'i-2'], ['echo a', 'echo b'], `bluegreen ${'x'.repeat(200)}`, 900);
    expect(id).toBe('cmd-1');
    const input = ssm.commandCalls(SendCommandCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      DocumentName: 'AWS-RunShellScript',
      InstanceIds: ['i-1', 'i-2'],
      Parameters: { commands: ['echo a', 'echo b'], executionTimeout: ['900'] },
      TimeoutSeconds: 900,
    });
    expect(input.Comment).toHaveLength(100);
  });

  it('delivery timeout is at least 30 s; a failure names the instances', async () => {
    ssm
      .on(SendCommandCommand)
      .resolvesOnce({ Command: { CommandId: 'c' } })
      .rejects(awsError('InvalidInstanceId', 'Instances not in a valid state'));
    await port.sendShellCommand(['i-1'], ['true'], 'c', 5);
    expect(ssm.commandCalls(SendCommandCommand)[0]!.args[0].input.TimeoutSeconds).toBe(30);
    await expect(port.sendShellCommand(['i-1', 'i-2'], ['true'], 'c', 5)).rejects.toMatchObject({
      operation: 'SendCommand',
      resource: 'AWS-RunShellScript on instances i-1, i-2',
      code: 'InvalidInstanceId',
    });
  });

  it('fails when the response has no command id', async () => {
    ssm.on(SendCommandCommand).resolves({});
    await expect(port.sendShellCommand(['i-1'], ['true'], 'c', 60)).rejects.toMatchObject({ code: 'NoCommandId' });
  });
});

describe('invocation', () => {
  it('maps status, exit code and output', async () => {
    ssm.on(GetCommandInvocationCommand).resolves({
      Status: 'Failed',
      ResponseCode: 3,
      StandardOutputContent: 'migrating\n',
      StandardErrorContent: 'boom\n',
    });
    expect(await port.invocation('cmd-1', 'i-1')).toEqual({ status: 'Failed', exitCode: 3, stdout: 'migrating\n', stderr: 'boom\n' });
    expect(ssm.commandCalls(GetCommandInvocationCommand)[0]!.args[0].input).toEqual({ CommandId: 'cmd-1', InstanceId: 'i-1' });
  });

  it('gives undefined while AWS does not know the invocation yet', async () => {
    ssm.on(GetCommandInvocationCommand).rejects(new InvocationDoesNotExist({ message: '', $metadata: {} }));
    expect(await port.invocation('cmd-1', 'i-1')).toBeUndefined();
  });

  it('a pending invocation has exit code -1', async () => {
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'InProgress' });
    expect(await port.invocation('cmd-1', 'i-1')).toEqual({ status: 'InProgress', exitCode: -1, stdout: '', stderr: '' });
  });
});
