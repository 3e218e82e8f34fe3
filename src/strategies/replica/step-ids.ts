/** The ids of the core's steps, the same in both replica strategies: the stable keys of the journal and the events. */
import { BAKE_STEP } from './bake-plan.js';

export const REPLICA_STEP = {
  // Only with release.commands: green's image, made before green.
  ...BAKE_STEP,
  // Always (the front's steps come between: create-load-balancer or create-target-group after create-launch,
  // the traffic steps after wait-healthy and check-http).
  createLaunch: 'create-launch',
  createGroup: 'create-group',
  copyScalingPolicies: 'copy-scaling-policies',
  copyAlarms: 'copy-alarms',
  waitHealthy: 'wait-healthy',
  // Only with gates.http.
  checkHttp: 'check-http',
  // Once green serves (after the last traffic step).
  settleGreen: 'settle-green',
  waitRetire: 'wait-retire',
  retireBlue: 'retire-blue',
} as const;
