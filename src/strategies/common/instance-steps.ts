/**
 * Step handlers both strategies use to make and prepare instances outside any group: launch instances
 * like a group's, wait until they run and answer, run the release commands on them, bake an image from
 * one of them, terminate them. swap-instances launches its new instances with them; replica-dns its
 * builder. Each handler after the launch is told which step launched the instances it works on (that
 * step's outputs.instanceIds).
 *
 * Rules every handler keeps (as in each strategy's steps.ts): idempotent, journal first, undo works after
 * a partial apply and twice, no secrets (UserData, command output) in outputs.
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { Instance } from '@aws-sdk/client-ec2';
import type { AwsPorts } from '../../aws/ports.js';
import type { JsonObject, StepContext, StepHandler } from '../../engine/types.js';
import { waitUntil } from '../../engine/wait.js';
import { DeploymentError, VerificationError } from '../../errors.js';
import type { CommandOutcome, RemoteHost } from '../../remote/types.js';
import type { StrategyServices } from '../types.js';
import { hostOf, placementOf, runInstancesInput, type AddressKind, type LaunchSource, type Placement, type Tag } from './builders.js';
import { isOwnTagKey, TAG } from './names.js';
import { NotVisible, sendCreate, sentAtOf, untilVisible } from './visibility.js';

export { NOT_VISIBLE_SECONDS } from './visibility.js';

type Handler<P> = StepHandler<P & JsonObject>;

/** How long new instances may take to be `running` (pending usually lasts under a minute). */
export const RUNNING_TIMEOUT_SECONDS = 600;
/** How long CreateImage may take to be available (large volumes take long). */
export const IMAGE_TIMEOUT_SECONDS = 3600;
export const IMAGE_INTERVAL_SECONDS = 15;
/** How long terminated instances may take to be `terminated` (or gone). */
export const TERMINATED_TIMEOUT_SECONDS = 900;

// ---------------------------------------------------------------- params (JSON, stored in the journal)

export type LaunchRef = { kind: 'configuration'; name: string } | { kind: 'template'; id: string; version: number };

export interface LaunchInstancesParams {
  /** The group whose launch configuration or template the instances copy (an instance still in it is detached on undo). */
  group: string;
  count: number;
  /** The image the instances start from. */
  image: string;
  launch: LaunchRef;
  placements: Placement[];
  /** Their tags; our own (bluegreen:*) among them also find them again after a crash. */
  tags: Tag[];
}

export interface WaitRunningParams {
  timeoutSeconds: number;
  intervalSeconds: number;
}

export interface WaitReachableParams {
  via: 'ssh' | 'ssm';
  address: AddressKind;
  connectTimeoutSeconds: number;
  attempts: number;
  parallel: number;
}

export interface RunCommandsParams {
  via: 'ssh' | 'ssm';
  address: AddressKind;
  commands: string[];
  env: Record<string, string>;
  parallel: number;
}

export interface BakeImageParams {
  name: string;
  /**
   * bake.reboot: CreateImage reboots the instance first (NoReboot false), so that what the release commands
   * wrote is on disk. Absent in journals planned before it existed: no reboot, as they said.
   */
  reboot?: boolean;
  description: string;
  tags: Tag[];
  timeoutSeconds: number;
  intervalSeconds: number;
}

export interface TerminateInstancesParams {
  timeoutSeconds: number;
  intervalSeconds: number;
}

/** What the journal keeps of one command on one host: never its output. */
export interface OutcomeRecord {
  instanceId: string;
  index: number;
  exitCode: number;
  attempt: number;
}

// ---------------------------------------------------------------- shared

/** The instances `launchStep` recorded. */
export function instancesOf(ctx: StepContext, launchStep: string): string[] {
  return (ctx.outputsOf(launchStep).instanceIds as string[] | undefined) ?? [];
}

/** When `launchStep` last sent RunInstances (ms), as it recorded; undefined in journals written before it did. */
export function launchedAtOf(ctx: StepContext, launchStep: string): number | undefined {
  return sentAtOf(ctx.outputsOf(launchStep), 'launchingAt');
}

