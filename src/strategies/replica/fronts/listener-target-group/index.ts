/**
 * The front of replica-listener: blue's target group behind an ALB/NLB listener (its default action and
 * the rules that forward to blue). Green gets a target group like blue's; the listener and the rules then
 * forward to it, at once (switch-listener) or in weighted traffic.steps.
 */
import type { ReplicaListenerConfig } from '../../../../config/schema.js';
import type { ReplicaFront } from '../../front.js';
import { SHIFT_TRAFFIC } from '../../plan/context.js';
import { targetGroupName } from './names.js';
import { observe, replicaListenerConfig, STRATEGY, type Observed } from './observe.js';
import { LISTENER_STEP, listenerFacts, planCreateTargetGroup, planTraffic } from './plan.js';
import { blueTargetGroup, createTargetGroup, greenTargetGroup, shiftTraffic } from './steps.js';

export const listenerTargetGroupFront: ReplicaFront<Observed, ReplicaListenerConfig> = {
  strategy: STRATEGY,
  steps: { createFront: LISTENER_STEP.createTargetGroup, ...LISTENER_STEP },
  config: replicaListenerConfig,
  observe,
  greenName: (service, names, deploymentId) => targetGroupName(service, names.color, deploymentId),
  facts: listenerFacts,
  planCreateFront: planCreateTargetGroup,
  planTraffic,
  green: greenTargetGroup,
  blue: blueTargetGroup,
  drainStopped: (minutes) =>
    `blue is untouched and the listener stays on green. A resume watches for up to ${minutes} minutes more; a rollback forwards the listener back to blue`,
  handlers: (ports) => ({
    [LISTENER_STEP.createTargetGroup]: createTargetGroup(ports),
    [LISTENER_STEP.switchListener]: shiftTraffic(ports),
    [SHIFT_TRAFFIC]: shiftTraffic(ports),
  }),
};

export type { Observed } from './observe.js';
