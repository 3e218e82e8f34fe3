/**
 * The steps that make green's image when the release is commands, planned the same way by both replica
 * strategies (the seed's approach 2, step 1): one builder launched like blue, the commands run on it, an
 * image baked from it, the builder terminated. Pure.
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { BAKE_REBOOT_DEFAULT, type Config } from '../../config/schema.js';
import type { StepDescriptor } from '../../engine/types.js';
import { commandEnv } from '../common/builders.js';
import type { BlueLaunch } from '../common/observe.js';
import {
  bakeRebootText,
  IMAGE_INTERVAL_SECONDS,
  IMAGE_TIMEOUT_SECONDS,
  RUNNING_TIMEOUT_SECONDS,
  TERMINATED_TIMEOUT_SECONDS,
  type BakeImageParams,
  type LaunchInstancesParams,
  type LaunchRef,
  type RunCommandsParams,
  type TerminateInstancesParams,
  type WaitReachableParams,
  type WaitRunningParams,
} from '../common/instance-steps.js';
import { asJson, plural } from '../common/plan-helpers.js';
import { builderPlacement, builderTags } from './builders.js';
import { ownTags, type BakeNames, type OwnTags } from './names.js';
import type { PlanContext, Planned } from './plan/context.js';

/** The ids of the bake steps, the same in every replica strategy. */
export const BAKE_STEP = {
  launchBuilder: 'launch-builder',
  waitRunning: 'wait-running',
  waitReachable: 'wait-reachable',
  runCommands: 'run-commands',
  bakeImage: 'bake-image',
  terminateBuilder: 'terminate-builder',
} as const;

export interface BakePlanInput {
  /** The strategy, for the step kinds ("replica-dns/launch-builder"). */
  strategy: string;
  config: Pick<Config, 'service' | 'ssh' | 'health' | 'bake'>;
  release: { commands: string[]; via: 'ssh' | 'ssm' };
  deploymentId: string;
  blueGroup: AutoScalingGroup & { AutoScalingGroupName: string };
  blueLaunch: BlueLaunch;
  /** The image blue runs: the builder starts from it. */
  sourceImage: string;
  bake: BakeNames;
  tags: OwnTags;
}

/** The params of the six bake steps, in their order. */
export function bakeParams(input: BakePlanInput) {
  const { config, release, deploymentId, blueGroup, blueLaunch, sourceImage, bake, tags } = input;
  const launchRef: LaunchRef =
    blueLaunch.kind === 'configuration'
      ? { kind: 'configuration', name: blueLaunch.configuration.LaunchConfigurationName }
      : { kind: 'template', id: blueLaunch.version.LaunchTemplateId, version: blueLaunch.version.VersionNumber };
  const interval = config.health.intervalSeconds;
  const builder: LaunchInstancesParams = {
    group: blueGroup.AutoScalingGroupName,
    count: 1,
    image: sourceImage,
    launch: launchRef,
    placements: [builderPlacement(blueGroup, config.service, deploymentId)],
    tags: builderTags(blueGroup.Tags, bake.builder, tags),
  };
  const running: WaitRunningParams = { timeoutSeconds: RUNNING_TIMEOUT_SECONDS, intervalSeconds: interval };
  const { address, connectTimeoutSeconds, connectionAttempts, parallel } = config.ssh;
  const reach: WaitReachableParams = { via: release.via, address, connectTimeoutSeconds, attempts: connectionAttempts, parallel };
  const run: RunCommandsParams = { via: release.via, address, commands: release.commands, env: commandEnv(config.service, deploymentId), parallel };
  const image: BakeImageParams = {
    name: bake.image,
    reboot: config.bake?.reboot ?? BAKE_REBOOT_DEFAULT,
    description: `bluegreen ${deploymentId}: ${config.service} baked from builder ${bake.builder}, launched like ${blueGroup.AutoScalingGroupName}`,
    tags: [{ Key: 'Name', Value: bake.image }, ...ownTags(tags)],
    timeoutSeconds: IMAGE_TIMEOUT_SECONDS,
    intervalSeconds: IMAGE_INTERVAL_SECONDS,
  };
  const terminate: TerminateInstancesParams = { timeoutSeconds: TERMINATED_TIMEOUT_SECONDS, intervalSeconds: interval };
  return { builder, running, reach, run, image, terminate };
}

