/**
 * swap-instances: the seed's approach 1. New instances are launched beside the group's, prepared (release
 * commands and a baked image, or a ready image), attached to the group and its load balancers behind a
 * health gate; after retire.after the old ones are deregistered, drained and terminated with decrement.
 */
import type { Strategy } from '../types.js';
import { observe, type Observed } from './observe.js';
import { plan } from './plan.js';
import { STRATEGY } from './params.js';
import { handlers } from './steps.js';
import { liveStackOf } from '../common/observe.js';

export const swapInstances: Strategy<Observed> = {
  name: STRATEGY,
  observe,
  plan,
  liveStack: (o) => liveStackOf(o.group, o.launch),
  handlers,
};

export type { Observed } from './observe.js';
export { STEP } from './params.js';
