/** What every strategy provides: a read-only observation, a pure planner, and the handlers of its steps. */
import type { AwsPorts } from '../aws/ports.js';
import type { Config } from '../config/schema.js';
import type { JsonObject, StepDescriptor, StepRegistry } from '../engine/types.js';
import type { RemoteRunner } from '../remote/types.js';

/** What handlers may use besides AWS: the remote-command runners, made on demand. */
export interface StrategyServices {
  /** The runner for `release.via` (ssh: the system OpenSSH client with the config's ssh settings; ssm: SSM Run Command). */
  remote(via: 'ssh' | 'ssm'): RemoteRunner;
}

/** The stack serving traffic now: its group, the launch configuration or template it uses, and that launch's image. */
export interface LiveStack {
  group: string;
  launch?: { kind: 'configuration' | 'template'; name: string };
  imageId?: string;
  /** Roles its group hands to Auto Scaling (lifecycle hooks' RoleARN, a custom ServiceLinkedRoleARN): a copy passes them again. */
  rolesForAutoScaling?: string[];
  /** Customer managed KMS keys its launch template's volumes name (Ebs.KmsKeyId): launching like it uses them. */
  volumeKeys?: string[];
}

/** One side of a deployment as its summary names it (JSON in the journal). */
export type StackSummary = {
  color: string;
  group: string;
  /** The launch configuration or template (green's is the one the deployment made). */
  launch?: string;
  /** replica-dns: the stack's classic load balancer. */
  loadBalancer?: string;
  /** replica-listener: the stack's target group. */
  targetGroup?: string;
  /** swap-instances: blue's instance ids, and how many green has. */
  instances?: string[] | number;
};

/**
 * Facts for people, `status`, `history` and the janitor, written into the journal with the plan. Every
 * strategy writes `blue` and `green`; the rest as it has them. Journals of older versions may lack keys,
 * so readers go through readSummary (src/strategies/summary.ts), never a cast.
 */
export type PlanSummary = {
  blue: StackSummary;
  green: StackSummary;
  /** The step after which every request goes to green (absent in replica-dns without traffic.steps: switch-dns). */
  trafficStep?: string;
  /** "commands" when green's image is baked by the deployment; absent or "image" otherwise. */
  release?: 'commands' | 'image';
  /** The image deployed (or what will be baked, in words); null when not known at plan time. */
  image?: string | null;
} & JsonObject; // and strategy-specific facts (record, listener, traffic, sizes), shown as they are

/** Steps to run or undo, shown before a yes. A strategy's plan has a PlanSummary; resume's and rollback's show the journal's. */
export interface Plan<Summary extends JsonObject = JsonObject> {
  deploymentId: string;
  steps: StepDescriptor[];
  summary: Summary;
  /** Things a person should know before saying yes (e.g. "retire.action delete: rollback will not be possible after retire"). */
  warnings: string[];
}

export interface Strategy<Observed = unknown> {
  name: string;
  /**
   * Reads AWS with read-only calls only. Throws InputError naming anything the config names that
   * does not exist (group, zone, record, image) or any state that makes a deployment impossible.
   */
  observe(config: Config, ports: AwsPorts): Promise<Observed>;
  /** Pure: config plus observed state in, ordered steps out. Unit-tested without AWS. */
  plan(config: Config, observed: Observed, deploymentId: string): Plan<PlanSummary>;
  /** Pure: the stack serving traffic now, as observe found it (the janitor never deletes it). */
  liveStack(observed: Observed): LiveStack;
  /** The handlers for this strategy's step kinds, bound to the ports. */
  handlers(ports: AwsPorts, services: StrategyServices): StepRegistry;
}
