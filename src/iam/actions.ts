/**
 * The IAM actions each AWS port method needs: the one table that ties the ports (src/aws/ports.ts) to
 * IAM. Each entry lists what the SDK adapter of that method calls (src/aws/sdk/*.ts), paginators and
 * waiters included. The generated policies (policy.ts) and the tests that check them read this table.
 */
import type { AwsPorts, ObjectStorePort } from '../aws/ports.js';

/** "groups.describeGroup", "dns.waitInSync", ...: every method of every port. */
export type PortMethod = {
  [P in keyof AwsPorts]: `${P & string}.${keyof AwsPorts[P] & string}`;
}[keyof AwsPorts];

/** Record over PortMethod: a port method without an entry does not compile. */
export const PORT_ACTIONS: Readonly<Record<PortMethod, readonly string[]>> = {
  'groups.describeGroup': ['autoscaling:DescribeAutoScalingGroups'],
  'groups.describeGroups': ['autoscaling:DescribeAutoScalingGroups'],
  'groups.listGroupsByTag': ['autoscaling:DescribeAutoScalingGroups'],
  'groups.createGroup': ['autoscaling:CreateAutoScalingGroup'],
  'groups.updateGroup': ['autoscaling:UpdateAutoScalingGroup'],
  'groups.deleteGroup': ['autoscaling:DeleteAutoScalingGroup'],
  'groups.suspendProcesses': ['autoscaling:SuspendProcesses'],
  'groups.enableMetrics': ['autoscaling:EnableMetricsCollection'],
  'groups.describeLifecycleHooks': ['autoscaling:DescribeLifecycleHooks'],
  'groups.putLifecycleHook': ['autoscaling:PutLifecycleHook'],
  'groups.completeLifecycleAction': ['autoscaling:CompleteLifecycleAction'],
  'groups.resumeProcesses': ['autoscaling:ResumeProcesses'],
  'groups.attachInstances': ['autoscaling:AttachInstances'],
  'groups.detachInstances': ['autoscaling:DetachInstances'],
  'groups.terminateInstanceInGroup': ['autoscaling:TerminateInstanceInAutoScalingGroup'],
  'groups.describePolicies': ['autoscaling:DescribePolicies'],
  'groups.putPolicy': ['autoscaling:PutScalingPolicy', 'autoscaling:DescribePolicies'],
  'groups.deletePolicy': ['autoscaling:DeletePolicy'],
  'groups.describeScheduledActions': ['autoscaling:DescribeScheduledActions'],
  'groups.putScheduledAction': ['autoscaling:PutScheduledUpdateGroupAction'],
  'groups.describeNotifications': ['autoscaling:DescribeNotificationConfigurations'],
  'groups.putNotification': ['autoscaling:PutNotificationConfiguration'],
  'groups.putWarmPool': ['autoscaling:PutWarmPool'],
  'groups.deleteWarmPool': ['autoscaling:DeleteWarmPool'],

  'launch.describeLaunchConfiguration': ['autoscaling:DescribeLaunchConfigurations'],
  'launch.createLaunchConfiguration': ['autoscaling:CreateLaunchConfiguration'],
  'launch.deleteLaunchConfiguration': ['autoscaling:DeleteLaunchConfiguration'],
  'launch.describeLaunchTemplateVersion': ['ec2:DescribeLaunchTemplateVersions'],
  'launch.findLaunchTemplate': ['ec2:DescribeLaunchTemplates'],
  'launch.createLaunchTemplate': ['ec2:CreateLaunchTemplate'],
  'launch.deleteLaunchTemplate': ['ec2:DeleteLaunchTemplate'],

  'images.describeImage': ['ec2:DescribeImages'],
  'images.findImageByName': ['ec2:DescribeImages'],
  'images.createImage': ['ec2:CreateImage'],
  'images.deleteImage': ['ec2:DescribeImages', 'ec2:DeregisterImage', 'ec2:DeleteSnapshot'],
  'images.deleteSnapshot': ['ec2:DeleteSnapshot'],

  'instances.run': ['ec2:RunInstances'],
  'instances.describe': ['ec2:DescribeInstances'],
  'instances.listByTag': ['ec2:DescribeInstances'],
  'instances.terminate': ['ec2:TerminateInstances'],

  'classicLoadBalancers.describe': ['elasticloadbalancing:DescribeLoadBalancers'],
  'classicLoadBalancers.describeAttributes': ['elasticloadbalancing:DescribeLoadBalancerAttributes'],
  'classicLoadBalancers.describeTags': ['elasticloadbalancing:DescribeTags'],
  'classicLoadBalancers.create': ['elasticloadbalancing:CreateLoadBalancer'],
  'classicLoadBalancers.configureHealthCheck': ['elasticloadbalancing:ConfigureHealthCheck'],
  'classicLoadBalancers.modifyAttributes': ['elasticloadbalancing:ModifyLoadBalancerAttributes'],
  'classicLoadBalancers.delete': ['elasticloadbalancing:DeleteLoadBalancer'],
  'classicLoadBalancers.instanceHealth': ['elasticloadbalancing:DescribeInstanceHealth'],
  'classicLoadBalancers.registerInstances': ['elasticloadbalancing:RegisterInstancesWithLoadBalancer'],
  'classicLoadBalancers.deregisterInstances': ['elasticloadbalancing:DeregisterInstancesFromLoadBalancer'],
  'classicLoadBalancers.describePolicies': ['elasticloadbalancing:DescribeLoadBalancerPolicies'],
  'classicLoadBalancers.createPolicy': [
    'elasticloadbalancing:CreateLoadBalancerPolicy',
    'elasticloadbalancing:CreateLBCookieStickinessPolicy',
    'elasticloadbalancing:CreateAppCookieStickinessPolicy',
  ],
  'classicLoadBalancers.setListenerPolicies': ['elasticloadbalancing:SetLoadBalancerPoliciesOfListener'],
  'classicLoadBalancers.setBackendPolicies': ['elasticloadbalancing:SetLoadBalancerPoliciesForBackendServer'],

  'targetGroups.describe': ['elasticloadbalancing:DescribeTargetGroups'],
  'targetGroups.attributes': ['elasticloadbalancing:DescribeTargetGroupAttributes'],
  'targetGroups.health': ['elasticloadbalancing:DescribeTargetHealth'],
  'targetGroups.register': ['elasticloadbalancing:RegisterTargets'],
  'targetGroups.deregister': ['elasticloadbalancing:DeregisterTargets'],
  'targetGroups.create': ['elasticloadbalancing:CreateTargetGroup'],
  'targetGroups.findByName': ['elasticloadbalancing:DescribeTargetGroups'],
  'targetGroups.modifyAttributes': ['elasticloadbalancing:ModifyTargetGroupAttributes'],
  'targetGroups.tags': ['elasticloadbalancing:DescribeTags'],
  'targetGroups.delete': ['elasticloadbalancing:DeleteTargetGroup'],

  'listeners.describe': ['elasticloadbalancing:DescribeListeners'],
  'listeners.ofLoadBalancer': ['elasticloadbalancing:DescribeListeners'],
  'listeners.rules': ['elasticloadbalancing:DescribeRules'],
  'listeners.modify': ['elasticloadbalancing:ModifyListener'],
  'listeners.modifyRule': ['elasticloadbalancing:ModifyRule'],
  'listeners.loadBalancer': ['elasticloadbalancing:DescribeLoadBalancers'],

  'dns.getHostedZone': ['route53:GetHostedZone'],
  'dns.listZonesByName': ['route53:ListHostedZonesByName'],
  'dns.getRecord': ['route53:ListResourceRecordSets'],
  'dns.getRecordSets': ['route53:ListResourceRecordSets'],
  'dns.change': ['route53:ChangeResourceRecordSets'],
  'dns.waitInSync': ['route53:GetChange'],

  'alarms.describeAlarms': ['cloudwatch:DescribeAlarms'],
  'alarms.describeAlarmsForAction': ['cloudwatch:DescribeAlarms'],
  'alarms.putAlarm': ['cloudwatch:PutMetricAlarm'],
  'alarms.deleteAlarms': ['cloudwatch:DeleteAlarms'],
  'alarms.states': ['cloudwatch:DescribeAlarms'],
  'alarms.metricSum': ['cloudwatch:GetMetricStatistics'],

  'ssm.pingStatus': ['ssm:DescribeInstanceInformation'],
  'ssm.sendShellCommand': ['ssm:SendCommand'],
  'ssm.invocation': ['ssm:GetCommandInvocation'],

  'inventory.launchConfigurationsByPrefix': ['autoscaling:DescribeLaunchConfigurations'],
  'inventory.launchTemplatesByTag': ['ec2:DescribeLaunchTemplates'],
  'inventory.images': ['ec2:DescribeImages'],
  'inventory.snapshots': ['ec2:DescribeSnapshots'],
  'inventory.groupsOfInstances': ['autoscaling:DescribeAutoScalingInstances'],

  'tagging.resourcesTagged': ['tag:GetResources'],
};

