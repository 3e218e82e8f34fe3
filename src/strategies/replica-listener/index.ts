/** replica-listener: a replica group in a copy of blue's target group, switched (at once or in weighted steps) by an ALB/NLB listener. */
import type { Strategy } from '../types.js';
import { observe, type Observed } from './observe.js';
import { plan, STRATEGY } from './plan.js';
import { handlers } from './steps.js';
import { liveStackOf } from '../common/observe.js';

export const replicaListener: Strategy<Observed> = {
  name: STRATEGY,
  observe,
  plan,
  liveStack: (o) => liveStackOf(o.blue.group, o.blue.launch, o.blue.lifecycleHooks),
  handlers,
};

export type { Observed } from './observe.js';
export { STEP, trafficStepId } from './plan.js';