export const membersOf = (g: AutoScalingGroup) => (g.Instances ?? []).flatMap((i) => (i.InstanceId ? [i.InstanceId] : []));

export const gone = (i: Instance | undefined) => !i || ['shutting-down', 'terminated'].includes(i.State?.Name ?? '');

/**
 * The instances of this deployment that exist (not terminated) and carry every one of our own tags in
 * `tags`, found by tag: what a crash may have left unrecorded.
 */
async function taggedInstances(ports: AwsPorts, ctx: StepContext, tags: Tag[]): Promise<Instance[]> {
  const own = tags.filter((t) => isOwnTagKey(t.Key));
  const tagged = await ports.instances.listByTag(TAG.deployment, ctx.deploymentId);
  const has = (i: Instance, key: string, value: string) => !!i.Tags?.some((t) => t.Key === key && t.Value === value);
  return tagged.filter((i) => has(i, TAG.service, ctx.service) && own.every((o) => has(i, o.Key, o.Value)));
}

/**
 * Hosts to run commands on, in the order of `ids` (the instances `launchStep` made). One not described yet is
 * waited for within its grace (EC2 eventual consistency). A missing address fails the deployment (rollback).
 */
async function hostsOf(ports: AwsPorts, ctx: StepContext, launchStep: string, via: 'ssh' | 'ssm', address: AddressKind): Promise<RemoteHost[]> {
  const ids = instancesOf(ctx, launchStep);
  let described = await ports.instances.describe(ids);
  const missing = () => ids.filter((id) => !described.some((i) => i.InstanceId === id));
  if (missing().length > 0) {
    await untilVisible(ctx, `new instances ${missing().join(', ')}`, launchedAtOf(ctx, launchStep), async () => {
      described = await ports.instances.describe(ids);
      return missing().length === 0 ? described : undefined;
    });
  }
  return ids.map((id) => {
    const instance = described.find((i) => i.InstanceId === id);
    if (!instance || gone(instance)) throw new VerificationError(`new instance ${id} no longer exists (${instance?.State?.Name ?? 'gone'})`);
    if (via === 'ssm') return { instanceId: id, address: instance.PrivateIpAddress ?? id };
    const host = hostOf(instance, address);
    if ('error' in host) throw new VerificationError(host.error);
    return host;
  });
}

// ---------------------------------------------------------------- launch-instances

export function launchInstances(ports: AwsPorts): Handler<LaunchInstancesParams> {
  async function source(p: LaunchInstancesParams): Promise<LaunchSource> {
    if (p.launch.kind === 'configuration') {
      const configuration = await ports.launch.describeLaunchConfiguration(p.launch.name);
      if (!configuration)
        throw new DeploymentError(`launch configuration ${p.launch.name} of group ${p.group} no longer exists; nothing to launch from`);
      return { kind: 'configuration', configuration };
    }
    const version = await ports.launch.describeLaunchTemplateVersion({ id: p.launch.id }, String(p.launch.version));
    if (!version || version.VersionNumber === undefined || !version.LaunchTemplateId) {
      throw new DeploymentError(
        `launch template ${p.launch.id} version ${p.launch.version} of group ${p.group} no longer exists; nothing to launch from`,
      );
    }
    return { kind: 'template', version: { ...version, LaunchTemplateId: version.LaunchTemplateId, VersionNumber: version.VersionNumber } };
  }

  return {
    async apply(ctx, p) {
      const existing = await taggedInstances(ports, ctx, p.tags);
      const ids: string[] = [];
      let from: LaunchSource | undefined;
      for (const placement of p.placements) {
        // An earlier attempt's call (same ClientToken) made all of this placement's instances or none.
        const made = existing.filter((i) => (i.ClientToken ? i.ClientToken === placement.clientToken : placementOf(i, p.placements) === placement));
        if (made.length === 0) {
          from ??= await source(p);
          const input = runInstancesInput(from, placement, p.image, p.tags);
          // launchingAt: when, for how long EC2 may not show them yet (eventual consistency: common/visibility.ts).
          made.push(...(await sendCreate(ctx, 'launchingAt', { launching: placement.clientToken }, () => ports.instances.run(input))));
        }
        ids.push(...made.flatMap((i) => (i.InstanceId ? [i.InstanceId] : [])));
        await ctx.record({ instanceIds: [...ids], launched: placement.clientToken });
        ctx.progress(`${ids.length} of ${p.count} instances launched`, { done: ids.length, total: p.count });
      }
      if (ids.length !== p.count) {
        throw new DeploymentError(`launched ${ids.length} instances for ${p.group}, expected ${p.count}: ${ids.join(', ')}`);
      }
    },
    async undo(ctx, p) {
      const recorded = (ctx.outputs.instanceIds as string[] | undefined) ?? [];
      const tagged = (await unrecordedLaunch(ports, ctx, p.tags)).flatMap((i) => (i.InstanceId ? [i.InstanceId] : []));
      const ids = [...new Set([...recorded, ...tagged])];
      if (ids.length === 0) return;
      // (swap-instances undoes attach-instances first.) An instance still in the group is taken out so it leaves no gap.
      const g = await ports.groups.describeGroup(p.group);
      const inGroup = g ? membersOf(g).filter((id) => ids.includes(id)) : [];
      if (inGroup.length > 0) await ports.groups.detachInstances(p.group, inGroup, true);
      await terminateMade(ports, ctx, ids, sentAtOf(ctx.outputs, 'launchingAt'));
    },
  };
}

