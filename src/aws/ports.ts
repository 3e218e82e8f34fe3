/**
 * One narrow interface per AWS concern. Strategies depend on these, never on SDK clients.
 * Production: src/aws/sdk/*.ts (AWS SDK v3). Tests: test/fakes/*.ts (in memory, virtual clock).
 *
 * Shapes are the SDK's own types (imported as types only, so nothing is loaded at run time):
 * describing returns what AWS returns, creating takes what AWS takes, and the pure builders in the
 * strategies turn one into the other.
 *
 * Conventions for every adapter:
 *  - describe* returns undefined (or []) when the thing does not exist; it never throws NotFound. EC2 is
 *    eventually consistent: right after a create, its describes may answer NotFound for the new id (the
 *    strategies, which recorded the id, take that as "not visible yet" for a while: common/visibility.ts).
 *  - delete* succeeds when the thing is already gone (undo must be idempotent).
 *  - any other failure throws AwsCallError naming the operation and the resource.
 */
import type {
  AutoScalingGroup,
  CreateAutoScalingGroupCommandInput,
  UpdateAutoScalingGroupCommandInput,
  LaunchConfiguration,
  CreateLaunchConfigurationCommandInput,
  LifecycleHook,
  PutLifecycleHookCommandInput,
  ScalingPolicy,
  PutScalingPolicyCommandInput,
  ScheduledUpdateGroupAction,
  PutScheduledUpdateGroupActionCommandInput,
  NotificationConfiguration,
  PutWarmPoolCommandInput,
} from '@aws-sdk/client-auto-scaling';
import type {
  LoadBalancerDescription,
  LoadBalancerAttributes,
  CreateLoadBalancerCommandInput,
  HealthCheck,
  InstanceState,
  PolicyDescription,
  Tag as ElbTag,
} from '@aws-sdk/client-elastic-load-balancing';
import type { ResourceRecordSet, HostedZone, Change } from '@aws-sdk/client-route-53';
import type { MetricAlarm, PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import type {
  Image,
  Instance,
  LaunchTemplate,
  LaunchTemplateVersion,
  CreateLaunchTemplateCommandInput,
  CreateImageCommandInput,
  RunInstancesCommandInput,
  Snapshot,
} from '@aws-sdk/client-ec2';
import type {
  TargetGroup,
  TargetHealthDescription,
  TargetGroupAttribute,
  CreateTargetGroupCommandInput,
  Tag as ElbV2Tag,
  Listener,
  Rule,
  Action,
  LoadBalancer,
} from '@aws-sdk/client-elastic-load-balancing-v2';

export interface GroupsPort {
  describeGroup(name: string): Promise<AutoScalingGroup | undefined>;
  /** Batch describe (one call per 100 names). Missing names are simply absent from the result. */
  describeGroups(names: string[]): Promise<AutoScalingGroup[]>;
  /** Groups carrying tag key=value (DescribeAutoScalingGroups with a tag filter, all pages). */
  listGroupsByTag(key: string, value: string): Promise<AutoScalingGroup[]>;
  createGroup(input: CreateAutoScalingGroupCommandInput): Promise<void>;
  updateGroup(input: UpdateAutoScalingGroupCommandInput): Promise<void>;
  /**
   * DeleteAutoScalingGroup; succeeds when the group is gone. With `force` (the default) ForceDelete: the
   * instances are terminated without their termination hooks. Without it AWS refuses (ResourceInUse) while
   * the group has instances or a warm pool: scale it to zero and wait for them first.
   */
  deleteGroup(name: string, options?: { force?: boolean }): Promise<void>;
  /** DeleteWarmPool without ForceDelete: its instances terminate (termination hooks run), then it goes. */
  deleteWarmPool(group: string): Promise<void>;
  suspendProcesses(group: string, processes: string[]): Promise<void>;
  enableMetrics(group: string, metrics: string[], granularity: string): Promise<void>;
  describeLifecycleHooks(group: string): Promise<LifecycleHook[]>;
  putLifecycleHook(input: PutLifecycleHookCommandInput): Promise<void>;
  /**
   * CompleteLifecycleAction for one instance held by a hook (Pending:Wait, Terminating:Wait), with CONTINUE
   * or ABANDON. An instance no longer waiting for that hook (completed, timed out, gone) is success.
   */
  completeLifecycleAction(group: string, hook: string, instanceId: string, result: 'CONTINUE' | 'ABANDON'): Promise<void>;
  resumeProcesses(group: string, processes: string[]): Promise<void>;
  /** Attaches running instances (the group's DesiredCapacity grows by their number). */
  attachInstances(group: string, instanceIds: string[]): Promise<void>;
  /** Detaches instances; with decrement the DesiredCapacity shrinks by their number. Ignores ids not in the group. */
  detachInstances(group: string, instanceIds: string[], decrement: boolean): Promise<void>;
  /** TerminateInstanceInAutoScalingGroup, one call per instance (AWS has no batch form). Succeeds when gone. */
  terminateInstanceInGroup(instanceId: string, decrement: boolean): Promise<void>;
  describePolicies(group: string): Promise<ScalingPolicy[]>;
  /** Returns the policy's ARN (read back with DescribePolicies when the response lacks it). */
  putPolicy(input: PutScalingPolicyCommandInput): Promise<string>;
  deletePolicy(group: string, policyName: string): Promise<void>;
  /** The group's scheduled actions (DescribeScheduledActions, all pages); [] for a missing group. */
  describeScheduledActions(group: string): Promise<ScheduledUpdateGroupAction[]>;
  /** PutScheduledUpdateGroupAction: creates or replaces the action of that name. */
  putScheduledAction(input: PutScheduledUpdateGroupActionCommandInput): Promise<void>;
  /** The group's notification configurations (DescribeNotificationConfigurations, all pages): one per topic and type. */
  describeNotifications(group: string): Promise<NotificationConfiguration[]>;
  /** PutNotificationConfiguration: the topic gets exactly these notification types (replaces what it had). */
  putNotification(group: string, topicArn: string, notificationTypes: string[]): Promise<void>;
  /** PutWarmPool: creates or replaces the group's warm pool (DescribeAutoScalingGroups shows it as WarmPoolConfiguration). */
  putWarmPool(input: PutWarmPoolCommandInput): Promise<void>;
}

export interface LaunchPort {
  describeLaunchConfiguration(name: string): Promise<LaunchConfiguration | undefined>;
  /** Throws InputError with how to switch to a launch template when the account refuses launch configurations. */
  createLaunchConfiguration(input: CreateLaunchConfigurationCommandInput): Promise<void>;
  deleteLaunchConfiguration(name: string): Promise<void>;
  /** A template version; `version` is a number, "$Latest" or "$Default". Undefined when absent. */
  describeLaunchTemplateVersion(template: { id?: string; name?: string }, version: string): Promise<LaunchTemplateVersion | undefined>;
  /** The template's id and version 1 when one of that name exists, else undefined. */
  findLaunchTemplate(name: string): Promise<{ id: string; version: number } | undefined>;
  createLaunchTemplate(input: CreateLaunchTemplateCommandInput): Promise<{ id: string; version: number }>;
  deleteLaunchTemplate(name: string): Promise<void>;
}

export interface ImagesPort {
  describeImage(imageId: string): Promise<Image | undefined>;
  /** An image of this account with exactly this name (Owners self), for idempotent baking. */
  findImageByName(name: string): Promise<Image | undefined>;
  /**
   * CreateImage; returns the image id. Tags go in TagSpecifications of the input. A name already taken (an
   * earlier attempt made it and its answer was lost, or it is not visible yet): the id of the image holding it,
   * which EC2's InvalidAMIName.Duplicate names.
   */
  createImage(input: CreateImageCommandInput): Promise<string>;
  /** Deregisters the image and deletes the snapshots behind it. Succeeds when gone. */
  deleteImage(imageId: string): Promise<void>;
  /**
   * Deletes an EBS snapshot whose image is gone (a deregistration whose snapshot deletion never ran). Succeeds
   * when gone; AWS refuses (InvalidSnapshot.InUse) while a registered image still uses it.
   */
  deleteSnapshot(snapshotId: string): Promise<void>;
}

export interface InstancesPort {
  /** One RunInstances call (MinCount = MaxCount = count). Pass a ClientToken so a retry makes no duplicate. */
  run(input: RunInstancesCommandInput): Promise<Instance[]>;
  /** Batch describe (up to 1000 ids a call); ids EC2 does not know (gone, or not visible yet) are absent. */
  describe(instanceIds: string[]): Promise<Instance[]>;
  /** Instances (not terminated) carrying tag key=value. */
  listByTag(key: string, value: string): Promise<Instance[]>;
  /**
   * One call for all; succeeds for ids EC2 does not know, and returns them (InvalidInstanceID.NotFound). Right
   * after RunInstances that does not mean the instance is gone: "it could still be running" (EC2 eventual consistency).
   */
  terminate(instanceIds: string[]): Promise<string[]>;
}

/** ALB/NLB target groups: what a swap of instances needs, and a copy of blue's for a replica. */
export interface TargetGroupsPort {
  describe(arns: string[]): Promise<TargetGroup[]>;
  attributes(arn: string): Promise<TargetGroupAttribute[]>;
  health(arn: string): Promise<TargetHealthDescription[]>;
  register(arn: string, instanceIds: string[], port?: number): Promise<void>;
  deregister(arn: string, instanceIds: string[]): Promise<void>;
  /**
   * CreateTargetGroup (tags go in the input's Tags). Idempotent by name: AWS returns the existing group
   * when one of that name has the same settings (DuplicateTargetGroupName when they differ).
   */
  create(input: CreateTargetGroupCommandInput): Promise<TargetGroup>;
  /** The target group of exactly this name in the region, or undefined. */
  findByName(name: string): Promise<TargetGroup | undefined>;
  /** ModifyTargetGroupAttributes: only the keys given change. */
  modifyAttributes(arn: string, attributes: TargetGroupAttribute[]): Promise<void>;
  /** Tags of each target group by ARN (DescribeTags, 20 ARNs a call); missing groups are absent. */
  tags(arns: string[]): Promise<Record<string, ElbV2Tag[]>>;
  /** Succeeds when the group is gone. AWS refuses (ResourceInUse) while a listener or rule forwards to it. */
  delete(arn: string): Promise<void>;
}

/** ALB/NLB listeners and their rules: where traffic goes, and the load balancer behind them. */
export interface ListenersPort {
  describe(listenerArn: string): Promise<Listener | undefined>;
  /** Every listener of the load balancer (DescribeListeners with LoadBalancerArn, all pages); [] when the load balancer is gone. */
  ofLoadBalancer(loadBalancerArn: string): Promise<Listener[]>;
  /** Every rule of the listener, the default rule included (IsDefault), all pages. */
  rules(listenerArn: string): Promise<Rule[]>;
  /** ModifyListener with new default actions (one atomic call; e.g. a weighted ForwardConfig). */
  modify(listenerArn: string, defaultActions: Action[]): Promise<void>;
  /** ModifyRule with new actions (one atomic call); conditions are kept. */
  modifyRule(ruleArn: string, actions: Action[]): Promise<void>;
  /** The ALB/NLB (its DNSName, LoadBalancerArn, CanonicalHostedZoneId), or undefined. */
  loadBalancer(arn: string): Promise<LoadBalancer | undefined>;
}

/** SSM Run Command. */
export interface SsmPort {
  /** Instances' SSM agent status: instance id -> PingStatus ("Online", "ConnectionLost", ...); absent: not managed. */
  pingStatus(instanceIds: string[]): Promise<Record<string, string>>;
  /** SendCommand with AWS-RunShellScript; returns the command id. */
  sendShellCommand(instanceIds: string[], commands: string[], comment: string, timeoutSeconds: number): Promise<string>;
  /** The command's result on one instance, or undefined while AWS does not know it yet. */
  invocation(commandId: string, instanceId: string): Promise<{ status: string; exitCode: number; stdout: string; stderr: string } | undefined>;
}

export interface ClassicLoadBalancersPort {
  /** Batch describe by names (one call per 20 names); missing names are absent. */
  describe(names: string[]): Promise<LoadBalancerDescription[]>;
  describeAttributes(name: string): Promise<LoadBalancerAttributes>;
  /** Tags of each named load balancer (batch of 20). */
  describeTags(names: string[]): Promise<Record<string, ElbTag[]>>;
  /** Returns the DNS name. Creating an existing one with the same listeners is a no-op in AWS. */
  create(input: CreateLoadBalancerCommandInput): Promise<string>;
  configureHealthCheck(name: string, healthCheck: HealthCheck): Promise<void>;
  modifyAttributes(name: string, attributes: LoadBalancerAttributes): Promise<void>;
  delete(name: string): Promise<void>;
  /** Health of every instance registered with the load balancer. */
  instanceHealth(name: string): Promise<InstanceState[]>;
  registerInstances(name: string, instanceIds: string[]): Promise<void>;
  /** Succeeds for instances not registered. */
  deregisterInstances(name: string, instanceIds: string[]): Promise<void>;
  /**
   * The policies created for this load balancer (listener, backend and stickiness policies, with every
   * attribute), not AWS's predefined ones: DescribeLoadBalancerPolicies with the load balancer's name.
   */
  describePolicies(name: string): Promise<PolicyDescription[]>;
  /**
   * Creates one policy as described (stickiness types through their own calls, every other type through
   * CreateLoadBalancerPolicy). A policy of that name already there (an earlier attempt made it) is success.
   */
  createPolicy(name: string, policy: PolicyDescription): Promise<void>;
  /** Replaces the policies of the listener on `loadBalancerPort` (SetLoadBalancerPoliciesOfListener); [] clears them. */
  setListenerPolicies(name: string, loadBalancerPort: number, policyNames: string[]): Promise<void>;
  /** Replaces the policies of the backend on `instancePort` (SetLoadBalancerPoliciesForBackendServer); [] clears them. */
  setBackendPolicies(name: string, instancePort: number, policyNames: string[]): Promise<void>;
}

export interface DnsPort {
  getHostedZone(id: string): Promise<HostedZone | undefined>;
  /**
   * Every hosted zone of exactly this name, public and private (ListHostedZonesByName, all pages): a public
   * zone and a private one of the same name answer differently inside their VPCs (split-horizon DNS).
   */
  listZonesByName(name: string): Promise<HostedZone[]>;
  /** The record set of that name and type (no set identifier), or undefined. */
  getRecord(zoneId: string, name: string, type: string): Promise<ResourceRecordSet | undefined>;
  /**
   * Every record set of exactly that name and type, weighted ones (with a SetIdentifier) included, in
   * Route 53's order; [] when there is none. Names compare as getRecord's do (case, final dot, escapes).
   */
  getRecordSets(zoneId: string, name: string, type: string): Promise<ResourceRecordSet[]>;
  /** Applies one change batch atomically; returns the change id. */
  change(zoneId: string, changes: Change[], comment: string): Promise<string>;
  /**
   * Waits (SDK waiter) until the change is INSYNC; throws VerificationError after timeoutSeconds. A change
   * whose `change` answer was already INSYNC is not asked about again.
   */
  waitInSync(changeId: string, timeoutSeconds: number): Promise<void>;
}

export interface AlarmsPort {
  describeAlarms(names: string[]): Promise<MetricAlarm[]>;
  /**
   * Alarms with an action starting with this prefix (DescribeAlarms ActionPrefix, all pages): how the
   * alarms that trigger a scaling policy are found (moto's DescribePolicies omits a policy's Alarms).
   */
  describeAlarmsForAction(actionPrefix: string): Promise<MetricAlarm[]>;
  putAlarm(input: PutMetricAlarmCommandInput): Promise<void>;
  deleteAlarms(names: string[]): Promise<void>;
  /** StateValue and StateReason by alarm name (DescribeAlarms, 100 names a call); missing names are absent. */
  states(names: string[]): Promise<Record<string, { state: string; reason: string }>>;
  /**
   * GetMetricStatistics with the Sum statistic: one number per period that has data, oldest first
   * (periods without data are absent, so [] means no data at all). E.g. a load balancer's RequestCount.
   */
  metricSum(input: MetricSumInput): Promise<number[]>;
}

export interface MetricSumInput {
  namespace: string;
  metricName: string;
  dimensions: { name: string; value: string }[];
  periodSeconds: number;
  startTime: Date;
  endTime: Date;
}

/**
 * A resource as the Resource Groups Tagging API answers it: its ARN (which says its service and type, e.g.
 * `arn:aws:ec2:us-east-1:123456789012:image/ami-0123`) and its tags.
 */
export interface TaggedResource {
  arn: string;
  tags: { Key: string; Value: string }[];
}

/**
 * The Resource Groups Tagging API, read-only: how the janitor (`bluegreen gc`) finds first what carries the
 * service's tag, across EC2, ELB, ELBv2 and CloudWatch in one listing. docs/state.md says which kinds it
 * reaches and which the janitor reads with their own service's describe instead.
 */
export interface TaggingPort {
  /**
   * Every resource of the region whose tag `key` has exactly `value` (GetResources with one TagFilter, every
   * page by PaginationToken); [] when there is none. AWS may list a resource for a while after it was deleted.
   */
  resourcesTagged(key: string, value: string): Promise<TaggedResource[]>;
}

/**
 * Read-only describes for the janitor (`bluegreen gc`, src/janitor): what the Tagging API does not reach
 * (launch configurations, launch templates on emulators), and the details of what it found (creation
 * times, states, which group an instance is in). Each answers [] (or {}) when there is nothing; none changes
 * anything.
 */
export interface InventoryPort {
  /** Launch configurations whose name starts with the prefix (DescribeLaunchConfigurations, all pages: AWS has no name filter; they carry no tags). */
  launchConfigurationsByPrefix(prefix: string): Promise<LaunchConfiguration[]>;
  /** Launch templates carrying tag key=value (DescribeLaunchTemplates with a tag filter, all pages). */
  launchTemplatesByTag(key: string, value: string): Promise<LaunchTemplate[]>;
  /** Images of this account among these ids (DescribeImages, Owners self, an image-id filter): ids not there are absent, never an error. */
  images(imageIds: string[]): Promise<Image[]>;
  /** EBS snapshots of this account among these ids (DescribeSnapshots, OwnerIds self, a snapshot-id filter); ids not there are absent. */
  snapshots(snapshotIds: string[]): Promise<Snapshot[]>;
  /** The Auto Scaling group of each of these instances that is in one (DescribeAutoScalingInstances, 50 ids a call); the others are absent. */
  groupsOfInstances(instanceIds: string[]): Promise<Record<string, string>>;
}

/** Everything a strategy may reach, one port per concern. */
export interface AwsPorts {
  groups: GroupsPort;
  launch: LaunchPort;
  images: ImagesPort;
  instances: InstancesPort;
  classicLoadBalancers: ClassicLoadBalancersPort;
  targetGroups: TargetGroupsPort;
  listeners: ListenersPort;
  dns: DnsPort;
  alarms: AlarmsPort;
  ssm: SsmPort;
  /** Read-only describes for `bluegreen gc` (strategies do not use it). */
  inventory: InventoryPort;
  /** The Resource Groups Tagging API, for `bluegreen gc` (strategies do not use it). */
  tagging: TaggingPort;
}

/**
 * Objects of one S3 bucket, for the shared state backend (state.s3; src/state/s3-store.ts). Not part of
 * AwsPorts: strategies never reach it. Conditional writes are how two runs on two machines agree: a write
 * that would replace what another run wrote answers `{ written: false }` instead of overwriting it.
 */
export interface ObjectStorePort {
  /** The bucket, for messages. */
  readonly bucket: string;
  /** The object and its ETag, or undefined when there is none. */
  get(key: string): Promise<StoredObject | undefined>;
  /**
   * Writes the object if `condition` holds: `{ ifNoneMatch: '*' }` only when there is none yet,
   * `{ ifMatch: etag }` only when it is still that version. Returns the new ETag, or why it was not written
   * (`exists`/`changed`: the condition failed; `missing`: ifMatch and there is no object; `conflict`: a
   * concurrent conditional write of the same key won the race).
   */
  put(key: string, body: string, condition?: WriteCondition): Promise<WriteResult>;
  /** Deletes the object; with ifMatch only if it is still that version. A missing object counts as deleted. */
  delete(key: string, ifMatch?: string): Promise<WriteResult>;
  /** Every key under the prefix (all pages). */
  list(prefix: string): Promise<string[]>;
}

export interface StoredObject {
  body: string;
  etag: string;
}

export type WriteCondition = { ifNoneMatch: '*' } | { ifMatch: string };

export type WriteResult = { written: true; etag?: string } | { written: false; reason: 'exists' | 'changed' | 'missing' | 'conflict' };
