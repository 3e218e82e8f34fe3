import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AttachInstancesCommand,
  CompleteLifecycleActionCommand,
  AutoScalingClient,
  DetachInstancesCommand,
  ResumeProcessesCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  DeleteWarmPoolCommand,
  DeletePolicyCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeLifecycleHooksCommand,
  DescribePoliciesCommand,
  PutScalingPolicyCommand,
  type AutoScalingGroup,
  type DescribeAutoScalingGroupsCommandInput,
  DescribeNotificationConfigurationsCommand,
  DescribeScheduledActionsCommand,
  PutNotificationConfigurationCommand,
  PutScheduledUpdateGroupActionCommand,
  PutWarmPoolCommand,
} from '@aws-sdk/client-auto-scaling';
import { AwsCallError } from '../../../src/errors.js';
import { AwsClients } from '../../../src/aws/sdk/clients.js';
import { SdkGroups } from '../../../src/aws/sdk/groups.js';
import { awsError } from './aws-error.js';

const asg = mockClient(AutoScalingClient);

const group = (name: string): AutoScalingGroup => ({
  AutoScalingGroupName: name,
  MinSize: 0,
  MaxSize: 1,
  DesiredCapacity: 0,
  DefaultCooldown: 300,
  AvailabilityZones: [],
  HealthCheckType: 'EC2',
  CreatedTime: new Date(0),
});
let groups: SdkGroups;

beforeEach(() => {
  asg.reset();
  groups = new SdkGroups(new AwsClients({ region: 'us-east-1' }));
});

describe('describeGroups', () => {
  it('asks for 100 names a call: 250 names, 3 calls, missing names absent', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).callsFake((input: DescribeAutoScalingGroupsCommandInput) => ({
      AutoScalingGroups: (input.AutoScalingGroupNames ?? []).filter((name) => !name.endsWith('7')).map(group),
    }));
    const names = Array.from({ length: 250 }, (_, i) => `shop-${i}`);

    const found = await groups.describeGroups([...names, 'shop-1']);

    const calls = asg.commandCalls(DescribeAutoScalingGroupsCommand);
    expect(calls.map((c) => c.args[0].input.AutoScalingGroupNames?.length)).toEqual([100, 100, 50]);
    expect(calls.every((c) => c.args[0].input.MaxRecords === 100)).toBe(true);
    expect(found).toHaveLength(225);
    expect(found.map((g) => g.AutoScalingGroupName)).not.toContain('shop-7');
  });

  it('makes no call for no names', async () => {
    expect(await groups.describeGroups([])).toEqual([]);
    expect(asg.calls()).toHaveLength(0);
  });

  it('follows NextToken pages', async () => {
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce({ AutoScalingGroups: [group('a')], NextToken: 't1' })
      .resolvesOnce({ AutoScalingGroups: [group('b')] });
    const found = await groups.listGroupsByTag('bluegreen:service', 'shop');
    expect(found.map((g) => g.AutoScalingGroupName)).toEqual(['a', 'b']);
    const calls = asg.commandCalls(DescribeAutoScalingGroupsCommand);
    expect(calls[0]!.args[0].input.Filters).toEqual([{ Name: 'tag:bluegreen:service', Values: ['shop'] }]);
    expect(calls[1]!.args[0].input.NextToken).toBe('t1');
  });

  it('describeGroup gives undefined for a missing group', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    expect(await groups.describeGroup('gone')).toBeUndefined();
  });

  it('names the operation and the groups when it fails', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).rejects(awsError('AccessDenied', 'not authorized'));
    await expect(groups.describeGroups(['a', 'b'])).rejects.toMatchObject({
      name: 'AwsCallError',
      operation: 'DescribeAutoScalingGroups',
      resource: 'auto scaling groups a, b',
      code: 'AccessDenied',
    });
  });
});

