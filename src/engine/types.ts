/**
 * The engine's vocabulary. A deployment is a flat, ordered list of named steps. A step is plain data
 * (kind + params) decided by a planner; the engine runs it through the handler registered for its kind.
 * Nothing here knows about AWS.
 */
import type { Clock } from './clock.js';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A resource a step creates, shown in the plan and recorded in events. */
export interface ResourceRef {
  type: string; // e.g. "launch-configuration", "load-balancer", "auto-scaling-group", "alarm"
  name: string;
}

/** A value a step changes, shown in the plan as "what: from -> to". */
export interface ChangeRef {
  what: string;
  from: string;
  to: string;
}

/** A step as decided by a planner: pure data, stored in the journal. */
export interface StepDescriptor {
  /** Unique within the deployment and stable: the key of the journal and of events. */
  id: string;
  /** Which handler runs it, e.g. "replica-dns/create-group". */
  kind: string;
  /** One line for people: "Create Auto Scaling group shop-green-k3x9a". */
  title: string;
  params: JsonObject;
  creates?: ResourceRef[];
  changes?: ChangeRef[];
  /** What the step waits for, for the plan: "until 2 of 2 instances are InService (timeout 300s)". */
  waits?: string;
  /**
   * The step that first moves traffic to green. `deploy --pause-before-switch` stops before the first step
   * so marked, leaving the deployment paused until `promote` or `rollback`. At most one per plan.
   */
  pausePoint?: boolean;
}

export type StepState =
  | 'pending' // not started
  | 'running' // started, not finished (a crash leaves it so)
  | 'done'
  | 'failed'
  | 'undoing'
  | 'undone';

export interface StepRecord extends StepDescriptor {
  state: StepState;
  startedAt?: string;
  endedAt?: string;
  /** Values the step recorded: ids of what it made, values it changed. Enough for undo. */
  outputs: JsonObject;
  error?: string;
}

export type DeploymentStatus =
  | 'running' // deploy or resume under way, or interrupted during one
  | 'paused' // stopped before the pause point (deploy --pause-before-switch); promote or rollback
  | 'succeeded'
  | 'failed' // stopped at a step; resume or rollback
  | 'rolling-back' // rollback under way, or interrupted during one
  | 'rolled-back'
  | 'rollback-failed';

export interface Journal {
  version: 1;
  service: string;
  deploymentId: string;
  strategy: string;
  configDigest: string;
  createdAt: string;
  updatedAt: string;
  status: DeploymentStatus;
  /** Strategy facts for people and for `status`: colors, group names, image, record. */
  summary: JsonObject;
  steps: StepRecord[];
  /** The last error, as shown to the user. */
  error?: string;
  /** Who ran it. */
  actor?: { host: string; pid: number; user?: string };
  /**
   * The id of the step the run stops before, leaving the deployment `paused` (set by `deploy
   * --pause-before-switch`, removed by `promote`). A resume after a crash still stops there.
   */
  pauseBefore?: string;
}

export interface StepContext {
  readonly service: string;
  readonly deploymentId: string;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** This step's outputs recorded so far (after a crash: what the earlier attempt recorded). */
  readonly outputs: Readonly<JsonObject>;
  /** Outputs of another step of this deployment. */
  outputsOf(stepId: string): Readonly<JsonObject>;
  /** Merge values into this step's outputs and write the journal now, before the next AWS call. */
  record(values: JsonObject): Promise<void>;
  /** Say what the step is doing or waiting for: "1 of 2 instances InService". */
  progress(message: string, counts?: { done: number; total: number }): void;
  /**
   * A line of output of something the step runs (a release command on a host). Shown to people as it
   * comes; never written to the journal.
   */
  output(source: string, stream: 'stdout' | 'stderr', line: string): void;
}

export interface StepHandler<P extends JsonObject = JsonObject> {
  /** Do the step. Must be idempotent: re-run after a crash it finds what it already made. */
  apply(ctx: StepContext, params: P): Promise<void>;
  /** Undo the step. Must be idempotent and work after a partial apply. */
  undo(ctx: StepContext, params: P): Promise<void>;
  /**
   * Why this step cannot be undone any more (e.g. what it deleted is gone for good), or undefined.
   * Asked of every step before a rollback starts, so a rollback that cannot finish changes nothing.
   */
  blocksUndo?(ctx: StepContext, params: P): Promise<string | undefined>;
}

// Each handler has its own params type, checked where it is registered; the registry only routes by kind,
// and no single params type is assignable both ways to every handler's, hence `any` here alone.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StepRegistry = Readonly<Record<string, StepHandler<any>>>;