/**
 * The instances of this deployment found by tag. When the last RunInstances was sent and its answer never
 * recorded (a crash, a time-out), EC2 may not show its instances yet: they are looked for (by its client
 * token) within the grace, so that the undo terminates them rather than leaving them running.
 */
async function unrecordedLaunch(ports: AwsPorts, ctx: StepContext, tags: Tag[]): Promise<Instance[]> {
  const tagged = await taggedInstances(ports, ctx, tags);
  const token = ctx.outputs.launching as string | undefined;
  const sentAt = sentAtOf(ctx.outputs, 'launchingAt');
  const fromToken = (found: Instance[]) => found.some((i) => i.ClientToken === token);
  if (!token || sentAt === undefined || ctx.outputs.launched === token || fromToken(tagged)) return tagged;
  const late = await untilVisible(ctx, `the instances of client token ${token}`, sentAt, async () => {
    const found = await taggedInstances(ports, ctx, tags);
    return fromToken(found) ? found : undefined;
  });
  return late ?? tagged;
}

/**
 * Terminates instances this deployment launched at `launchedAt`. InvalidInstanceID.NotFound right after the
 * launch "doesn't mean that the instance is or will be terminated" (EC2 eventual consistency): within the
 * grace those ids are asked again until EC2 knows them. A journal without the time (older) waits for nothing.
 */
async function terminateMade(ports: AwsPorts, ctx: StepContext, ids: string[], launchedAt: number | undefined): Promise<void> {
  let left = await ports.instances.terminate(ids);
  if (left.length === 0 || launchedAt === undefined) return;
  await untilVisible(ctx, `new instances ${left.join(', ')} to terminate`, launchedAt, async () => {
    left = await ports.instances.terminate(left);
    return left.length === 0 ? true : undefined;
  });
}

// ---------------------------------------------------------------- wait-running

export function waitRunning(ports: AwsPorts, launchStep: string): Handler<WaitRunningParams> {
  return {
    async apply(ctx, p) {
      const ids = instancesOf(ctx, launchStep);
      if (ids.length === 0) throw new DeploymentError(`no new instance recorded; run the ${launchStep} step first`);
      // Not described yet is "pending" for a while, as the SDK's InstanceRunning waiter retries on InvalidInstanceID.NotFound.
      const unseen = new NotVisible(ctx, launchedAtOf(ctx, launchStep), 'new instance');
      await waitUntil(
        ctx,
        { what: `${ids.length} new instances to be running`, timeoutSeconds: p.timeoutSeconds, intervalSeconds: p.intervalSeconds },
        async () => {
          const described = await ports.instances.describe(ids);
          const note = unseen.check(ids.filter((id) => !described.some((x) => x.InstanceId === id)));
          for (const i of described) {
            const state = i.State?.Name;
            if (ids.includes(i.InstanceId ?? '') && state && !['pending', 'running'].includes(state)) {
              throw new VerificationError(`new instance ${i.InstanceId} is ${state}${i.StateReason?.Message ? `: ${i.StateReason.Message}` : ''}`);
            }
          }
          const n = described.filter((i) => i.State?.Name === 'running').length;
          const message = `${n} of ${ids.length} new instances running${note ? `; ${note}` : ''}`;
          return { done: n === ids.length, message, counts: { done: n, total: ids.length } };
        },
      );
    },
    async undo() {},
  };
}

