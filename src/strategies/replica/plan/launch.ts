/** create-launch: green's launch configuration or template, a copy of blue's with green's image. Pure. */
import { asJson } from '../../common/plan-helpers.js';
import type { BlueLaunch } from '../observe.js';
import type { CreateLaunchParams } from '../steps/build.js';
import { REPLICA_STEP } from '../step-ids.js';
import { step, type PlanContext, type Planned } from './context.js';

/** Blue's launch by name and resource type ("launch-configuration", "launch-template"). */
export function blueLaunchOf(launch: BlueLaunch): { name: string; type: 'launch-configuration' | 'launch-template' } {
  return launch.kind === 'configuration'
    ? { name: launch.configuration.LaunchConfigurationName, type: 'launch-configuration' }
    : { name: launch.version.LaunchTemplateName ?? launch.version.LaunchTemplateId, type: 'launch-template' };
}

/** Whether green moves to a launch template while blue uses a launch configuration (`launch: template`). */
export const toTemplate = (ctx: Pick<PlanContext, 'config' | 'observed'>) =>
  ctx.config.launch === 'template' && ctx.observed.blue.launch.kind === 'configuration';

export function planCreateLaunch(ctx: PlanContext): Planned {
  const { green, image, tags } = ctx;
  const launch = ctx.observed.blue.launch;
  const blue = blueLaunchOf(launch);
  const template = toTemplate(ctx);
  const params: CreateLaunchParams =
    launch.kind === 'configuration'
      ? { kind: template ? 'template-from-configuration' : 'configuration', name: green.launch, image, source: blue.name, tags }
      : { kind: 'template', name: green.launch, image, source: { id: launch.version.LaunchTemplateId, version: launch.version.VersionNumber }, tags };
  const imageText = ctx.bake ? `the image baked from builder ${ctx.bake.builder}` : `image ${image}`;
  const warnings: string[] = [];
  if (launch.kind === 'template' && /^\$/.test(launch.requested)) {
    warnings.push(
      `blue's launch template ${blue.name} is used as ${launch.requested}; green copies version ${launch.version.VersionNumber} and is pinned to its own template ${green.launch} version 1`,
    );
  }
  if (launch.kind === 'configuration' && !template) {
    warnings.push(
      `blue uses launch configuration ${blue.name}; AWS no longer lets new accounts create launch configurations, so consider moving ${ctx.observed.blue.group.AutoScalingGroupName} to a launch template`,
    );
  }
  const created = step(ctx, REPLICA_STEP.createLaunch, {
    title: template
      ? `Create launch template ${green.launch} from launch configuration ${blue.name} with ${imageText}`
      : `Create ${blue.type.replace('-', ' ')} ${green.launch} from ${blue.name} with ${imageText}`,
    params: asJson(params),
    creates: [{ type: template ? 'launch-template' : blue.type, name: green.launch }],
  });
  return { steps: [created], warnings };
}