describe('create and delete', () => {
  it("answers AlreadyExists as an AwsCallError: the step tells by the group's tags whether it is its own", async () => {
    asg.on(CreateAutoScalingGroupCommand).rejects(awsError('AlreadyExists', 'AutoScalingGroup by this name already exists'));
    await expect(groups.createGroup({ AutoScalingGroupName: 'shop-green-k3x9a', MinSize: 0, MaxSize: 1 })).rejects.toMatchObject({
      name: 'AwsCallError',
      code: 'AlreadyExists',
    });
  });

  it('wraps a create failure in AwsCallError naming the group', async () => {
    asg.on(CreateAutoScalingGroupCommand).rejects(awsError('LimitExceeded', 'You have reached your quota'));
    const error = await groups.createGroup({ AutoScalingGroupName: 'shop-green-k3x9a', MinSize: 0, MaxSize: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).toMatchObject({ operation: 'CreateAutoScalingGroup', resource: 'auto scaling group shop-green-k3x9a' });
  });

  it('deletes with ForceDelete and succeeds when the group is gone', async () => {
    asg.on(DeleteAutoScalingGroupCommand).rejects(awsError('ValidationError', 'AutoScalingGroup name not found - shop-green'));
    await expect(groups.deleteGroup('shop-green')).resolves.toBeUndefined();
    expect(asg.commandCalls(DeleteAutoScalingGroupCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupName: 'shop-green',
      ForceDelete: true,
    });
  });

  it('deletes without ForceDelete when asked (termination hooks run), and deletes a warm pool without it too', async () => {
    asg.on(DeleteAutoScalingGroupCommand).resolves({});
    asg.on(DeleteWarmPoolCommand).resolves({});
    await groups.deleteGroup('shop-web', { force: false });
    await groups.deleteWarmPool('shop-web');
    expect(asg.commandCalls(DeleteAutoScalingGroupCommand)[0]!.args[0].input).toEqual({ AutoScalingGroupName: 'shop-web', ForceDelete: false });
    expect(asg.commandCalls(DeleteWarmPoolCommand)[0]!.args[0].input).toEqual({ AutoScalingGroupName: 'shop-web' });
  });

  it('does not hide other validation errors on delete', async () => {
    asg
      .on(DeleteAutoScalingGroupCommand)
      .rejects(awsError('ResourceInUse', 'You cannot delete an AutoScalingGroup while there are scaling activities in progress'));
    await expect(groups.deleteGroup('shop-green')).rejects.toMatchObject({ code: 'ResourceInUse' });
  });

  it('deletePolicy succeeds when the policy or its group is gone', async () => {
    asg.on(DeletePolicyCommand).rejects(awsError('ValidationError', 'AutoScalingGroup name not found - g'));
    await expect(groups.deletePolicy('g', 'scale-out')).resolves.toBeUndefined();
  });

  it('describeLifecycleHooks and describePolicies give [] for a missing group', async () => {
    asg.on(DescribeLifecycleHooksCommand).rejects(awsError('ValidationError', 'AutoScalingGroup name not found - g'));
    asg.on(DescribePoliciesCommand).rejects(awsError('ValidationError', 'AutoScalingGroup name not found - g'));
    expect(await groups.describeLifecycleHooks('g')).toEqual([]);
    expect(await groups.describePolicies('g')).toEqual([]);
  });
});

describe('putPolicy', () => {
  const input = { AutoScalingGroupName: 'shop-green', PolicyName: 'cpu-target', PolicyType: 'TargetTrackingScaling' };

  it('returns the ARN of the response', async () => {
    asg.on(PutScalingPolicyCommand).resolves({ PolicyARN: 'arn:policy/cpu-target' });
    expect(await groups.putPolicy(input)).toBe('arn:policy/cpu-target');
    expect(asg.commandCalls(DescribePoliciesCommand)).toHaveLength(0);
  });

  it('reads the ARN back with DescribePolicies when the response has none (moto)', async () => {
    asg.on(PutScalingPolicyCommand).resolves({});
    asg.on(DescribePoliciesCommand).resolves({
      ScalingPolicies: [{ PolicyName: 'cpu-target', PolicyARN: 'arn:policy/cpu-target' }],
    });
    expect(await groups.putPolicy(input)).toBe('arn:policy/cpu-target');
    expect(asg.commandCalls(DescribePoliciesCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupName: 'shop-green',
      PolicyNames: ['cpu-target'],
    });
  });

  it('fails naming the policy when no ARN can be found', async () => {
    asg.on(PutScalingPolicyCommand).resolves({});
    asg.on(DescribePoliciesCommand).resolves({ ScalingPolicies: [] });
    await expect(groups.putPolicy(input)).rejects.toMatchObject({
      name: 'AwsCallError',
      resource: 'scaling policy cpu-target of auto scaling group shop-green',
    });
  });
});

describe('attach, detach, terminate in group, resume', () => {
  const member = (id: string) => ({
    InstanceId: id,
    AvailabilityZone: 'us-east-1a',
    LifecycleState: 'InService' as const,
    HealthStatus: 'Healthy',
    ProtectedFromScaleIn: false,
  });

  it('attaches 20 instances a call', async () => {
    asg.on(AttachInstancesCommand).resolves({});
    const ids = Array.from({ length: 45 }, (_, i) => `i-${i}`);
    await groups.attachInstances('shop-green', ids);
    expect(asg.commandCalls(AttachInstancesCommand).map((c) => c.args[0].input.InstanceIds?.length)).toEqual([20, 20, 5]);
  });

  it('names the instances and the group when attach is refused beyond MaxSize', async () => {
    asg
      .on(AttachInstancesCommand)
      .rejects(awsError('ValidationError', 'AutoScalingGroup shop-green has max size 2; attaching 1 instance would exceed it'));
    await expect(groups.attachInstances('shop-green', ['i-1'])).rejects.toMatchObject({
      operation: 'AttachInstances',
      resource: 'instance i-1 to auto scaling group shop-green',
      code: 'ValidationError',
    });
  });

  it('detaches only the instances the group holds (AWS refuses a call naming others), with the decrement flag', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [{ ...group('shop-green'), Instances: [member('i-1'), member('i-3')] }] });
    asg.on(DetachInstancesCommand).resolves({});
    await groups.detachInstances('shop-green', ['i-1', 'i-2', 'i-3'], true);
    expect(asg.commandCalls(DetachInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { AutoScalingGroupName: 'shop-green', InstanceIds: ['i-1', 'i-3'], ShouldDecrementDesiredCapacity: true },
    ]);
  });

  it('detach is a no-op when none is in the group, or the group is gone', async () => {
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce({ AutoScalingGroups: [{ ...group('g'), Instances: [member('i-9')] }] })
      .resolvesOnce({ AutoScalingGroups: [] });
    await groups.detachInstances('g', ['i-1'], false);
    await groups.detachInstances('gone', ['i-1'], false);
    await groups.detachInstances('g', [], false);
    expect(asg.commandCalls(DetachInstancesCommand)).toHaveLength(0);
    expect(asg.commandCalls(DescribeAutoScalingGroupsCommand)).toHaveLength(2);
  });

  it('terminates one instance per call and succeeds when it is gone', async () => {
    asg
      .on(TerminateInstanceInAutoScalingGroupCommand)
      .resolvesOnce({})
      .rejects(awsError('ValidationError', 'Instance Id not found - No managed instance found for instance ID: i-2'));
    await groups.terminateInstanceInGroup('i-1', true);
    await expect(groups.terminateInstanceInGroup('i-2', false)).resolves.toBeUndefined();
    expect(asg.commandCalls(TerminateInstanceInAutoScalingGroupCommand).map((c) => c.args[0].input)).toEqual([
      { InstanceId: 'i-1', ShouldDecrementDesiredCapacity: true },
      { InstanceId: 'i-2', ShouldDecrementDesiredCapacity: false },
    ]);
  });

  it('does not hide a min-size refusal on terminate', async () => {
    asg
      .on(TerminateInstanceInAutoScalingGroupCommand)
      .rejects(
        awsError(
          'ValidationError',
          "Currently, desiredSize equals minSize (1). Terminating instance without replacement will violate group's min size constraint.",
        ),
      );
    await expect(groups.terminateInstanceInGroup('i-1', true)).rejects.toMatchObject({
      operation: 'TerminateInstanceInAutoScalingGroup',
      resource: 'instance i-1',
      code: 'ValidationError',
    });
  });

  it('resumes processes', async () => {
    asg.on(ResumeProcessesCommand).resolves({});
    await groups.resumeProcesses('shop', ['Launch', 'Terminate']);
    expect(asg.commandCalls(ResumeProcessesCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupName: 'shop',
      ScalingProcesses: ['Launch', 'Terminate'],
    });
  });
});