// ---------------------------------------------------------------- wait-reachable

export function waitReachable(ports: AwsPorts, services: StrategyServices, launchStep: string): Handler<WaitReachableParams> {
  return {
    async apply(ctx, p) {
      const hosts = await hostsOf(ports, ctx, launchStep, p.via, p.address);
      await ctx.record({ hosts: hosts.map((h) => ({ instanceId: h.instanceId, address: h.address })) });
      await services.remote(p.via).probe(hosts, {
        connectTimeoutSeconds: p.connectTimeoutSeconds,
        attempts: p.attempts,
        parallel: p.parallel,
        signal: ctx.signal,
        onProgress: (ready, total) => ctx.progress(`${ready} of ${total} new instances answer over ${p.via}`, { done: ready, total }),
      });
    },
    async undo() {},
  };
}

// ---------------------------------------------------------------- run-commands

export function runCommands(ports: AwsPorts, services: StrategyServices, launchStep: string): Handler<RunCommandsParams> {
  return {
    async apply(ctx, p) {
      const hosts = await hostsOf(ports, ctx, launchStep, p.via, p.address);
      const previous = (ctx.outputs.outcomes as OutcomeRecord[] | undefined) ?? [];
      // A host where every command exited 0 in an earlier attempt is done; the others run the list again.
      const done = (h: RemoteHost) =>
        p.commands.every((_, index) => previous.some((o) => o.instanceId === h.instanceId && o.index === index && o.exitCode === 0));
      const todo = hosts.filter((h) => !done(h));
      if (todo.length === 0) return;
      const attempt = ((ctx.outputs.attempts as number | undefined) ?? 0) + 1;
      await ctx.record({ attempts: attempt, running: todo.map((h) => h.instanceId) });

      const outcomes: OutcomeRecord[] = [...previous];
      const key = (o: { instanceId: string; index: number }) => `${o.instanceId}#${o.index}`;
      const seen = new Set<string>();
      let saving: Promise<void> = Promise.resolve();
      const keep = (o: CommandOutcome) => {
        if (seen.has(key(o))) return;
        seen.add(key(o));
        outcomes.push({ instanceId: o.instanceId, index: o.index, exitCode: o.exitCode, attempt });
        const snapshot = outcomes.map((x) => ({ ...x }));
        saving = saving.then(() => ctx.record({ outcomes: snapshot }));
        ctx.progress(`${o.instanceId}: command ${o.index + 1} of ${p.commands.length} exited ${o.exitCode}`);
      };
      const runner = services.remote(p.via);
      try {
        const result = await runner.run(todo, {
          commands: p.commands,
          env: p.env,
          parallel: p.parallel,
          signal: ctx.signal,
          onOutcome: keep,
          onLine: (host, stream, line) => ctx.output(host.instanceId, stream, line),
        });
        for (const o of result) keep(o);
      } finally {
        await saving;
        await runner.close();
      }
    },
    async undo() {},
  };
}

// ---------------------------------------------------------------- bake-image

const IMAGE_FAILED = ['failed', 'invalid', 'error', 'deregistered', 'disabled'];

