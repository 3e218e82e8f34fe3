/**
 * The update-launch handler of swap-instances: makes the group's next launch (a copy of its launch
 * configuration or template with the new image, or a new template from its launch configuration) and
 * points the group at it; undo points the group back at what it used and deletes the copy.
 */
import type { AutoScalingGroup, UpdateAutoScalingGroupCommandInput } from '@aws-sdk/client-auto-scaling';
import type { CreateLaunchTemplateCommandInput } from '@aws-sdk/client-ec2';
import type { AwsPorts } from '../../aws/ports.js';
import type { JsonObject, StepContext } from '../../engine/types.js';
import { DeploymentError } from '../../errors.js';
import { launchTemplateFromConfiguration } from '../common/builders.js';
import {
  launchTemplateVisible,
  recordedTemplateVisible,
  sendCreate,
  sentAtOf,
  untilTemplateShows,
  whileAutoScalingCatchesUp,
} from '../common/visibility.js';
import { launchConfigurationCopy, launchTemplateSwapCopy } from './builders.js';
import { STEP, type UpdateLaunchParams } from './params.js';
import { groupOf, type Handler } from './step-support.js';

/** The group's launch before update-launch, as journaled: a template by id (AWS gives it) or, failing that, by name. */
type LaunchSpec = { kind: 'configuration'; name: string } | { kind: 'template'; id?: string; name?: string; version: string };

function launchSpecOf(g: AutoScalingGroup): LaunchSpec | null {
  if (g.LaunchConfigurationName) return { kind: 'configuration', name: g.LaunchConfigurationName };
  const t = g.LaunchTemplate;
  if (t?.LaunchTemplateId) return { kind: 'template', id: t.LaunchTemplateId, version: t.Version ?? '$Default' };
  if (t?.LaunchTemplateName) return { kind: 'template', name: t.LaunchTemplateName, version: t.Version ?? '$Default' };
  return null;
}

function pointsAtCopy(g: AutoScalingGroup, p: UpdateLaunchParams): boolean {
  return p.kind === 'configuration' ? g.LaunchConfigurationName === p.name : g.LaunchTemplate?.LaunchTemplateName === p.name;
}

/** What update-launch records of its copy: the copy's name, under its kind's key, and the image in it. */
function copyRecord(p: UpdateLaunchParams, image: string): JsonObject {
  return p.kind === 'configuration' ? { launchConfiguration: p.name, image } : { launchTemplate: p.name, image };
}

/** Makes the copy unless an earlier attempt made it, recording it before the create. */
async function makeCopy(ports: AwsPorts, ctx: StepContext, p: UpdateLaunchParams, image: string): Promise<void> {
  if (p.kind === 'configuration') {
    if (await ports.launch.describeLaunchConfiguration(p.name)) return;
    const source = await ports.launch.describeLaunchConfiguration(p.source);
    if (!source) throw new DeploymentError(`launch configuration ${p.source} no longer exists; nothing to copy`);
    await ctx.record(copyRecord(p, image));
    await ports.launch.createLaunchConfiguration(launchConfigurationCopy(source, p.name, image));
    return;
  }
  if (await ports.launch.findLaunchTemplate(p.name)) return;
  if (await recordedTemplateVisible(ports, ctx, p.name)) return;
  let input: CreateLaunchTemplateCommandInput;
  if (p.kind === 'template-from-configuration') {
    const lc = await ports.launch.describeLaunchConfiguration(p.source);
    if (!lc) throw new DeploymentError(`launch configuration ${p.source} no longer exists; nothing to copy`);
    input = launchTemplateFromConfiguration(lc, p.name, image, p.tags);
  } else {
    const source = await ports.launch.describeLaunchTemplateVersion({ id: p.source.id }, String(p.source.version));
    if (!source) throw new DeploymentError(`launch template ${p.source.id} version ${p.source.version} no longer exists; nothing to copy`);
    input = launchTemplateSwapCopy(source, p.name, image, ctx.deploymentId, p.tags);
  }
  const made = await sendCreate(ctx, 'launchTemplateSentAt', copyRecord(p, image), () => ports.launch.createLaunchTemplate(input));
  await ctx.record({ launchTemplateId: made.id, version: made.version });
  // The group is pointed at it next: wait until EC2 describes it (eventual consistency).
  await launchTemplateVisible(ports, ctx, { name: p.name, ...made }, sentAtOf(ctx.outputs, 'launchTemplateSentAt'));
}

/** The group's settings that point it at the copy (a template copy is always version 1). */
function pointAtCopy(p: UpdateLaunchParams): Omit<UpdateAutoScalingGroupCommandInput, 'AutoScalingGroupName'> {
  return p.kind === 'configuration' ? { LaunchConfigurationName: p.name } : { LaunchTemplate: { LaunchTemplateName: p.name, Version: '1' } };
}

/** The group's settings that point it back at the launch it had. */
function pointBack(previous: LaunchSpec): Omit<UpdateAutoScalingGroupCommandInput, 'AutoScalingGroupName'> {
  if (previous.kind === 'configuration') return { LaunchConfigurationName: previous.name };
  return {
    LaunchTemplate: previous.id
      ? { LaunchTemplateId: previous.id, Version: previous.version }
      : { LaunchTemplateName: previous.name, Version: previous.version },
  };
}

export function updateLaunch(ports: AwsPorts): Handler<UpdateLaunchParams> {
  return {
    async apply(ctx, p) {
      const image = p.image ?? (ctx.outputsOf(STEP.bakeImage).imageId as string | undefined);
      if (!image) throw new DeploymentError(`no image to point ${p.group} at: the ${STEP.bakeImage} step recorded none`);
      const g = await groupOf(ports, p.group);
      if (!('previous' in ctx.outputs) && !pointsAtCopy(g, p)) await ctx.record({ previous: launchSpecOf(g) });
      await makeCopy(ports, ctx, p, image);
      await ctx.record(copyRecord(p, image));
      if (!pointsAtCopy(g, p)) {
        await whileAutoScalingCatchesUp(ctx, p.name, () => ports.groups.updateGroup({ AutoScalingGroupName: p.group, ...pointAtCopy(p) }));
      }
    },
    async undo(ctx, p) {
      const previous = ctx.outputs.previous as LaunchSpec | null | undefined;
      const g = await ports.groups.describeGroup(p.group);
      if (g && previous && pointsAtCopy(g, p)) await ports.groups.updateGroup({ AutoScalingGroupName: p.group, ...pointBack(previous) });
      if (p.kind === 'configuration') return ports.launch.deleteLaunchConfiguration(p.name);
      await untilTemplateShows(ports, ctx, p.name, ctx.outputs);
      await ports.launch.deleteLaunchTemplate(p.name);
    },
  };
}