/** launch-builder ... terminate-builder: green's image, made before green. */
export function planBake(input: BakePlanInput): StepDescriptor[] {
  const { config, release, blueGroup, blueLaunch, sourceImage, bake } = input;
  const blueGroupName = blueGroup.AutoScalingGroupName;
  const launchText =
    blueLaunch.kind === 'configuration'
      ? `launch configuration ${blueLaunch.configuration.LaunchConfigurationName}`
      : `launch template ${blueLaunch.version.LaunchTemplateName ?? blueLaunch.version.LaunchTemplateId}`;
  const interval = config.health.intervalSeconds;
  const { builder, running, reach, run, image: imageParams, terminate } = bakeParams(input);
  const step = (id: string, rest: Omit<StepDescriptor, 'id' | 'kind'>): StepDescriptor => ({ id, kind: `${input.strategy}/${id}`, ...rest });
  return [
    step(BAKE_STEP.launchBuilder, {
      title: `Launch builder ${bake.builder} like ${blueGroupName}'s ${launchText} with image ${sourceImage}`,
      params: asJson(builder),
      creates: [{ type: 'instance', name: bake.builder }],
    }),
    step(BAKE_STEP.waitRunning, {
      title: `Wait until builder ${bake.builder} is running`,
      params: asJson(running),
      waits: `until it is running (timeout ${RUNNING_TIMEOUT_SECONDS}s, every ${interval}s)`,
    }),
    step(BAKE_STEP.waitReachable, {
      title: `Wait until builder ${bake.builder} answers over ${release.via}`,
      params: asJson(reach),
      waits:
        release.via === 'ssh'
          ? `until it answers over SSH (${config.ssh.connectionAttempts} attempts of ${config.ssh.connectTimeoutSeconds}s)`
          : 'until it is Online in SSM',
    }),
    step(BAKE_STEP.runCommands, {
      title: `Run ${plural(release.commands.length, 'release command', 'release commands')} on builder ${bake.builder} over ${release.via}`,
      params: asJson(run),
    }),
    step(BAKE_STEP.bakeImage, {
      title: `Bake image ${bake.image} from builder ${bake.builder} ${bakeRebootText(imageParams.reboot ?? BAKE_REBOOT_DEFAULT)}`,
      params: asJson(imageParams),
      creates: [{ type: 'image', name: bake.image }],
      waits: `until the image is available (timeout ${IMAGE_TIMEOUT_SECONDS}s)`,
    }),
    step(BAKE_STEP.terminateBuilder, {
      title: `Terminate builder ${bake.builder}`,
      params: asJson(terminate),
      changes: [{ what: `builder ${bake.builder}`, from: 'running', to: 'terminated' }],
      waits: `until it is terminated (timeout ${TERMINATED_TIMEOUT_SECONDS}s)`,
    }),
  ];
}

/** With release.commands: the bake steps, first of all. Otherwise none. */
export function planBakeSteps(ctx: PlanContext): Planned {
  const { config, bake } = ctx;
  const { release } = config;
  if (!bake || release.kind !== 'commands') return { steps: [], warnings: [] };
  const { blue } = ctx.observed;
  const steps = planBake({
    strategy: ctx.strategy,
    config,
    release,
    deploymentId: ctx.deploymentId,
    blueGroup: blue.group,
    blueLaunch: blue.launch,
    sourceImage: ctx.observed.image.ImageId,
    bake,
    tags: ctx.tags,
  });
  return { steps, warnings: [] };
}