export function bakeImage(ports: AwsPorts, launchStep: string): Handler<BakeImageParams> {
  return {
    async apply(ctx, p) {
      let imageId = ctx.outputs.imageId as string | undefined;
      if (!imageId) {
        imageId = (await ports.images.findImageByName(p.name))?.ImageId;
        if (imageId) await ctx.record({ imageName: p.name, imageId });
      }
      if (!imageId) {
        const instanceId = instancesOf(ctx, launchStep)[0];
        if (!instanceId) throw new DeploymentError(`no new instance recorded; run the ${launchStep} step first`);
        // imageSentAt: when, for how long DescribeImages may not show it yet (eventual consistency: common/visibility.ts).
        imageId = await sendCreate(ctx, 'imageSentAt', { imageName: p.name, instanceId }, () =>
          ports.images.createImage({
            InstanceId: instanceId,
            Name: p.name,
            Description: p.description,
            NoReboot: p.reboot !== true,
            TagSpecifications: [
              { ResourceType: 'image', Tags: p.tags },
              { ResourceType: 'snapshot', Tags: p.tags },
            ],
          }),
        );
        await ctx.record({ imageId });
      }
      const id = imageId;
      // Not described yet is "pending" for a while, as the SDK's ImageExists / ImageAvailable waiters retry on InvalidAMIID.NotFound.
      const unseen = new NotVisible(ctx, sentAtOf(ctx.outputs, 'imageSentAt'), `image ${p.name}`);
      await waitUntil(
        ctx,
        { what: `image ${p.name} (${id}) to be available`, timeoutSeconds: p.timeoutSeconds, intervalSeconds: p.intervalSeconds },
        async () => {
          const image = await ports.images.describeImage(id);
          if (!image) return { done: false, message: `image ${p.name}: ${unseen.check([id])}` };
          const state = image.State ?? 'pending';
          if (IMAGE_FAILED.includes(state)) {
            throw new VerificationError(
              `image ${p.name} (${id}) ended ${state}${image.StateReason?.Message ? `: ${image.StateReason.Message}` : ''}; nothing was switched`,
            );
          }
          return { done: state === 'available', message: `image ${p.name} (${id}) is ${state}` };
        },
      );
    },
    async undo(ctx, p) {
      // Just made, DescribeImages may not show it yet, and the delete would take it for gone: within the grace,
      // wait until it shows (by id, or by name when the answer of CreateImage was never recorded).
      const sentAt = sentAtOf(ctx.outputs, 'imageSentAt');
      const recorded = ctx.outputs.imageId as string | undefined;
      const find = async () => (recorded ? ports.images.describeImage(recorded) : ports.images.findImageByName(p.name));
      const image = sentAt === undefined ? await find() : await untilVisible(ctx, `image ${p.name} to delete`, sentAt, find);
      const id = recorded ?? image?.ImageId;
      if (id) await ports.images.deleteImage(id);
    },
  };
}

// ---------------------------------------------------------------- terminate-instances

/** Terminates the instances `launchStep` made and waits until each is terminated or gone. Undo: nothing (launchStep's undo would terminate them anyway). */
export function terminateInstances(ports: AwsPorts, launchStep: string): Handler<TerminateInstancesParams> {
  return {
    async apply(ctx, p) {
      const ids = instancesOf(ctx, launchStep);
      if (ids.length === 0) return;
      await ctx.record({ terminating: ids });
      await ports.instances.terminate(ids);
      await waitUntil(
        ctx,
        { what: `${ids.join(', ')} to be terminated`, timeoutSeconds: p.timeoutSeconds, intervalSeconds: p.intervalSeconds },
        async () => {
          const described = await ports.instances.describe(ids);
          const left = ids.filter((id) => {
            const state = described.find((i) => i.InstanceId === id)?.State?.Name;
            return state !== undefined && state !== 'terminated';
          });
          const n = ids.length - left.length;
          return { done: left.length === 0, message: `${n} of ${ids.length} instances terminated`, counts: { done: n, total: ids.length } };
        },
      );
      await ctx.record({ terminated: ids });
    },
    async undo() {},
  };
}

/** How a bake step's title says it: "(reboot first)" or "(no reboot)". */
export const bakeRebootText = (reboot: boolean) => (reboot ? '(reboot first)' : '(no reboot)');