describe('completeLifecycleAction', () => {
  it('completes the hook for the instance with the result given', async () => {
    asg.on(CompleteLifecycleActionCommand).resolves({});
    await groups.completeLifecycleAction('shop-green', 'warmup', 'i-1', 'CONTINUE');
    expect(asg.commandCalls(CompleteLifecycleActionCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupName: 'shop-green',
      LifecycleHookName: 'warmup',
      InstanceId: 'i-1',
      LifecycleActionResult: 'CONTINUE',
    });
  });

  it('succeeds when the instance waits for the hook no more (completed by someone else, or timed out)', async () => {
    asg.on(CompleteLifecycleActionCommand).rejects(awsError('ValidationError', 'No active Lifecycle Action found with instance ID i-1'));
    await expect(groups.completeLifecycleAction('shop-green', 'warmup', 'i-1', 'CONTINUE')).resolves.toBeUndefined();
  });

  it('does not hide another refusal, naming the hook, the group and the instance', async () => {
    asg.on(CompleteLifecycleActionCommand).rejects(awsError('AccessDenied', 'not authorized to perform: autoscaling:CompleteLifecycleAction'));
    await expect(groups.completeLifecycleAction('shop-green', 'warmup', 'i-1', 'CONTINUE')).rejects.toMatchObject({
      operation: 'CompleteLifecycleAction',
      resource: 'lifecycle hook warmup of auto scaling group shop-green for instance i-1',
      code: 'AccessDenied',
    });
  });
});

