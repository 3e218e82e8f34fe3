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
  'groups.resumeProcesses': ['autoscaling:ResumeProcesses'],
  'groups.attachInstances': ['autoscaling:AttachInstances'],
  'groups.detachInstances': ['autoscaling:DetachInstances'],
  'groups.terminateInstanceInGroup': ['autoscaling:TerminateInstanceInAutoScalingGroup'],
  'groups.describePolicies': ['autoscaling:DescribePolicies'],
  'groups.putPolicy': ['autoscaling:PutScalingPolicy', 'autoscaling:DescribePolicies'],
  'groups.deletePolicy': ['autoscaling:DeletePolicy'],

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
  'listeners.rules': ['elasticloadbalancing:DescribeRules'],
  'listeners.modify': ['elasticloadbalancing:ModifyListener'],
  'listeners.modifyRule': ['elasticloadbalancing:ModifyRule'],
  'listeners.loadBalancer': ['elasticloadbalancing:DescribeLoadBalancers'],

  'dns.getHostedZone': ['route53:GetHostedZone'],
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

  'inventory.loadBalancersByTag': ['elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeTags'],
  'inventory.targetGroupsByTag': ['elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTags'],
  'inventory.launchConfigurationsByPrefix': ['autoscaling:DescribeLaunchConfigurations'],
  'inventory.launchTemplatesByTag': ['ec2:DescribeLaunchTemplates'],
  'inventory.alarmsByPrefix': ['cloudwatch:DescribeAlarms'],
  'inventory.imagesByTag': ['ec2:DescribeImages'],
};

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
  ...new Set(Object.values(STATE_ACTIONS).flat().filter((a) => a !== 's3:ListBucket')),
].sort();
