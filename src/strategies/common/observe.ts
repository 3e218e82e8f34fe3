/** What both strategies read the same way about the live group. */
import type { AutoScalingGroup, LaunchConfiguration } from '@aws-sdk/client-auto-scaling';
import type { LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import type { AwsPorts } from '../../aws/ports.js';
import { InputError } from '../../errors.js';

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
 * Reads the group's launch configuration, or its launch template version resolved to a number.
 * InputError (nothing changed) when it is missing, or when the group uses a mixed instances policy.
 */
export async function observeLaunch(group: AutoScalingGroup, name: string, ports: AwsPorts, strategy: string): Promise<BlueLaunch> {
  if (group.MixedInstancesPolicy) {
    throw new InputError(`group ${name} uses a mixed instances policy, which ${strategy} does not support yet`);
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
  const spec = group.LaunchTemplate;
  if (spec && (spec.LaunchTemplateId || spec.LaunchTemplateName)) {
    const requested = spec.Version ?? '$Default';
    const template = {
      ...(spec.LaunchTemplateId ? { id: spec.LaunchTemplateId } : {}),
      ...(spec.LaunchTemplateName ? { name: spec.LaunchTemplateName } : {}),
    };
    const version = await ports.launch.describeLaunchTemplateVersion(template, requested);
    if (!version || version.VersionNumber === undefined || !version.LaunchTemplateId) {
      throw new InputError(`launch template ${spec.LaunchTemplateName ?? spec.LaunchTemplateId} version ${requested} of group ${name} does not exist`);
    }
    return { kind: 'template', version: { ...version, LaunchTemplateId: version.LaunchTemplateId, VersionNumber: version.VersionNumber }, requested };
  }
  throw new InputError(`group ${name} has neither a launch configuration nor a launch template`);
}
