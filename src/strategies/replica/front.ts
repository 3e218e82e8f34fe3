/**
 * What a replica strategy's front is: where blue's traffic comes in, how green gets one of its own, and how
 * traffic moves from one to the other. Two fronts exist: a classic load balancer behind a Route 53 alias
 * record (replica-dns) and a target group behind an ALB/NLB listener (replica-listener). The core
 * (src/strategies/replica) does everything else the same way for both.
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { AwsPorts } from '../../aws/ports.js';
import type { Config } from '../../config/schema.js';
import type { JsonObject, StepContext, StepRegistry } from '../../engine/types.js';
import type { Observation } from '../../engine/wait.js';
import type { StrategyServices } from '../types.js';
import type { DimensionSwap } from './builders.js';
import type { ReplicaConfig, ReplicaObserved } from './observe.js';
import type { PlanBase, PlanContext, Planned } from './plan/context.js';
import type { RetireBlueCommon } from './steps/retire.js';

/**
 * The facts of a plan that depend on the front, decided once from the config and the observed state; the
 * core's step planners put them where today's journals have them.
 */
export interface FrontFacts {
  /** Blue's front, for titles and waits: its classic load balancer or target group name (green's: PlanBase.greenFront). */
  blue: string;
  /** Params naming green's front, first in wait-healthy's and check-http's (replica-dns: `loadBalancer`). */
  lead: JsonObject;
  /** Params naming green's front, last in each step after it is made (replica-listener: the step that makes it). */
  tail: JsonObject;
  /** create-group: green's classic load balancer, the input added, the title's end, what to warn of. */
  group: { loadBalancer?: string; input: JsonObject; title: string; warnings: string[] };
  /** copy-scaling-policies, copy-alarms: what their handlers need to make blue's front green's in dimensions. */
  rewrite: JsonObject;
  /**
   * Dimensions of blue's front made green's in the copies when planning, where green's is known by name
   * (replica-dns: LoadBalancerName of AWS/ELB metrics). Absent: none.
   */
  dimensions?: DimensionSwap[];
  /** wait-healthy: what each instance must be in green's front ("InService", "InService and healthy"). */
  healthy: string;
  /** check-http: what is checked ("shop-green-k3x9a", "each healthy target of ..."), and where each GET goes. */
  http: { what: string; on: string };
  /** The first step that moves traffic, and what a rollback before it goes without ("the switch"). */
  firstTraffic: { step: string; without: string };
  wait: {
    /** The retire wait's floor (replica-listener: at least blue's deregistration delay). */
    seconds: number;
    warnings: string[];
    /** The metric of retire.untilRequestsBelow, as wait-retire's params hold it (before `below`). */
    drain: JsonObject;
    metricName: string;
    /** "requests", "new connections". */
    unit: string;
  };
  retire: {
    /** retire-blue's params naming blue's front (after `group`). */
    params: JsonObject;
    /** What of blue's front `delete` removes, for the plan (after the group). */
    deletes: string[];
    /** Warnings after the core's. */
    warnings: string[];
  };
  /** The summary's front: blue's and green's (after `group`), and the rest after the image. */
  summary: { blue: JsonObject; green: JsonObject; rest: JsonObject };
}

/** Green's front, as a handler finds it from the step's params and the journal. */
export interface GreenFront {
  /** For messages. */
  name: string;
  /** "InService", "InService and healthy". */
  healthy: string;
  /**
   * How many of the group's instances are InService and healthy in green's front; with the group as
   * described for that count (absent when it does not exist), for a caller that needs its sizes too.
   */
  health(group: string): Promise<Observation & { group?: AutoScalingGroup }>;
  /** Where check-http GETs: the load balancer's DNS name, or each healthy target (`id` then names it). */
  httpTargets(): Promise<{ address: string; id?: string }[]>;
  /** create-group's input with green's front in it. */
  groupInput(input: JsonObject): JsonObject;
  /** Blue's front made green's in the dimensions of copied policies and alarms. */
  rewrite<T>(value: T): T;
}

/** What differs between the strategies at retire-blue: blue's front (classic ELB or target group). */
export interface BlueFront<P> {
  /** "shop-web-elb", "target group shop-web": for messages. */
  name(p: P): string;
  /** Deletes the front once the group is gone (only what bluegreen may delete). */
  delete(ctx: StepContext, p: P): Promise<void>;
  /** How many of the group's instances the front reports healthy (rollback waits for all). */
  health(p: P): Promise<Observation>;
}

export interface ReplicaFront<O extends ReplicaObserved = ReplicaObserved, C extends ReplicaConfig = ReplicaConfig> {
  /** The strategy's name, and the prefix of its step kinds. */
  strategy: C['strategy'];
  /** The ids of the front's own steps. */
  steps: { createFront: string } & Record<string, string>;
  /** Narrows the config: a strategy is only ever given its own (the strategy is picked by it). */
  config(config: Config): C;
  /** Finds blue from where traffic goes now and reads everything the plan needs (read-only). */
  observe(config: C, ports: AwsPorts): Promise<O>;
  /** Green's front's name, from green's stack names. */
  greenName(service: string, names: { color: 'blue' | 'green'; group: string }, deploymentId: string): string;
  facts(ctx: PlanBase<O, C>): FrontFacts;
  /** The step that makes green's front. */
  planCreateFront(ctx: PlanContext<O, C>): Planned;
  /** The steps that move traffic; the first is the pause point. */
  planTraffic(ctx: PlanContext<O, C>): Planned;
  /** Green's front from a step's params (and the journal); a DeploymentError when it cannot be known yet. */
  green(ports: AwsPorts, ctx: StepContext, p: JsonObject): GreenFront;
  /** Blue's front, as retire-blue's params name it. */
  blue(ports: AwsPorts): BlueFront<RetireBlueCommon>;
  /** What a drain watch that ran out leaves as it is, and what resume and rollback then do. */
  drainStopped(minutes: number): string;
  /** The handlers of the front's own steps, by kind without the strategy's prefix. */
  handlers(ports: AwsPorts, services: StrategyServices): StepRegistry;
}
