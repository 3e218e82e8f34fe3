/**
 * The journal's contract of swap-instances: step ids and kinds, the timeouts the planner writes, and the
 * params (JSON) each step stores. The planner writes them and the handlers read them; a journal written by
 * an earlier version resumes with these shapes, so they change only with care.
 */
import type { StepDescriptor } from '../../engine/types.js';

export const STRATEGY = 'swap-instances';

/** Step ids: the stable keys of the journal and the events. */
export const STEP = {
  suspendProcesses: 'suspend-processes',
  launchInstances: 'launch-instances',
  waitRunning: 'wait-running',
  waitReachable: 'wait-reachable',
  runCommands: 'run-commands',
  bakeImage: 'bake-image',
  raiseMaxSize: 'raise-max-size',
  attachInstances: 'attach-instances',
  waitHealthy: 'wait-healthy',
  updateLaunch: 'update-launch',
  waitRetire: 'wait-retire',
  deregisterOld: 'deregister-old',
  waitDraining: 'wait-draining',
  terminateOld: 'terminate-old',
  restoreGroup: 'restore-group',
} as const;
export type StepId = (typeof STEP)[keyof typeof STEP];

export const kindOf = (id: StepId) => `${STRATEGY}/${id}`;

// The steps that make and prepare the new instances are shared with replica-dns's builder.
export { IMAGE_INTERVAL_SECONDS, IMAGE_TIMEOUT_SECONDS, RUNNING_TIMEOUT_SECONDS } from '../common/instance-steps.js';
export type {
  BakeImageParams,
  LaunchInstancesParams,
  LaunchRef,
  RunCommandsParams,
  WaitReachableParams,
  WaitRunningParams,
} from '../common/instance-steps.js';

/** How long terminated instances may take to leave the group (termination lifecycle hooks included). */
export const TERMINATE_TIMEOUT_SECONDS = 900;
/** How often a timed wait says how long is left. */
export const PROGRESS_SECONDS = 30;

// ---------------------------------------------------------------- params (JSON, stored in the journal)

export interface Sizes {
  MinSize: number;
  MaxSize: number;
  DesiredCapacity: number;
}

type Tag = { Key: string; Value: string };

export interface SuspendProcessesParams {
  group: string;
  processes: string[];
}

export interface RaiseMaxSizeParams {
  group: string;
  count: number;
  /** The sizes seen at plan time, and the MaxSize planned from them (apply re-checks against the group). */
  planned: Sizes;
  maxSize: number;
}

export interface AttachInstancesParams {
  group: string;
  loadBalancers: string[];
  targetGroups: string[];
  /** The longest draining time of the load balancers, waited on undo when the new instances served. */
  drainingSeconds: number;
  intervalSeconds: number;
}

export interface WaitHealthyParams {
  group: string;
  loadBalancers: string[];
  targetGroups: string[];
  timeoutSeconds: number;
  intervalSeconds: number;
}

export type UpdateLaunchParams = {
  group: string;
  name: string;
  /** The image to copy in; null: the image bake-image made. */
  image: string | null;
  tags: Tag[];
} & (
  | { kind: 'configuration'; source: string }
  | { kind: 'template'; source: { id: string; version: number } }
  /** `launch: template` with the group on a launch configuration: a new template (version 1) from its settings. */
  | { kind: 'template-from-configuration'; source: string }
);

export interface WaitRetireParams {
  seconds: number;
  intervalSeconds: number;
}

export interface DeregisterOldParams {
  group: string;
  loadBalancers: string[];
  targetGroups: string[];
  /** The instances serving at plan time (shown in the plan; apply takes the group's members that are not new). */
  planned: string[];
  timeoutSeconds: number;
  intervalSeconds: number;
}

export interface WaitDrainingParams {
  seconds: number;
  intervalSeconds: number;
  /** Where the wait comes from, for people: "shop-web-elb: connection draining 120s". */
  reasons: string[];
}

export interface TerminateOldParams {
  group: string;
  timeoutSeconds: number;
  intervalSeconds: number;
}

export interface RestoreGroupParams {
  group: string;
  /** The group's sizes at plan time; apply prefers those raise-max-size recorded. */
  sizes: Sizes;
}

/** A step of this strategy: its kind follows from its id. */
export function stepOf(id: StepId, rest: Omit<StepDescriptor, 'id' | 'kind'>): StepDescriptor {
  return { id, kind: kindOf(id), ...rest };
}

/** How often a timed wait of `seconds` says how long is left. */
export const progressInterval = (seconds: number) => Math.min(PROGRESS_SECONDS, Math.max(1, seconds));
