/** What both strategies read the same way about the live group. */
import type { AutoScalingGroup, LaunchConfiguration, LifecycleHook } from '@aws-sdk/client-auto-scaling';
import type { LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import type { AwsPorts } from '../../aws/ports.js';
import { InputError } from '../../errors.js';
import type { LiveStack } from '../types.js';

/**
 * A read started now, before the checks that come ahead of it: awaiting it later gives its answer, or
 * throws its error then, in the order the checks are made (never earlier, never as an unhandled rejection).
 * So reads that depend only on the config or on blue's group go out together, and errors stay in order.
 */
export function early<T>(read: Promise<T>): Promise<T> {
  read.catch(() => undefined);
  return read;
}

/** How the live group launches its instances. */
export type BlueLaunch =
  | { kind: 'configuration'; configuration: LaunchConfiguration & { LaunchConfigurationName: string } }
  | {
      kind: 'template';
      /** The version the group uses, resolved to a number so what bluegreen launches is pinned. */
      version: LaunchTemplateVersion & { LaunchTemplateId: string; VersionNumber: number };
      /** What the group asks for: a number, "$Latest" or "$Default". */
      requested: string;
    };

/**
 * Reads the group's launch configuration, or its launch template version resolved to a number (with a
 * mixed instances policy: the policy's launch template). InputError (nothing changed) when it is missing,
 * or when overrides of a mixed instances policy name launch templates of their own.
 */
export async function observeLaunch(group: AutoScalingGroup, name: string, ports: AwsPorts, strategy: string): Promise<BlueLaunch> {
  const mixed = group.MixedInstancesPolicy?.LaunchTemplate;
  if (group.MixedInstancesPolicy) {
    const own = (mixed?.Overrides ?? []).filter((o) => o.LaunchTemplateSpecification).length;
    if (own > 0) {
      throw new InputError(
        `group ${name}'s mixed instances policy gives ${own === 1 ? 'an override' : `${own} overrides`} a launch template of its own; ${strategy} copies the policy's one launch template with the new image, so it cannot deploy such a group: remove the overrides' LaunchTemplateSpecification (or give them the same template)`,
      );
    }
  }
  if (group.LaunchConfigurationName) {
    const configuration = await ports.launch.describeLaunchConfiguration(group.LaunchConfigurationName);
    if (!configuration) {
      throw new InputError(
        `launch configuration ${group.LaunchConfigurationName} of group ${name} no longer exists; point the group at an existing launch configuration or template`,
      );
    }
    return { kind: 'configuration', configuration: { ...configuration, LaunchConfigurationName: group.LaunchConfigurationName } };
  }
  const spec = mixed?.LaunchTemplateSpecification ?? group.LaunchTemplate;
  if (spec && (spec.LaunchTemplateId || spec.LaunchTemplateName)) {
    const requested = spec.Version ?? '$Default';
    const template = {
      ...(spec.LaunchTemplateId ? { id: spec.LaunchTemplateId } : {}),
      ...(spec.LaunchTemplateName ? { name: spec.LaunchTemplateName } : {}),
    };
    const version = await ports.launch.describeLaunchTemplateVersion(template, requested);
    if (!version || version.VersionNumber === undefined || !version.LaunchTemplateId) {
      throw new InputError(
        `launch template ${spec.LaunchTemplateName ?? spec.LaunchTemplateId} version ${requested} of group ${name} does not exist`,
      );
    }
    return { kind: 'template', version: { ...version, LaunchTemplateId: version.LaunchTemplateId, VersionNumber: version.VersionNumber }, requested };
  }
  throw new InputError(`group ${name} has neither a launch configuration nor a launch template`);
}

/** The release image does not exist: it came from release.image or from the --image flag, which overrides it. */
export function imageNotFound(image: string): InputError {
  return new InputError(
    `image ${image} (release.image, or the --image flag when given) does not exist or is not visible to this account in this region`,
  );
}

/** The live stack as observe found it: the group, its launch, that launch's image, and what IAM cares about. Pure. */
export function liveStackOf(
  group: AutoScalingGroup & { AutoScalingGroupName: string },
  launch: BlueLaunch,
  hooks: readonly LifecycleHook[] = [],
): LiveStack {
  const name = group.AutoScalingGroupName;
  const roles = [...hooks.flatMap((h) => (h.RoleARN ? [h.RoleARN] : [])), ...(group.ServiceLinkedRoleARN ? [group.ServiceLinkedRoleARN] : [])];
  const iam = roles.length > 0 ? { rolesForAutoScaling: [...new Set(roles)] } : {};
  if (launch.kind === 'configuration') {
    const c = launch.configuration;
    return { group: name, launch: { kind: 'configuration', name: c.LaunchConfigurationName }, ...(c.ImageId ? { imageId: c.ImageId } : {}), ...iam };
  }
  const v = launch.version;
  const imageId = v.LaunchTemplateData?.ImageId;
  const keys = [...new Set((v.LaunchTemplateData?.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.KmsKeyId ? [m.Ebs.KmsKeyId] : [])))];
  return {
    group: name,
    ...(v.LaunchTemplateName ? { launch: { kind: 'template' as const, name: v.LaunchTemplateName } } : {}),
    ...(imageId ? { imageId } : {}),
    ...iam,
    ...(keys.length > 0 ? { volumeKeys: keys } : {}),
  };
}