/**
 * What a call needs beyond its own action because of what it is given: AWS authorizes these on the
 * caller's behalf (tags at creation, a role handed to a service, a KMS key used for volumes). The policy
 * generator (policy.ts) and the test that checks it against every recorded call read this one table.
 */
export interface ParameterRule {
  method: PortMethod;
  /** The parameter that brings the need, as the API reference names it. */
  parameter: string;
  /** Whether the call's arguments (as the port method got them) carry it. */
  applies(args: readonly unknown[]): boolean;
  /** Actions allowed on every resource, or `pass-role` / `kms` ones scoped to what the arguments name. */
  actions: readonly string[];
  /** Where AWS documents it. */
  doc: string;
}

const first = (args: readonly unknown[]): Record<string, unknown> =>
  args[0] && typeof args[0] === 'object' ? (args[0] as Record<string, unknown>) : {};
const has = (value: unknown): boolean => (Array.isArray(value) ? value.length > 0 : value !== undefined && value !== null && value !== '');
const tagSpecs = (args: readonly unknown[]): boolean =>
  Array.isArray(first(args).TagSpecifications) && (first(args).TagSpecifications as Array<{ Tags?: unknown[] }>).some((s) => has(s.Tags));

/** The roles a call hands to Auto Scaling (lifecycle hooks' RoleARN, a custom service-linked role). */
export function rolesPassedToAutoScaling(method: PortMethod, args: readonly unknown[]): string[] {
  const input = first(args);
  if (method === 'groups.putLifecycleHook') return typeof input.RoleARN === 'string' ? [input.RoleARN] : [];
  if (method !== 'groups.createGroup') return [];
  const hooks = Array.isArray(input.LifecycleHookSpecificationList) ? (input.LifecycleHookSpecificationList as Array<{ RoleARN?: unknown }>) : [];
  return [
    ...hooks.flatMap((h) => (typeof h.RoleARN === 'string' ? [h.RoleARN] : [])),
    ...(typeof input.ServiceLinkedRoleARN === 'string' ? [input.ServiceLinkedRoleARN] : []),
  ];
}

