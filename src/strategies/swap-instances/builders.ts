/**
 * Pure builders of swap-instances: descriptions in, request inputs and decisions out. No I/O; tested with
 * exact inputs and outputs. Shapes are the SDK's own.
 */
import type { CreateLaunchTemplateCommandInput, LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import type { LoadBalancerAttributes } from '@aws-sdk/client-elastic-load-balancing';
import type { TargetGroupAttribute } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Placement, Tag } from '../common/builders.js';
import { clientToken } from '../common/names.js';
import { toRequestLaunchTemplateData } from '../common/builders.js';

export { launchConfigurationCopy } from '../common/builders.js';
export { commandEnv, hostOf, placementOf, runInstancesInput } from '../common/builders.js';
export type { AddressKind, LaunchSource, Placement } from '../common/builders.js';

// ---------------------------------------------------------------- capacity

/**
 * The MaxSize the group needs while old and new instances are both in it: attaching `count` instances
 * raises DesiredCapacity by `count`, and AWS refuses an attach beyond MaxSize.
 */
export function raisedMaxSize(group: { MaxSize?: number; DesiredCapacity?: number }, count: number): number {
  return Math.max(group.MaxSize ?? 0, (group.DesiredCapacity ?? 0) + count);
}

// ---------------------------------------------------------------- placements

/**
 * Spreads `count` instances over the group's subnets (VPCZoneIdentifier) round-robin, as the group spreads
 * its own; without subnets, over its availability zones. One RunInstances call per subnet that gets an
 * instance (RunInstances takes a single subnet): at most as many calls as the group has subnets,
 * whatever the count. Each call has its own ClientToken, stable for the deployment.
 */
export function placements(
  group: { VPCZoneIdentifier?: string; AvailabilityZones?: string[] },
  count: number,
  service: string,
  deploymentId: string,
): Placement[] {
  const subnets = (group.VPCZoneIdentifier ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const zones = subnets.length > 0 ? [] : (group.AvailabilityZones ?? []);
  const slots: Array<{ subnetId?: string; availabilityZone?: string }> =
    subnets.length > 0
      ? subnets.map((subnetId) => ({ subnetId }))
      : zones.length > 0
        ? zones.map((availabilityZone) => ({ availabilityZone }))
        : [{}];
  const out: Placement[] = [];
  slots.forEach((slot, i) => {
    const n = Math.floor(count / slots.length) + (i < count % slots.length ? 1 : 0);
    if (n > 0) out.push({ ...slot, count: n, clientToken: clientToken(service, deploymentId, out.length) });
  });
  return out;
}

// ---------------------------------------------------------------- launch template copy

/** A new launch template whose version 1 is the group's resolved version with the new image. */
export function launchTemplateSwapCopy(
  source: LaunchTemplateVersion,
  name: string,
  imageId: string,
  deploymentId: string,
  tags: Tag[],
): CreateLaunchTemplateCommandInput {
  return {
    LaunchTemplateName: name,
    VersionDescription: `bluegreen ${deploymentId}: ${source.LaunchTemplateName ?? source.LaunchTemplateId} version ${source.VersionNumber} with ${imageId}`,
    LaunchTemplateData: { ...toRequestLaunchTemplateData(source.LaunchTemplateData ?? {}), ImageId: imageId },
    TagSpecifications: [{ ResourceType: 'launch-template', Tags: tags }],
  };
}

// ---------------------------------------------------------------- draining

/** Seconds a classic load balancer keeps serving a deregistered instance's connections (0 when draining is off). */
export function classicDrainingSeconds(attributes: LoadBalancerAttributes): number {
  const d = attributes.ConnectionDraining;
  return d?.Enabled ? (d.Timeout ?? 300) : 0;
}

/** A target group's deregistration delay (AWS default 300 s). */
export function targetGroupDelaySeconds(attributes: TargetGroupAttribute[]): number {
  const value = attributes.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value;
  const n = value === undefined ? NaN : Number(value);
  return Number.isFinite(n) && n >= 0 ? n : 300;
}
