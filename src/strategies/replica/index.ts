/**
 * The core of the replica strategies: a replica of blue's group (launch, group, policies, alarms, the bake
 * of a release by commands), green's health and gates, the wait and the retire of blue; everything about
 * where traffic comes in is the front's (src/strategies/replica/fronts). A strategy is a front and this.
 */
import type { Strategy } from '../types.js';
import { liveStackOf } from '../common/observe.js';
import type { ReplicaFront } from './front.js';
import type { ReplicaConfig, ReplicaObserved } from './observe.js';
import { planReplica } from './plan/index.js';
import { replicaHandlers } from './steps/index.js';

export function replicaStrategy<O extends ReplicaObserved, C extends ReplicaConfig>(front: ReplicaFront<O, C>): Strategy<O> {
  return {
    name: front.strategy,
    observe: (config, ports) => front.observe(front.config(config), ports),
    plan: (config, observed, deploymentId) => planReplica(front, config, observed, deploymentId),
    liveStack: (o) => liveStackOf(o.blue.group, o.blue.launch, o.blue.lifecycleHooks),
    handlers: (ports, services) => replicaHandlers(front, ports, services),
  };
}

/** The step ids the core plans, the same in both strategies. A traffic step's id is trafficStepId(percent). */
export { REPLICA_STEP } from './step-ids.js';
export { trafficStepId, SHIFT_TRAFFIC } from './plan/context.js';
