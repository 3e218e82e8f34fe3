/** replica-listener: a replica group in a copy of blue's target group, switched (at once or in weighted steps) by an ALB/NLB listener. */
import type { AwsPorts } from '../../aws/ports.js';
import type { HttpGet } from '../common/http.js';
import { listenerTargetGroupFront, type Observed } from '../replica/fronts/listener-target-group/index.js';
import { LISTENER_STEP } from '../replica/fronts/listener-target-group/plan.js';
import { replicaStrategy, REPLICA_STEP } from '../replica/index.js';
import { replicaHandlers } from '../replica/steps/index.js';
import type { StrategyServices } from '../types.js';

export const replicaListener = replicaStrategy(listenerTargetGroupFront);

/** Step ids: the stable keys of the journal and the events. A traffic step's id is trafficStepId(percent). */
export const STEP = { ...REPLICA_STEP, ...LISTENER_STEP } as const;

/** The handlers, with `http` the GET of the HTTP gates (tests pass a fake). */
export const handlers = (ports: AwsPorts, services: StrategyServices, http?: HttpGet) =>
  replicaHandlers(listenerTargetGroupFront, ports, services, http);

export type { Observed };
export { trafficStepId } from '../replica/index.js';