/** The KMS keys a RunInstances or CreateImage call names for its volumes (BlockDeviceMappings[].Ebs.KmsKeyId). */
export function volumeKeysOf(args: readonly unknown[]): string[] {
  const mappings = first(args).BlockDeviceMappings;
  if (!Array.isArray(mappings)) return [];
  return (mappings as Array<{ Ebs?: { KmsKeyId?: unknown } }>).flatMap((m) => (typeof m.Ebs?.KmsKeyId === 'string' ? [m.Ebs.KmsKeyId] : []));
}

/** kms actions a caller needs to launch or snapshot volumes encrypted with a customer managed key. */
export const VOLUME_KEY_ACTIONS = [
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncrypt*',
] as const;

export const PARAMETER_ACTIONS: readonly ParameterRule[] = [
  {
    method: 'alarms.putAlarm',
    parameter: 'Tags',
    applies: (args) => has(first(args).Tags),
    actions: ['cloudwatch:TagResource'],
    doc: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html (Tags: "you must have the cloudwatch:TagResource permission")',
  },
  {
    method: 'groups.createGroup',
    parameter: 'Tags',
    applies: (args) => has(first(args).Tags),
    actions: ['autoscaling:CreateOrUpdateTags'],
    doc: 'https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-tagging.html (tags on create need CreateOrUpdateTags)',
  },
  {
    method: 'groups.createGroup',
    parameter: 'LaunchTemplate / MixedInstancesPolicy',
    applies: (args) => has(first(args).LaunchTemplate) || has(first(args).MixedInstancesPolicy),
    actions: ['ec2:RunInstances'],
    doc: 'https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-launch-template-permissions.html (the caller must be allowed to launch from the template)',
  },
  {
    method: 'groups.createGroup',
    parameter: 'LifecycleHookSpecificationList[].RoleARN / ServiceLinkedRoleARN',
    applies: (args) => rolesPassedToAutoScaling('groups.createGroup', args).length > 0,
    actions: ['iam:PassRole'],
    doc: 'https://docs.aws.amazon.com/autoscaling/ec2/userguide/autoscaling-service-linked-role.html and .../prepare-for-lifecycle-notifications.html (iam:PassRole for a role given to Auto Scaling)',
  },
  {
    method: 'groups.putLifecycleHook',
    parameter: 'RoleARN',
    applies: (args) => rolesPassedToAutoScaling('groups.putLifecycleHook', args).length > 0,
    actions: ['iam:PassRole'],
    doc: "https://docs.aws.amazon.com/autoscaling/ec2/userguide/prepare-for-lifecycle-notifications.html (the hook's role is passed to Auto Scaling)",
  },
  {
    method: 'classicLoadBalancers.create',
    parameter: 'Tags',
    applies: (args) => has(first(args).Tags),
    actions: ['elasticloadbalancing:AddTags'],
    doc: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-api-permissions.html (tags on create need AddTags)',
  },
  {
    method: 'targetGroups.create',
    parameter: 'Tags',
    applies: (args) => has(first(args).Tags),
    actions: ['elasticloadbalancing:AddTags'],
    doc: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-api-permissions.html (tags on create need AddTags)',
  },
  ...(['launch.createLaunchTemplate', 'instances.run', 'images.createImage'] as const).map((method): ParameterRule => ({
    method,
    parameter: 'TagSpecifications',
    applies: tagSpecs,
    actions: ['ec2:CreateTags'],
    doc: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html (tag on create is authorized as ec2:CreateTags)',
  })),
  {
    method: 'instances.run',
    parameter: 'IamInstanceProfile',
    applies: (args) => has(first(args).IamInstanceProfile),
    actions: ['iam:PassRole'],
    doc: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html (launching with a role passes it to EC2)',
  },
  ...(['instances.run', 'images.createImage'] as const).map((method): ParameterRule => ({
    method,
    parameter: 'BlockDeviceMappings[].Ebs.KmsKeyId',
    applies: (args) => volumeKeysOf(args).length > 0,
    actions: VOLUME_KEY_ACTIONS,
    doc: 'https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html (kms:CreateGrant, Decrypt, DescribeKey, GenerateDataKeyWithoutPlaintext, ReEncrypt* on a customer managed key)',
  })),
];

