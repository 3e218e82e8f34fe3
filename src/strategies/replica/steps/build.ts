/**
 * The steps that build a replica of blue's group, shared by the replica strategies (replica-dns and
 * replica-listener): the launch configuration or template with green's image, the group, its scaling
 * policies and their alarms. Same rules as every handler: idempotent by deterministic name, journal
 * first, undo after a partial apply and twice.
 */
import type { CreateAutoScalingGroupCommandInput, PutLifecycleHookCommandInput, PutScalingPolicyCommandInput } from '@aws-sdk/client-auto-scaling';
import type { PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import type { CreateLaunchTemplateCommandInput } from '@aws-sdk/client-ec2';
import type { AwsPorts } from '../../../aws/ports.js';
import type { JsonObject, StepContext, StepHandler } from '../../../engine/types.js';
import { DeploymentError } from '../../../errors.js';
import { createOrAdopt, NAME_TAKEN, taggedOurs } from '../../common/adopt.js';
import { launchConfigurationCopy, launchTemplateCopy, launchTemplateFromConfiguration } from '../../common/builders.js';
import { waitGroupGone } from '../../common/group-gone.js';
import {
  launchTemplateVisible,
  recordedTemplateVisible,
  sendCreate,
  sentAtOf,
  untilTemplateShows,
  whileAutoScalingCatchesUp,
} from '../../common/visibility.js';
import { remapActions } from '../builders.js';
import { ownTags, type OwnTags } from '../names.js';
import { copyGroupSettings, type GroupSettingsParams } from './group-settings.js';

export interface Sizes {
  MinSize: number;
  MaxSize: number;
  DesiredCapacity: number;
}

type Handler<P> = StepHandler<P & JsonObject>;

// ---------------------------------------------------------------- params (JSON, stored in the journal)

/** `image` null: the image the bake-image step recorded (release by commands). */
export type CreateLaunchParams =
  | { kind: 'configuration'; name: string; image: string | null; source: string; tags: OwnTags }
  | { kind: 'template'; name: string; image: string | null; source: { id: string; version: number }; tags: OwnTags }
  /** `launch: template` with blue on a launch configuration: a new template (version 1) from its settings. */
  | { kind: 'template-from-configuration'; name: string; image: string | null; source: string; tags: OwnTags };

export interface CreateGroupParams {
  name: string;
  blueGroup: string;
  input: JsonObject; // CreateAutoScalingGroupCommandInput; sizes replaced by blue's at apply time
  suspendedProcesses: string[];
  metrics: { metrics: string[]; granularity: string } | null;
  lifecycleHooks: JsonObject[]; // PutLifecycleHookCommandInput[]
  deleteTimeoutSeconds: number;
  intervalSeconds: number;
  /** Blue's scheduled actions, warm pool and notifications for green (steps/group-settings.ts). */
  settings?: GroupSettingsParams;
  /**
   * Green's MinSize is blue's DesiredCapacity until settle-green: idle before traffic arrives, its copied
   * policies would scale it in. Absent in journals of older versions (MinSize as blue's).
   */
  holdMinSize?: boolean;
}

export interface CopyScalingPoliciesParams {
  group: string;
  policies: JsonObject[]; // PutScalingPolicyCommandInput[]
}

export interface CopyAlarmsParams {
  group: string;
  /** PutMetricAlarmCommandInput[], actions still naming blue's policy ARNs. */
  alarms: JsonObject[];
  /** Blue policy ARN -> policy name (the copy has the same name on green). */
  policyNameByBlueArn: Record<string, string>;
}

export function sizesOf(g: { MinSize?: number; MaxSize?: number; DesiredCapacity?: number }): Sizes {
  return { MinSize: g.MinSize ?? 0, MaxSize: g.MaxSize ?? 0, DesiredCapacity: g.DesiredCapacity ?? 0 };
}

// ---------------------------------------------------------------- create-launch

export function createLaunch(ports: AwsPorts, bakeStep: string): Handler<CreateLaunchParams> {
  return {
    async apply(ctx, p) {
      const image = p.image ?? (ctx.outputsOf(bakeStep).imageId as string | undefined);
      if (!image) throw new DeploymentError(`no image for ${p.name}: the ${bakeStep} step recorded none; run it first`);
      if (p.kind !== 'configuration') return createTemplate(ports, ctx, p, image);
      // A re-run (the name journaled before an earlier attempt's create) looks first; a first attempt makes it (common/adopt.ts).
      if (ctx.outputs.launchConfiguration !== undefined && (await ports.launch.describeLaunchConfiguration(p.name))) return;
      const source = await ports.launch.describeLaunchConfiguration(p.source);
      if (!source) throw new DeploymentError(`blue's launch configuration ${p.source} no longer exists; nothing to copy`);
      await ctx.record({ launchConfiguration: p.name });
      // Launch configurations have no tags: one of this name (service, color, deployment id) is this deployment's.
      await createOrAdopt(
        () => ports.launch.createLaunchConfiguration(launchConfigurationCopy(source, p.name, image)),
        NAME_TAKEN.autoScaling,
        async () => ((await ports.launch.describeLaunchConfiguration(p.name)) ? undefined : false),
      );
    },
    async undo(ctx, p) {
      if (p.kind === 'configuration') return ports.launch.deleteLaunchConfiguration(p.name);
      await untilTemplateShows(ports, ctx, p.name, ctx.outputs);
      await ports.launch.deleteLaunchTemplate(p.name);
    },
  };
}

type TemplateParams = Exclude<CreateLaunchParams, { kind: 'configuration' }>;

/**
 * Green's launch template: found by name, or made (and its id and time recorded), then waited for until EC2
 * describes it (eventual consistency), so that create-group finds it.
 */
async function createTemplate(ports: AwsPorts, ctx: StepContext, p: TemplateParams, image: string): Promise<void> {
  const found = await ports.launch.findLaunchTemplate(p.name);
  if (found) {
    await ctx.record({ launchTemplate: p.name, launchTemplateId: found.id, version: found.version });
    return;
  }
  if (await recordedTemplateVisible(ports, ctx, p.name)) return;
  let input: CreateLaunchTemplateCommandInput;
  if (p.kind === 'template-from-configuration') {
    const lc = await ports.launch.describeLaunchConfiguration(p.source);
    if (!lc) throw new DeploymentError(`blue's launch configuration ${p.source} no longer exists; nothing to copy`);
    input = launchTemplateFromConfiguration(lc, p.name, image, ownTags(p.tags));
  } else {
    const source = await ports.launch.describeLaunchTemplateVersion({ id: p.source.id }, String(p.source.version));
    if (!source) {
      throw new DeploymentError(`blue's launch template ${p.source.id} version ${p.source.version} no longer exists; nothing to copy`);
    }
    input = launchTemplateCopy(source, p.name, image, p.tags);
  }
  const made = await sendCreate(ctx, 'launchTemplateSentAt', { launchTemplate: p.name }, () => ports.launch.createLaunchTemplate(input));
  await ctx.record({ launchTemplateId: made.id, version: made.version });
  await launchTemplateVisible(ports, ctx, { name: p.name, ...made }, sentAtOf(ctx.outputs, 'launchTemplateSentAt'));
}

// ---------------------------------------------------------------- create-group

/** The launch template a group input names (for messages), else its group name. */
const templateOf = (input: CreateAutoScalingGroupCommandInput): string =>
  input.LaunchTemplate?.LaunchTemplateName ??
  input.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification?.LaunchTemplateName ??
  `of group ${input.AutoScalingGroupName}`;

export function createGroup(ports: AwsPorts): Handler<CreateGroupParams> {
  return {
    async apply(ctx, p) {
      // Blue's sizes at the moment green is made (kept from an earlier attempt, so a resume matches it).
      let sizes = ctx.outputs.blueSizes as Sizes | undefined;
      if (!sizes) {
        const blue = await ports.groups.describeGroup(p.blueGroup);
        if (!blue) throw new DeploymentError(`blue's group ${p.blueGroup} no longer exists; nothing to copy`);
        sizes = sizesOf(blue);
        await ctx.record({ blueSizes: { ...sizes } });
      }
      // A re-run (the name journaled before an earlier attempt's create) looks first; a first attempt makes it (common/adopt.ts).
      const existing = ctx.outputs.group !== undefined && (await ports.groups.describeGroup(p.name));
      if (!existing) {
        await ctx.record({ group: p.name });
        const min = p.holdMinSize ? Math.max(sizes.MinSize, sizes.DesiredCapacity) : sizes.MinSize;
        const input = { ...(p.input as unknown as CreateAutoScalingGroupCommandInput), ...sizes, MinSize: min };
        await createOrAdopt(
          () => whileAutoScalingCatchesUp(ctx, templateOf(input), () => ports.groups.createGroup(input)),
          NAME_TAKEN.autoScaling,
          async () => (taggedOurs(ctx, (await ports.groups.describeGroup(p.name))?.Tags) ? undefined : false),
        );
      }
      if (p.suspendedProcesses.length > 0) await ports.groups.suspendProcesses(p.name, p.suspendedProcesses);
      if (p.metrics) await ports.groups.enableMetrics(p.name, p.metrics.metrics, p.metrics.granularity);
      if (p.lifecycleHooks.length > 0) {
        const present = new Set((await ports.groups.describeLifecycleHooks(p.name)).map((h) => h.LifecycleHookName));
        for (const hook of p.lifecycleHooks as unknown as PutLifecycleHookCommandInput[]) {
          if (!present.has(hook.LifecycleHookName)) await ports.groups.putLifecycleHook(hook);
        }
      }
      await copyGroupSettings(ports, ctx, p.name, p.settings);
      await ctx.record({ group: p.name });
    },
    async undo(ctx, p) {
      await ports.groups.deleteGroup(p.name);
      // The launch configuration and load balancer are undone next: wait until nothing uses them.
      await waitGroupGone(ports, ctx, p.name, p.deleteTimeoutSeconds, p.intervalSeconds);
    },
  };
}

// ---------------------------------------------------------------- copy-scaling-policies

export function copyScalingPolicies(ports: AwsPorts): Handler<CopyScalingPoliciesParams> {
  return {
    async apply(ctx, p) {
      const inputs = p.policies as unknown as PutScalingPolicyCommandInput[];
      await ctx.record({ policies: inputs.map((i) => i.PolicyName ?? '') });
      const arns: Record<string, string> = { ...((ctx.outputs.policyArns as Record<string, string> | undefined) ?? {}) };
      for (const input of inputs) {
        // PutScalingPolicy creates or updates: re-running it is harmless.
        arns[input.PolicyName as string] = await ports.groups.putPolicy(input);
        ctx.progress(`${Object.keys(arns).length} of ${inputs.length} policies copied`, { done: Object.keys(arns).length, total: inputs.length });
      }
      await ctx.record({ policyArns: arns });
    },
    async undo(_ctx, p) {
      for (const input of p.policies as unknown as PutScalingPolicyCommandInput[]) {
        await ports.groups.deletePolicy(p.group, input.PolicyName as string);
      }
    },
  };
}

// ---------------------------------------------------------------- copy-alarms

export function copyAlarms(ports: AwsPorts, policiesStep: string): Handler<CopyAlarmsParams> {
  return {
    async apply(ctx, p) {
      const inputs = p.alarms as unknown as PutMetricAlarmCommandInput[];
      if (inputs.length === 0) return;
      const greenArns: Record<string, string> = {
        ...((ctx.outputsOf(policiesStep).policyArns as Record<string, string> | undefined) ?? {}),
      };
      const wanted = Object.values(p.policyNameByBlueArn);
      if (wanted.some((name) => !greenArns[name])) {
        for (const policy of await ports.groups.describePolicies(p.group)) {
          if (policy.PolicyName && policy.PolicyARN) greenArns[policy.PolicyName] ??= policy.PolicyARN;
        }
      }
      const arnMap: Record<string, string> = {};
      for (const [blueArn, name] of Object.entries(p.policyNameByBlueArn)) {
        const greenArn = greenArns[name];
        if (greenArn) arnMap[blueArn] = greenArn;
      }
      for (const input of inputs) {
        for (const action of [...(input.AlarmActions ?? []), ...(input.OKActions ?? []), ...(input.InsufficientDataActions ?? [])]) {
          if (p.policyNameByBlueArn[action] && !arnMap[action]) {
            throw new DeploymentError(
              `alarm ${input.AlarmName} acts on blue's policy ${p.policyNameByBlueArn[action]}, which has no copy on ${p.group}; run the ${policiesStep} step first`,
            );
          }
        }
      }
      await ctx.record({ alarms: inputs.map((i) => i.AlarmName ?? '') });
      for (const input of inputs) {
        await ports.alarms.putAlarm({
          ...input,
          ...defined({
            AlarmActions: remapActions(input.AlarmActions, arnMap),
            OKActions: remapActions(input.OKActions, arnMap),
            InsufficientDataActions: remapActions(input.InsufficientDataActions, arnMap),
          }),
        });
      }
    },
    async undo(_ctx, p) {
      const names = (p.alarms as unknown as PutMetricAlarmCommandInput[]).map((a) => a.AlarmName as string);
      if (names.length > 0) await ports.alarms.deleteAlarms(names);
    },
  };
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
