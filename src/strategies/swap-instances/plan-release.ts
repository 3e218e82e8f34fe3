/**
 * The steps of a commands release, on the new instances themselves: wait until they answer, run the
 * release commands, bake the group's next image from one of them. An image release has none. Pure.
 */
import type { StepDescriptor } from '../../engine/types.js';
import { BAKE_REBOOT_DEFAULT } from '../../config/schema.js';
import {
  bakeRebootText,
  IMAGE_INTERVAL_SECONDS,
  IMAGE_TIMEOUT_SECONDS,
  type BakeImageParams,
  type RunCommandsParams,
  type WaitReachableParams,
} from '../common/instance-steps.js';
import { asJson, plural } from '../common/plan-helpers.js';
import { commandEnv } from './builders.js';
import type { Release, SshSettings } from './config.js';
import type { SwapFacts } from './facts.js';
import { STEP, stepOf } from './params.js';

type Commands = Extract<Release, { kind: 'commands' }>;
type Ssh = Pick<SshSettings, 'address' | 'connectTimeoutSeconds' | 'connectionAttempts' | 'parallel'>;
export type ReleaseFacts = Pick<SwapFacts, 'service' | 'deploymentId' | 'group' | 'names' | 'ownTags'>;

/** `reboot`: bake.reboot (the instance baked from is a new one, not serving yet). */
export function planRelease(f: ReleaseFacts, release: Release, ssh: Ssh, reboot = BAKE_REBOOT_DEFAULT): StepDescriptor[] {
  if (release.kind !== 'commands') return [];
  return [planWaitReachable(release, ssh), planRunCommands(f, release, ssh), planBakeImage(f, reboot)];
}

export function planWaitReachable(release: Commands, ssh: Ssh): StepDescriptor {
  const reach: WaitReachableParams = {
    via: release.via,
    address: ssh.address,
    connectTimeoutSeconds: ssh.connectTimeoutSeconds,
    attempts: ssh.connectionAttempts,
    parallel: ssh.parallel,
  };
  return stepOf(STEP.waitReachable, {
    title: `Wait until the new instances answer over ${release.via}`,
    params: asJson(reach),
    waits:
      release.via === 'ssh'
        ? `until each answers over SSH (${ssh.connectionAttempts} attempts of ${ssh.connectTimeoutSeconds}s)`
        : 'until each is Online in SSM',
  });
}

export function planRunCommands(f: Pick<SwapFacts, 'service' | 'deploymentId'>, release: Commands, ssh: Ssh): StepDescriptor {
  const run: RunCommandsParams = {
    via: release.via,
    address: ssh.address,
    commands: release.commands,
    env: commandEnv(f.service, f.deploymentId),
    parallel: ssh.parallel,
  };
  return stepOf(STEP.runCommands, {
    title: `Run ${plural(release.commands.length, 'release command', 'release commands')} on the new instances over ${release.via}`,
    params: asJson(run),
  });
}

export function planBakeImage(f: ReleaseFacts, reboot = BAKE_REBOOT_DEFAULT): StepDescriptor {
  const bake: BakeImageParams = {
    name: f.names.image,
    reboot,
    description: `bluegreen ${f.deploymentId}: ${f.service} baked from a new instance of ${f.group}`,
    tags: [{ Key: 'Name', Value: f.names.image }, ...f.ownTags],
    timeoutSeconds: IMAGE_TIMEOUT_SECONDS,
    intervalSeconds: IMAGE_INTERVAL_SECONDS,
  };
  return stepOf(STEP.bakeImage, {
    title: `Bake image ${f.names.image} from a new instance ${bakeRebootText(reboot)}`,
    params: asJson(bake),
    creates: [{ type: 'image', name: f.names.image }],
    waits: `until the image is available (timeout ${IMAGE_TIMEOUT_SECONDS}s)`,
  });
}
