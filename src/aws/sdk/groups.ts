/** GroupsPort on Auto Scaling (SDK v3). */
import type {
  AutoScalingGroup,
  CreateAutoScalingGroupCommandInput,
  LifecycleHook,
  NotificationConfiguration,
  PutLifecycleHookCommandInput,
  PutScalingPolicyCommandInput,
  PutScheduledUpdateGroupActionCommandInput,
  PutWarmPoolCommandInput,
  ScalingPolicy,
  ScheduledUpdateGroupAction,
  UpdateAutoScalingGroupCommandInput,
} from '@aws-sdk/client-auto-scaling';
import { AwsCallError } from '../../errors.js';
import type { GroupsPort } from '../ports.js';
import type { AwsClients } from './clients.js';
import { allPages, awsCall, chunk, isValidationNotFound, nameResources } from './call.js';

/** DescribeAutoScalingGroups takes at most 100 names a call. */
export const GROUP_NAMES_PER_CALL = 100;

/** AttachInstances and DetachInstances take at most 20 instance ids a call. */
export const INSTANCES_PER_ATTACH = 20;

const group = (name: string) => `auto scaling group ${name}`;
const instanceList = (ids: readonly string[]) => nameResources('instance', 'instances', ids);

export class SdkGroups implements GroupsPort {
  constructor(private readonly clients: AwsClients) {}

  async describeGroup(name: string): Promise<AutoScalingGroup | undefined> {
    const [found] = await this.describeGroups([name]);
    return found;
  }

  async describeGroups(names: string[]): Promise<AutoScalingGroup[]> {
    const unique = [...new Set(names)];
    if (unique.length === 0) return [];
    const { client, sdk: asg } = await this.clients.autoScaling();
    const out: AutoScalingGroup[] = [];
    for (const batch of chunk(unique, GROUP_NAMES_PER_CALL)) {
      const found = await awsCall('DescribeAutoScalingGroups', nameResources('auto scaling group', 'auto scaling groups', batch), () =>
        allPages(
          asg.paginateDescribeAutoScalingGroups({ client, pageSize: GROUP_NAMES_PER_CALL }, { AutoScalingGroupNames: batch }),
          (page) => page.AutoScalingGroups,
        ),
      );
      out.push(...found);
    }
    return out;
  }

