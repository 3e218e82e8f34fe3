/**
 * The handlers of a replica strategy: the core's steps and the front's, each under `<strategy>/<id>`, bound
 * to the AWS ports.
 *
 * Rules every handler keeps:
 *  - idempotent: a re-run (what the step is about to make already journaled) looks the resource up by its
 *    deterministic name and adopts it when an earlier attempt made it; a first attempt creates at once and
 *    takes a name taken for a re-run's finding (common/adopt.ts);
 *  - journal first: ctx.record() what is about to be made or changed before the mutating call;
 *  - undo works after a partial apply, with resources already gone, and twice;
 *  - no secrets (UserData...) in outputs.
 */
import type { AwsPorts } from '../../../aws/ports.js';
import type { JsonObject, StepContext, StepHandler, StepRegistry } from '../../../engine/types.js';
import { bakeImage, launchInstances, runCommands, terminateInstances, waitReachable, waitRunning } from '../../common/instance-steps.js';
import { httpGet, type HttpGet } from '../../common/http.js';
import type { StrategyServices } from '../../types.js';
import { BAKE_STEP } from '../bake-plan.js';
import { REPLICA_STEP } from '../step-ids.js';
import type { GreenFront, ReplicaFront } from '../front.js';
import type { ReplicaConfig, ReplicaObserved } from '../observe.js';
import { withCapacity } from './capacity.js';
import { copyAlarms, copyScalingPolicies, createGroup, createLaunch } from './build.js';
import { checkHttp, waitHealthy } from './health.js';
import { retireBlue, waitRetire } from './retire.js';
import { settleGreen } from './settle.js';

/** `http`: the GET of the HTTP gates (tests pass a fake; the default is the real one). */
export function replicaHandlers<O extends ReplicaObserved, C extends ReplicaConfig>(
  front: ReplicaFront<O, C>,
  ports: AwsPorts,
  services: StrategyServices,
  http: HttpGet = httpGet,
): StepRegistry {
  const own: StepRegistry = {
    // Release by commands: the builder's steps, shared with swap-instances.
    [BAKE_STEP.launchBuilder]: launchInstances(ports),
    [BAKE_STEP.waitRunning]: waitRunning(ports, BAKE_STEP.launchBuilder),
    [BAKE_STEP.waitReachable]: waitReachable(ports, services, BAKE_STEP.launchBuilder),
    [BAKE_STEP.runCommands]: runCommands(ports, services, BAKE_STEP.launchBuilder),
    [BAKE_STEP.bakeImage]: bakeImage(ports, BAKE_STEP.launchBuilder),
    [BAKE_STEP.terminateBuilder]: terminateInstances(ports, BAKE_STEP.launchBuilder),
    [REPLICA_STEP.createLaunch]: createLaunch(ports, BAKE_STEP.bakeImage),
    // Green's group in green's front; blue's front made green's in the copies' dimensions.
    [REPLICA_STEP.createGroup]: withGreen(createGroup(ports), front, ports, (green, p) => ({ ...p, input: green.groupInput(p.input) })),
    [REPLICA_STEP.copyScalingPolicies]: withGreen(copyScalingPolicies(ports), front, ports, (green, p) => ({
      ...p,
      policies: green.rewrite(p.policies),
    })),
    [REPLICA_STEP.copyAlarms]: withGreen(copyAlarms(ports, REPLICA_STEP.copyScalingPolicies), front, ports, (green, p) => ({
      ...p,
      alarms: green.rewrite(p.alarms),
    })),
    [REPLICA_STEP.waitHealthy]: waitHealthy(ports, front),
    [REPLICA_STEP.checkHttp]: checkHttp(ports, http, front),
    [REPLICA_STEP.settleGreen]: settleGreen(ports),
    [REPLICA_STEP.waitRetire]: waitRetire(ports, (minutes) => front.drainStopped(minutes)),
    [REPLICA_STEP.retireBlue]: retireBlue(ports, front.blue(ports)),
    // Every traffic step checks capacity first (and the first holds blue): those whose params carry `capacity`.
    ...Object.fromEntries(Object.entries(front.handlers(ports, services)).map(([id, h]) => [id, withCapacity(h, front, ports)])),
  };
  return Object.fromEntries(Object.entries(own).map(([id, handler]) => [`${front.strategy}/${id}`, handler]));
}

/** A handler whose params get green's front (known from the journal) before it applies; its undo as it is. */
function withGreen<P extends JsonObject>(
  inner: StepHandler<P>,
  front: Pick<ReplicaFront, 'green'>,
  ports: AwsPorts,
  adapt: (green: GreenFront, p: P) => P,
): StepHandler<P> {
  return {
    apply: (ctx: StepContext, p: P) => inner.apply(ctx, adapt(front.green(ports, ctx, p), p)),
    undo: (ctx: StepContext, p: P) => inner.undo(ctx, p),
  };
}