describe('scheduled actions, notifications, warm pool', () => {
  it('describeScheduledActions reads every page; [] for a missing group', async () => {
    asg
      .on(DescribeScheduledActionsCommand, { AutoScalingGroupName: 'g' })
      .resolvesOnce({ ScheduledUpdateGroupActions: [{ ScheduledActionName: 'a' }], NextToken: 't' })
      .resolves({ ScheduledUpdateGroupActions: [{ ScheduledActionName: 'b' }] });
    expect((await groups.describeScheduledActions('g')).map((a) => a.ScheduledActionName)).toEqual(['a', 'b']);
    asg
      .on(DescribeScheduledActionsCommand, { AutoScalingGroupName: 'gone' })
      .rejects(awsError('ValidationError', 'AutoScalingGroup name not found - gone'));
    expect(await groups.describeScheduledActions('gone')).toEqual([]);
  });

  it('describeNotifications asks for the one group, every page', async () => {
    asg
      .on(DescribeNotificationConfigurationsCommand)
      .resolvesOnce({ NotificationConfigurations: [{ TopicARN: 'arn:sns:a', NotificationType: 'autoscaling:EC2_INSTANCE_LAUNCH' }], NextToken: 't' })
      .resolves({ NotificationConfigurations: [{ TopicARN: 'arn:sns:a', NotificationType: 'autoscaling:EC2_INSTANCE_TERMINATE' }] });
    expect(await groups.describeNotifications('g')).toHaveLength(2);
    expect(asg.commandCalls(DescribeNotificationConfigurationsCommand)[0]!.args[0].input.AutoScalingGroupNames).toEqual(['g']);
  });

  it('putScheduledAction, putNotification and putWarmPool send what they are given', async () => {
    asg.on(PutScheduledUpdateGroupActionCommand).resolves({});
    asg.on(PutNotificationConfigurationCommand).resolves({});
    asg.on(PutWarmPoolCommand).resolves({});
    await groups.putScheduledAction({ AutoScalingGroupName: 'g', ScheduledActionName: 'a', Recurrence: '0 8 * * *', DesiredCapacity: 2 });
    await groups.putNotification('g', 'arn:sns:a', ['autoscaling:EC2_INSTANCE_LAUNCH']);
    await groups.putWarmPool({ AutoScalingGroupName: 'g', MinSize: 1 });
    expect(asg.commandCalls(PutScheduledUpdateGroupActionCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupName: 'g',
      ScheduledActionName: 'a',
      Recurrence: '0 8 * * *',
      DesiredCapacity: 2,
    });
    expect(asg.commandCalls(PutNotificationConfigurationCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupName: 'g',
      TopicARN: 'arn:sns:a',
      NotificationTypes: ['autoscaling:EC2_INSTANCE_LAUNCH'],
    });
    expect(asg.commandCalls(PutWarmPoolCommand)[0]!.args[0].input).toEqual({ AutoScalingGroupName: 'g', MinSize: 1 });
  });

  it('a refusal names the operation and the group', async () => {
    asg.on(PutScheduledUpdateGroupActionCommand).rejects(awsError('ValidationError', 'Given start time is in the past'));
    await expect(groups.putScheduledAction({ AutoScalingGroupName: 'g', ScheduledActionName: 'a' })).rejects.toMatchObject({
      operation: 'PutScheduledUpdateGroupAction',
      code: 'ValidationError',
    });
  });
});
