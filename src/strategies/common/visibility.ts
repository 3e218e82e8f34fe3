/**
 * EC2 is eventually consistent ("Eventual consistency in the Amazon EC2 API",
 * https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html): right after RunInstances,
 * CreateImage or CreateLaunchTemplate, a describe of the new id may answer InvalidInstanceID.NotFound,
 * InvalidAMIID.NotFound or InvalidLaunchTemplateId.NotFound (which the adapters give as "absent"), and
 * TerminateInstances may answer InvalidInstanceID.NotFound for an instance that "could still be running".
 *
 * So an id this deployment made and recorded is "not visible yet", never "gone", until NOT_VISIBLE_SECONDS
 * after it was made (the time its step recorded; for journals written before that, after the first answer
 * that left it out). After that its absence is an error that names it (apply), or means it is gone (undo).
 * This is the SDK waiters' own handling (InstanceExists and InstanceRunning retry on InvalidInstanceID.NotFound,
 * ImageExists on InvalidAMIID.NotFound, ImageAvailable on any error), kept on the engine's clock, with
 * progress, instead of the waiters' own timers: EC2 has no waiter for launch templates.
 */
import type { LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import type { AwsPorts } from '../../aws/ports.js';
import type { JsonObject, StepContext } from '../../engine/types.js';
import { waitUntil, WaitTimeoutError } from '../../engine/wait.js';
import { AwsCallError, VerificationError } from '../../errors.js';

/** How long an id this deployment made may be missing from EC2's answers before it counts as gone (AWS: "up to a few minutes"). */
export const NOT_VISIBLE_SECONDS = 300;
/** How often a visibility wait asks again (the SDK's InstanceExists waiter starts at 5 s). */
export const NOT_VISIBLE_INTERVAL_SECONDS = 5;

type Ctx = Pick<StepContext, 'clock' | 'signal' | 'progress'>;

/** Until when (ms) an id made at `madeAt` (ms, as recorded) may be not visible yet; `fallback` when the journal has no time. */
export const visibleBy = (madeAt: number | undefined, fallback: number) => (madeAt ?? fallback) + NOT_VISIBLE_SECONDS * 1000;

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

/**
 * Sends a create whose answer a crash or a time-out may lose. Records `values` and `sentAt` (now) first: the
 * undo then knows the thing may exist although the journal has no id and EC2 does not show it yet, and the
 * grace counts from then. An AWS refusal (HTTP 4xx: nothing was made) records `sentAt` null.
 */
export async function sendCreate<T>(ctx: StepContext, sentAt: string, values: JsonObject, create: () => Promise<T>): Promise<T> {
  await ctx.record({ ...values, [sentAt]: ctx.clock.now() });
  try {
    return await create();
  } catch (error) {
    if (error instanceof AwsCallError && error.refused) await ctx.record({ [sentAt]: null });
    throw error;
  }
}

/** The time `sendCreate` recorded under `key`, when the create may have made something (not refused); else undefined. */
export function sentAtOf(outputs: Readonly<JsonObject>, key: string): number | undefined {
  const at = outputs[key];
  return typeof at === 'number' ? at : undefined;
}

/**
 * Ids missing from the answers of one wait's polls: each poll says which recorded ids its answer left out;
 * within their grace that is a progress note, after it a VerificationError that names them.
 */
export class NotVisible {
  private firstMissing: number | undefined;
  constructor(
    private readonly ctx: Pick<StepContext, 'clock'>,
    /** When the ids were made (ms), as recorded; undefined for an older journal. */
    private readonly madeAt: number | undefined,
    /** "new instance", "image shop-green-k3x9a": for messages. */
    private readonly what: string,
  ) {}

  /** '' when nothing is missing; else what to add to the progress line. Throws once the grace has run out. */
  check(missing: string[]): string {
    if (missing.length === 0) return '';
    const now = this.ctx.clock.now();
    this.firstMissing ??= now;
    const by = visibleBy(this.madeAt, this.firstMissing);
    const ids = missing.join(', ');
    if (now >= by) {
      throw new VerificationError(
        `${this.what} ${ids} ${missing.length === 1 ? 'is' : 'are'} still not described by EC2 ${NOT_VISIBLE_SECONDS}s after ${
          this.madeAt === undefined ? 'it was first missed' : 'it was made'
        }: gone (terminated or deleted outside this deployment), not a delay of EC2's eventual consistency`,
      );
    }
    return `${ids} not visible yet (EC2 eventual consistency; up to ${seconds(by - now)}s more)`;
  }
}

/**
 * Asks `find` until it sees what this deployment made, for what is left of its grace (NOT_VISIBLE_SECONDS
 * after `madeAt`, or from now when the journal has no time), saying so in progress. Returns what find saw,
 * or undefined when the grace ran out first (the caller decides: an error in apply, "gone" in undo).
 */
export async function untilVisible<T>(
  ctx: Ctx,
  what: string,
  madeAt: number | undefined,
  find: () => Promise<T | undefined>,
): Promise<T | undefined> {
  let found = await find();
  const by = visibleBy(madeAt, ctx.clock.now());
  if (found !== undefined || ctx.clock.now() >= by) return found;
  const notYet = () => `${what}: not visible yet (EC2 eventual consistency; up to ${seconds(by - ctx.clock.now())}s more)`;
  ctx.progress(notYet());
  await ctx.clock.sleep(Math.min(NOT_VISIBLE_INTERVAL_SECONDS * 1000, by - ctx.clock.now()), ctx.signal);
  try {
    await waitUntil(
      ctx,
      { what: `${what} to be visible`, timeoutSeconds: seconds(by - ctx.clock.now()), intervalSeconds: NOT_VISIBLE_INTERVAL_SECONDS },
      async () => {
        found = await find();
        return found !== undefined ? { done: true, message: `${what}: visible` } : { done: false, message: notYet() };
      },
    );
  } catch (error) {
    if (error instanceof WaitTimeoutError) return undefined;
    throw error;
  }
  return found;
}

/**
 * Waits until EC2 describes the launch template version this step made (for NOT_VISIBLE_SECONDS after
 * `madeAt`), so that what uses it next (CreateAutoScalingGroup, UpdateAutoScalingGroup) finds it. Throws
 * VerificationError naming it when it never shows.
 */
export async function launchTemplateVisible(
  ports: AwsPorts,
  ctx: Ctx,
  template: { name: string; id: string; version: number },
  madeAt: number | undefined,
): Promise<LaunchTemplateVersion> {
  const what = `launch template ${template.name} (${template.id}) version ${template.version}`;
  const found = await untilVisible(ctx, what, madeAt, () =>
    ports.launch.describeLaunchTemplateVersion({ id: template.id }, String(template.version)),
  );
  if (!found) {
    throw new VerificationError(
      `${what}, made by this deployment, is still not described by EC2 ${NOT_VISIBLE_SECONDS}s after it was made: it was deleted outside this deployment`,
    );
  }
  return found;
}

/**
 * A re-run of a step whose earlier attempt made its launch template and recorded the id: EC2 may not show it
 * yet, which does not mean it is gone. Waits for it and returns true; false when no id was recorded.
 */
export async function recordedTemplateVisible(ports: AwsPorts, ctx: Ctx & Pick<StepContext, 'outputs'>, name: string): Promise<boolean> {
  const recorded = ctx.outputs.launchTemplateId as string | undefined;
  if (!recorded) return false;
  const version = (ctx.outputs.version as number | undefined) ?? 1;
  await launchTemplateVisible(ports, ctx, { name, id: recorded, version }, sentAtOf(ctx.outputs, 'launchTemplateSentAt'));
  return true;
}

/**
 * Before deleting a launch template a step sent the create of at `launchTemplateSentAt` (its outputs, see
 * sendCreate): within the grace, wait until EC2 describes it (by id when the answer was recorded, else by
 * name), or the delete (InvalidLaunchTemplateName.NotFoundException) would take it for gone and leave it
 * behind. Outputs of older journals (no time) wait for nothing.
 */
export async function untilTemplateShows(ports: AwsPorts, ctx: Ctx, name: string, outputs: Readonly<JsonObject>): Promise<void> {
  const sentAt = sentAtOf(outputs, 'launchTemplateSentAt');
  if (sentAt === undefined) return;
  const id = outputs.launchTemplateId as string | undefined;
  const version = String((outputs.version as number | undefined) ?? 1);
  await untilVisible<unknown>(ctx, `launch template ${name}${id ? ` (${id})` : ''} to delete`, sentAt, () =>
    id ? ports.launch.describeLaunchTemplateVersion({ id }, version) : ports.launch.findLaunchTemplate(name),
  );
}

/** Auto Scaling's answer for a launch template its own view of EC2 does not hold yet. */
const TEMPLATE_NOT_SEEN = /launch template.*(does not exist|not found)/i;

/**
 * Sends an Auto Scaling call (CreateAutoScalingGroup, UpdateAutoScalingGroup) naming a launch template this
 * deployment just made. Auto Scaling reads EC2, whose eventual consistency it inherits: it may refuse a template
 * EC2 already describes with "ValidationError: You must use a valid fully-formed launch template. The specified
 * launch template ... does not exist." (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html).
 * That refusal is sent again every NOT_VISIBLE_INTERVAL_SECONDS for up to NOT_VISIBLE_SECONDS, saying so in
 * progress; any other error, or the same one after that, is thrown as it is.
 */
export async function whileAutoScalingCatchesUp<T>(ctx: Ctx, template: string, call: () => Promise<T>): Promise<T> {
  const by = ctx.clock.now() + NOT_VISIBLE_SECONDS * 1000;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      const notSeen = error instanceof AwsCallError && error.code === 'ValidationError' && TEMPLATE_NOT_SEEN.test(error.message);
      if (!notSeen || ctx.clock.now() >= by) throw error;
      ctx.progress(
        `Auto Scaling does not see launch template ${template} yet (EC2 eventual consistency; up to ${seconds(by - ctx.clock.now())}s more)`,
      );
      await ctx.clock.sleep(Math.min(NOT_VISIBLE_INTERVAL_SECONDS * 1000, by - ctx.clock.now()), ctx.signal);
    }
  }
}
