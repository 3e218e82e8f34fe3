/** What the operations take and give (src/operations.ts). Types only. */
import type { AwsPorts } from '../aws/ports.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../engine/clock.js';
import type { EventSink } from '../engine/events.js';
import type { LockHolder } from '../errors.js';
import type { Plan } from '../strategies/types.js';

export interface OperationOptions {
  /** Path of the config file. */
  configFile: string;
  /** Overrides release.image. */
  image?: string;
  /** Engine events as they happen (progress display, --output json). */
  onEvent?: EventSink;
  /** Ports to reach AWS; default: the AWS SDK with the standard credential chain and endpoint settings. */
  ports?: AwsPorts;
  clock?: Clock;
  signal?: AbortSignal;
  /** How the user invokes bluegreen (default "bluegreen"); messages then say e.g. "bluegreen resume -c shop.yml". */
  commandPrefix?: string;
  /** Called once the lock was taken over from a run that no longer exists. */
  onTakeOver?: (previous: LockHolder) => void;
}

/** Asked before any change with the steps that would run; resolve false to cancel. Absent: go ahead. */
export type Confirm = (plan: Plan, config: Config) => Promise<boolean>;

export interface DeployOptions extends OperationOptions {
  /** Asked after the plan is made and before any change; resolve false to cancel. Absent: go ahead. */
  confirm?: Confirm;
  /**
   * Stop before the plan's first traffic step (its pausePoint), leaving the deployment `paused` until
   * `promote` or `rollback`. A strategy without such a step is refused (InputError) before any change.
   */
  pauseBeforeSwitch?: boolean;
}

export interface PlanOptions extends OperationOptions {
  /** Check that the plan has a step to pause before (as deploy --pause-before-switch would); InputError if not. */
  pauseBeforeSwitch?: boolean;
}

export interface ResumeOptions extends OperationOptions {
  /**
   * resume (default): go on with a deployment that stopped; refuses a paused one.
   * promote: go on with a paused deployment past its pause point; refuses any other.
   */
  mode?: 'resume' | 'promote';
  /**
   * Asked (promote only) under the lock, before any change, with the steps still to run; resolve false to
   * cancel (the journal is returned unchanged). Absent: go ahead.
   */
  confirm?: Confirm;
}

export interface PlanResult {
  config: Config;
  plan: Plan;
  /** With pauseBeforeSwitch: the id of the step deploy --pause-before-switch would stop before. */
  pauseBefore?: string;
}
