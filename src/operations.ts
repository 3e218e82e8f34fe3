/**
 * The operations of bluegreen, shared by the CLI and the library: plan, deploy, resume, rollback,
 * status, unlock. Each loads the config, takes the service's lock when it changes anything, and
 * drives the engine. (Lead engineer's file: the CLI calls these and nothing below them.)
 */
import type { AwsPorts } from './aws/ports.js';
import type { Config } from './config/schema.js';
import type { Clock } from './engine/clock.js';
import type { EventSink } from './engine/events.js';
import type { Journal } from './engine/types.js';
import type { LockHolder } from './errors.js';
import type { Plan } from './strategies/types.js';

export interface OperationOptions {
  /** Path of the config file (default ./bluegreen.yml is the CLI's business). */
  configFile: string;
  /** Overrides release.image. */
  image?: string;
  /** Engine events as they happen (progress display, --output json). */
  onEvent?: EventSink;
  /** Ports to reach AWS; default: the AWS SDK with the standard credential chain and endpoint settings. */
  ports?: AwsPorts;
  clock?: Clock;
  signal?: AbortSignal;
  /** Text for the user's next command, e.g. "bluegreen resume -c shop.yml" (the CLI sets the prefix). */
  commandPrefix?: string;
}

export interface DeployOptions extends OperationOptions {
  /** Asked after the plan is made and before any change; resolve false to cancel. Absent: go ahead. */
  confirm?: (plan: Plan, config: Config) => Promise<boolean>;
}

export interface PlanResult {
  config: Config;
  plan: Plan;
}

export interface StatusReport {
  service: string;
  /** The color serving traffic according to the journal, or undefined before any deployment. */
  liveColor?: string;
  journal?: Journal;
  lock?: LockHolder;
}

export declare function plan(options: OperationOptions): Promise<PlanResult>;
export declare function deploy(options: DeployOptions): Promise<Journal | undefined>;
export declare function resume(options: OperationOptions): Promise<Journal>;
export declare function rollback(options: DeployOptions): Promise<Journal>;
export declare function status(options: OperationOptions): Promise<StatusReport>;
export declare function unlock(options: OperationOptions): Promise<LockHolder | undefined>;
