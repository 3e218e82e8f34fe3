/** LaunchPort: launch configurations on Auto Scaling, launch templates on EC2 (SDK v3). */
import type { CreateLaunchConfigurationCommandInput, LaunchConfiguration } from '@aws-sdk/client-auto-scaling';
import type { CreateLaunchTemplateCommandInput, LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import { AwsCallError, InputError } from '../../errors.js';
import type { LaunchPort } from '../ports.js';
import type { AwsClients } from './clients.js';
import { awsCall, isValidationNotFound, type AwsErrorInfo } from './call.js';

/** EC2 codes meaning "no such launch template (version)". */
export const LAUNCH_TEMPLATE_MISSING = [
  'InvalidLaunchTemplateName.NotFoundException',
  'InvalidLaunchTemplateId.NotFound',
  'InvalidLaunchTemplateId.VersionNotFound',
  'InvalidLaunchTemplateId.Malformed',
] as const;

const isTemplateMissing = (code: string) => (LAUNCH_TEMPLATE_MISSING as readonly string[]).includes(code);

export class SdkLaunch implements LaunchPort {
  constructor(private readonly clients: AwsClients) {}

  async describeLaunchConfiguration(name: string): Promise<LaunchConfiguration | undefined> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    const out = await awsCall('DescribeLaunchConfigurations', `launch configuration ${name}`, () =>
      client.send(new asg.DescribeLaunchConfigurationsCommand({ LaunchConfigurationNames: [name] })),
    );
    return out.LaunchConfigurations?.find((lc) => lc.LaunchConfigurationName === name);
  }

  async createLaunchConfiguration(input: CreateLaunchConfigurationCommandInput): Promise<void> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    const name = input.LaunchConfigurationName ?? '?';
    await awsCall('CreateLaunchConfiguration', `launch configuration ${name}`, () => client.send(new asg.CreateLaunchConfigurationCommand(input)), {
      // AlreadyExists: as for groups, a retried create whose first answer was lost (the steps look first).
      missing: ['AlreadyExists'],
      refine: (info, error) => (refusesLaunchConfigurations(info) ? launchConfigurationsRefused(name, info, error) : undefined),
    });
  }

  async deleteLaunchConfiguration(name: string): Promise<void> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    await awsCall(
      'DeleteLaunchConfiguration',
      `launch configuration ${name}`,
      () => client.send(new asg.DeleteLaunchConfigurationCommand({ LaunchConfigurationName: name })),
      { missing: isValidationNotFound },
    );
  }

  async describeLaunchTemplateVersion(template: { id?: string; name?: string }, version: string): Promise<LaunchTemplateVersion | undefined> {
    const { client, sdk: ec2 } = await this.clients.ec2();
    const out = await awsCall(
      'DescribeLaunchTemplateVersions',
      `launch template ${template.name ?? template.id ?? '?'} version ${version}`,
      () =>
        client.send(
          new ec2.DescribeLaunchTemplateVersionsCommand({
            ...(template.id ? { LaunchTemplateId: template.id } : { LaunchTemplateName: template.name }),
            Versions: [version],
          }),
        ),
      { missing: LAUNCH_TEMPLATE_MISSING },
    );
    return out?.LaunchTemplateVersions?.[0];
  }

  async findLaunchTemplate(name: string): Promise<{ id: string; version: number } | undefined> {
    const { client, sdk: ec2 } = await this.clients.ec2();
    const out = await awsCall(
      'DescribeLaunchTemplates',
      `launch template ${name}`,
      () => client.send(new ec2.DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [name] })),
      { missing: LAUNCH_TEMPLATE_MISSING },
    );
    const found = out?.LaunchTemplates?.find((t) => t.LaunchTemplateName === name);
    // bluegreen creates each template once, with one version: version 1 is the one it made.
    return found?.LaunchTemplateId ? { id: found.LaunchTemplateId, version: 1 } : undefined;
  }

  async createLaunchTemplate(input: CreateLaunchTemplateCommandInput): Promise<{ id: string; version: number }> {
    const { client, sdk: ec2 } = await this.clients.ec2();
    const operation = 'CreateLaunchTemplate';
    const resource = `launch template ${input.LaunchTemplateName ?? '?'}`;
    const out = await awsCall(operation, resource, () => client.send(new ec2.CreateLaunchTemplateCommand(input)), {
      missing: ['InvalidLaunchTemplateName.AlreadyExistsException'],
    });
    if (!out) {
      // A retried create whose first answer was lost (the steps look first): the template AWS made.
      const made = await this.findLaunchTemplate(input.LaunchTemplateName ?? '');
      if (made) return made;
      throw new AwsCallError(
        operation,
        resource,
        'InvalidLaunchTemplateName.AlreadyExistsException',
        'AWS says the name is in use, but no template of that name is found',
      );
    }
    const id = out.LaunchTemplate?.LaunchTemplateId;
    if (!id) throw new AwsCallError(operation, resource, 'NoLaunchTemplateId', 'the response carries no launch template id');
    return { id, version: out.LaunchTemplate?.LatestVersionNumber ?? 1 };
  }

  async deleteLaunchTemplate(name: string): Promise<void> {
    const { client, sdk: ec2 } = await this.clients.ec2();
    await awsCall(
      'DeleteLaunchTemplate',
      `launch template ${name}`,
      () => client.send(new ec2.DeleteLaunchTemplateCommand({ LaunchTemplateName: name })),
      // moto answers MissingParameter ("must contain ... launch template ID or name") for an unknown name.
      { missing: (e) => e.codes.some((code) => isTemplateMissing(code) || code === 'MissingParameter') },
    );
  }
}

/**
 * Accounts created since 2023 cannot create launch configurations. AWS says so with UnsupportedOperation,
 * or (older wording) a ValidationError / AccessDenied whose message mentions launch configurations.
 */
export function refusesLaunchConfigurations(error: AwsErrorInfo): boolean {
  if (error.codes.includes('UnsupportedOperation')) return true;
  const refusal = ['ValidationError', 'AccessDenied', 'AccessDeniedException', 'OperationNotPermitted'];
  return (
    error.codes.some((code) => refusal.includes(code)) &&
    /launch ?configuration/i.test(error.message) &&
    /not (?:be )?(?:supported|available|allowed|permitted)|unsupported|no longer|cannot|can't/i.test(error.message)
  );
}

function launchConfigurationsRefused(name: string, info: AwsErrorInfo, cause: unknown): InputError {
  const next =
    'aws autoscaling update-auto-scaling-group --auto-scaling-group-name <blue group> ' +
    "--launch-template LaunchTemplateName=<template>,Version='$Latest'";
  return new InputError(
    `This AWS account cannot create launch configurations, so bluegreen cannot copy blue's launch ` +
      `configuration to ${name} (AWS said ${info.code}: ${info.message}). Switch blue's group to a launch ` +
      `template: create a launch template from its launch configuration (console: Launch configurations > ` +
      `Copy to launch template, or aws ec2 create-launch-template), point the group at it with ` +
      `\`${next}\`, then deploy again.`,
    { next, cause },
  );
}