/** The IAM actions of these port methods, sorted, each once. */
export function actionsOf(methods: Iterable<PortMethod>): string[] {
  return [...new Set([...methods].flatMap((m) => PORT_ACTIONS[m]))].sort();
}

/** "objects.get", ...: every method of the state bucket's port (state.s3; src/aws/sdk/s3.ts). */
export type StateMethod = {
  [K in keyof ObjectStorePort]: ObjectStorePort[K] extends (...args: never[]) => unknown ? `objects.${K & string}` : never;
}[keyof ObjectStorePort];

/**
 * The IAM actions of the state bucket's port. ListObjectsV2 is authorized as s3:ListBucket; a conditional
 * DeleteObject (If-Match) needs s3:GetObject besides s3:DeleteObject.
 */
export const STATE_ACTIONS: Readonly<Record<StateMethod, readonly string[]>> = {
  'objects.get': ['s3:GetObject'],
  'objects.put': ['s3:PutObject'],
  'objects.delete': ['s3:DeleteObject', 's3:GetObject'],
  'objects.list': ['s3:ListBucket'],
};

/** The S3 actions on the state's objects (every method but list), sorted. */
export const STATE_OBJECT_ACTIONS: readonly string[] = [
  ...new Set(
    Object.values(STATE_ACTIONS)
      .flat()
      .filter((a) => a !== 's3:ListBucket'),
  ),
].sort();
