/**
 * A group's capacity as the group counts it. With a mixed instances policy whose overrides have a
 * WeightedCapacity, or a DesiredCapacityType of vcpu or memory-mib, MinSize, MaxSize and DesiredCapacity
 * are capacity units, not instances: each instance counts its weight (Instances[].WeightedCapacity) toward
 * the desired capacity, and the group may launch past it by up to the largest weight
 * (https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-instance-weighting.html). Every "n of m
 * InService" compares units with DesiredCapacity. Pure.
 */
import type { AutoScalingGroup, Instance as GroupInstance } from '@aws-sdk/client-auto-scaling';

/** The units one instance contributes: its WeightedCapacity, 1 when the group does not weigh instances. */
export function unitsOf(instance: Pick<GroupInstance, 'WeightedCapacity'>): number {
  const weight = Number(instance.WeightedCapacity);
  return Number.isFinite(weight) && weight > 0 ? weight : 1;
}

/** Whether the group's sizes are units rather than instances. */
export function isWeighted(group: Pick<AutoScalingGroup, 'DesiredCapacityType' | 'MixedInstancesPolicy' | 'Instances'>): boolean {
  if (group.DesiredCapacityType !== undefined && group.DesiredCapacityType !== 'units') return true;
  if ((group.MixedInstancesPolicy?.LaunchTemplate?.Overrides ?? []).some((o) => o.WeightedCapacity !== undefined)) return true;
  return (group.Instances ?? []).some((i) => unitsOf(i) !== 1);
}

/** "capacity units", "vCPUs", "MiB of memory": what the group's sizes count, when they are not instances. */
export function unitName(group: Pick<AutoScalingGroup, 'DesiredCapacityType'>): string {
  if (group.DesiredCapacityType === 'vcpu') return 'vCPUs';
  if (group.DesiredCapacityType === 'memory-mib') return 'MiB of memory';
  return 'capacity units';
}

/** The units of the group's instances that `counts` keeps, and how many instances they are. */
export function unitsWhere(group: Pick<AutoScalingGroup, 'Instances'>, counts: (i: GroupInstance) => boolean): { units: number; instances: number } {
  const kept = (group.Instances ?? []).filter(counts);
  return { units: kept.reduce((sum, i) => sum + unitsOf(i), 0), instances: kept.length };
}

/**
 * How much of the group's DesiredCapacity the instances that `counts` keeps make up, in the group's own
 * units: `units >= desired` when it is all there. `state` ends the message: "InService in shop-green-k3x9a".
 * "1 of 2 instances InService in lb", or weighted: "6 of 8 vCPUs InService in lb (3 instances)".
 */
export function capacityOf(
  group: Pick<AutoScalingGroup, 'DesiredCapacity' | 'DesiredCapacityType' | 'MixedInstancesPolicy' | 'Instances'>,
  counts: (i: GroupInstance) => boolean,
  state: string,
): { units: number; desired: number; message: string } {
  const desired = group.DesiredCapacity ?? 0;
  const { units, instances } = unitsWhere(group, counts);
  const message = isWeighted(group)
    ? `${units} of ${desired} ${unitName(group)} ${state} (${instances} ${instances === 1 ? 'instance' : 'instances'})`
    : `${units} of ${desired} instances ${state}`;
  return { units, desired, message };
}

/** The words of a plan's wait for `desired` of a group's capacity: "2 of 2 instances", "8 of 8 vCPUs". */
export function capacityText(group: Pick<AutoScalingGroup, 'DesiredCapacityType' | 'MixedInstancesPolicy' | 'Instances'>, desired: number): string {
  return `${desired} of ${desired} ${isWeighted(group) ? unitName(group) : 'instances'}`;
}