  async listGroupsByTag(key: string, value: string): Promise<AutoScalingGroup[]> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    return awsCall('DescribeAutoScalingGroups', `auto scaling groups tagged ${key}=${value}`, () =>
      allPages(
        asg.paginateDescribeAutoScalingGroups({ client, pageSize: GROUP_NAMES_PER_CALL }, { Filters: [{ Name: `tag:${key}`, Values: [value] }] }),
        (page) => page.AutoScalingGroups,
      ),
    );
  }

  async createGroup(input: CreateAutoScalingGroupCommandInput): Promise<void> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    // AlreadyExists is an AwsCallError: a first attempt creates without looking, so the step tells by the
    // group's tags whether it is its own (an SDK retry after AWS made it and the answer was lost) or not.
    await awsCall('CreateAutoScalingGroup', group(input.AutoScalingGroupName ?? '?'), () =>
      client.send(new asg.CreateAutoScalingGroupCommand(input)),
    );
  }

  async updateGroup(input: UpdateAutoScalingGroupCommandInput): Promise<void> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    await awsCall('UpdateAutoScalingGroup', group(input.AutoScalingGroupName ?? '?'), () =>
      client.send(new asg.UpdateAutoScalingGroupCommand(input)),
    );
  }

  async deleteGroup(name: string, options: { force?: boolean } = {}): Promise<void> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    await awsCall(
      'DeleteAutoScalingGroup',
      group(name),
      () => client.send(new asg.DeleteAutoScalingGroupCommand({ AutoScalingGroupName: name, ForceDelete: options.force ?? true })),
      { missing: isValidationNotFound },
    );
  }

  async deleteWarmPool(name: string): Promise<void> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    // A group without a warm pool (or gone) answers ValidationError "... not found ...": nothing to delete.
    await awsCall('DeleteWarmPool', `warm pool of ${group(name)}`, () => client.send(new asg.DeleteWarmPoolCommand({ AutoScalingGroupName: name })), {
      missing: isValidationNotFound,
    });
  }

  async suspendProcesses(name: string, processes: string[]): Promise<void> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    await awsCall('SuspendProcesses', group(name), () =>
      client.send(new asg.SuspendProcessesCommand({ AutoScalingGroupName: name, ScalingProcesses: processes })),
    );
  }

  async enableMetrics(name: string, metrics: string[], granularity: string): Promise<void> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    await awsCall('EnableMetricsCollection', group(name), () =>
      client.send(new asg.EnableMetricsCollectionCommand({ AutoScalingGroupName: name, Metrics: metrics, Granularity: granularity })),
    );
  }

  async describeLifecycleHooks(name: string): Promise<LifecycleHook[]> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    const out = await awsCall(
      'DescribeLifecycleHooks',
      group(name),
      () => client.send(new asg.DescribeLifecycleHooksCommand({ AutoScalingGroupName: name })),
      { missing: isValidationNotFound },
    );
    return out?.LifecycleHooks ?? [];
  }

  async putLifecycleHook(input: PutLifecycleHookCommandInput): Promise<void> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    await awsCall('PutLifecycleHook', `lifecycle hook ${input.LifecycleHookName} of ${group(input.AutoScalingGroupName ?? '?')}`, () =>
      client.send(new asg.PutLifecycleHookCommand(input)),
    );
  }

  async completeLifecycleAction(name: string, hook: string, instanceId: string, result: 'CONTINUE' | 'ABANDON'): Promise<void> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    // An instance that waits for the hook no more answers ValidationError "No active Lifecycle Action found
    // with instance ID i-...": someone (or the heartbeat timeout) completed it first.
    await awsCall(
      'CompleteLifecycleAction',
      `lifecycle hook ${hook} of ${group(name)} for instance ${instanceId}`,
      () =>
        client.send(
          new asg.CompleteLifecycleActionCommand({
            AutoScalingGroupName: name,
            LifecycleHookName: hook,
            InstanceId: instanceId,
            LifecycleActionResult: result,
          }),
        ),
      { missing: (info) => info.codes.includes('ValidationError') && /no active lifecycle action/i.test(info.message) },
    );
  }

  async resumeProcesses(name: string, processes: string[]): Promise<void> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    await awsCall('ResumeProcesses', group(name), () =>
      client.send(new asg.ResumeProcessesCommand({ AutoScalingGroupName: name, ScalingProcesses: processes })),
    );
  }

  async attachInstances(name: string, instanceIds: string[]): Promise<void> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    for (const batch of chunk([...new Set(instanceIds)], INSTANCES_PER_ATTACH)) {
      await awsCall('AttachInstances', `${instanceList(batch)} to ${group(name)}`, () =>
        client.send(new asg.AttachInstancesCommand({ AutoScalingGroupName: name, InstanceIds: batch })),
      );
    }
  }

  /**
   * AWS refuses the whole call (ValidationError) when one id is not in the group, so only the ids the
   * group holds now are sent. A group that is gone holds none.
   */
  async detachInstances(name: string, instanceIds: string[], decrement: boolean): Promise<void> {
    const wanted = new Set(instanceIds);
    if (wanted.size === 0) return;
    const current = await this.describeGroup(name);
    const members = (current?.Instances ?? []).flatMap((i) => (i.InstanceId && wanted.has(i.InstanceId) ? [i.InstanceId] : []));
    if (members.length === 0) return;
    const { client, sdk: asg } = await this.clients.autoScaling();
    for (const batch of chunk(members, INSTANCES_PER_ATTACH)) {
      await awsCall('DetachInstances', `${instanceList(batch)} from ${group(name)}`, () =>
        client.send(
          new asg.DetachInstancesCommand({
            AutoScalingGroupName: name,
            InstanceIds: batch,
            ShouldDecrementDesiredCapacity: decrement,
          }),
        ),
      );
    }
  }

  async terminateInstanceInGroup(instanceId: string, decrement: boolean): Promise<void> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    // An instance that is gone (or in no group) answers ValidationError "Instance Id not found - ...".
    await awsCall(
      'TerminateInstanceInAutoScalingGroup',
      `instance ${instanceId}`,
      () =>
        client.send(
          new asg.TerminateInstanceInAutoScalingGroupCommand({
            InstanceId: instanceId,
            ShouldDecrementDesiredCapacity: decrement,
          }),
        ),
      { missing: isValidationNotFound },
    );
  }

  async describePolicies(name: string): Promise<ScalingPolicy[]> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    const out = await awsCall(
      'DescribePolicies',
      `scaling policies of ${group(name)}`,
      () => allPages(asg.paginateDescribePolicies({ client }, { AutoScalingGroupName: name }), (page) => page.ScalingPolicies),
      { missing: isValidationNotFound },
    );
    return out ?? [];
  }

  async putPolicy(input: PutScalingPolicyCommandInput): Promise<string> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    const resource = `scaling policy ${input.PolicyName} of ${group(input.AutoScalingGroupName ?? '?')}`;
    const out = await awsCall('PutScalingPolicy', resource, () => client.send(new asg.PutScalingPolicyCommand(input)));
    if (out.PolicyARN) return out.PolicyARN;
    // moto (and nothing else we know of) answers without PolicyARN: read it back.
    const read = await awsCall('DescribePolicies', resource, () =>
      client.send(
        new asg.DescribePoliciesCommand({
          AutoScalingGroupName: input.AutoScalingGroupName,
          PolicyNames: [input.PolicyName ?? ''],
        }),
      ),
    );
    const arn = read.ScalingPolicies?.find((p) => p.PolicyName === input.PolicyName)?.PolicyARN;
    if (!arn) {
      throw new AwsCallError('PutScalingPolicy', resource, 'NoPolicyARN', 'neither the response nor DescribePolicies gives the policy ARN');
    }
    return arn;
  }

  async deletePolicy(name: string, policyName: string): Promise<void> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    await awsCall(
      'DeletePolicy',
      `scaling policy ${policyName} of ${group(name)}`,
      () => client.send(new asg.DeletePolicyCommand({ AutoScalingGroupName: name, PolicyName: policyName })),
      { missing: isValidationNotFound },
    );
  }

  async describeScheduledActions(name: string): Promise<ScheduledUpdateGroupAction[]> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    const out = await awsCall(
      'DescribeScheduledActions',
      `scheduled actions of ${group(name)}`,
      () => allPages(asg.paginateDescribeScheduledActions({ client }, { AutoScalingGroupName: name }), (page) => page.ScheduledUpdateGroupActions),
      { missing: isValidationNotFound },
    );
    return out ?? [];
  }

  async putScheduledAction(input: PutScheduledUpdateGroupActionCommandInput): Promise<void> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    await awsCall(
      'PutScheduledUpdateGroupAction',
      `scheduled action ${input.ScheduledActionName} of ${group(input.AutoScalingGroupName ?? '?')}`,
      () => client.send(new asg.PutScheduledUpdateGroupActionCommand(input)),
    );
  }

  async describeNotifications(name: string): Promise<NotificationConfiguration[]> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    return awsCall('DescribeNotificationConfigurations', `notification configurations of ${group(name)}`, () =>
      allPages(
        asg.paginateDescribeNotificationConfigurations({ client }, { AutoScalingGroupNames: [name] }),
        (page) => page.NotificationConfigurations,
      ),
    );
  }

  async putNotification(name: string, topicArn: string, notificationTypes: string[]): Promise<void> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    await awsCall('PutNotificationConfiguration', `notifications of ${group(name)} to ${topicArn}`, () =>
      client.send(
        new asg.PutNotificationConfigurationCommand({ AutoScalingGroupName: name, TopicARN: topicArn, NotificationTypes: notificationTypes }),
      ),
    );
  }

  async putWarmPool(input: PutWarmPoolCommandInput): Promise<void> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    await awsCall('PutWarmPool', `warm pool of ${group(input.AutoScalingGroupName ?? '?')}`, () => client.send(new asg.PutWarmPoolCommand(input)));
  }
}
