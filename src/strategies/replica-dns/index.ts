/** replica-dns: the seed's approach 2. A replica group and classic load balancer, switched by a Route 53 alias record. */
import type { Strategy } from '../types.js';
import { observe, type Observed } from './observe.js';
import { plan, STRATEGY } from './plan.js';
import { handlers } from './steps.js';
import { liveStackOf } from '../common/observe.js';

export const replicaDns: Strategy<Observed> = {
  name: STRATEGY,
  observe,
  plan,
  liveStack: (o) => liveStackOf(o.blue.group, o.blue.launch, o.blue.lifecycleHooks),
  handlers,
};

export type { Observed } from './observe.js';
export { STEP } from './plan.js';
