/**
 * The front of replica-dns: blue's classic load balancer behind a Route 53 alias record. Green gets a
 * classic load balancer like blue's; the record then points at it (switch-dns), or moves by weighted
 * alias records in traffic.steps.
 */
import type { ReplicaDnsConfig } from '../../../../config/schema.js';
import type { ReplicaFront } from '../../front.js';
import { SHIFT_TRAFFIC } from '../../plan/context.js';
import { stackNames } from './names.js';
import { observe, replicaDnsConfig, STRATEGY, type Observed } from './observe.js';
import { DNS_STEP, dnsFacts, planCreateLoadBalancer, planTraffic } from './plan.js';
import { blueLoadBalancer, createLoadBalancer, greenLoadBalancer, switchDns } from './steps.js';
import { shiftTraffic } from './traffic.js';

export const dnsClassicElbFront: ReplicaFront<Observed, ReplicaDnsConfig> = {
  strategy: STRATEGY,
  steps: { createFront: DNS_STEP.createLoadBalancer, ...DNS_STEP },
  config: replicaDnsConfig,
  observe,
  greenName: (service, names, deploymentId) => stackNames(service, names.color, deploymentId).loadBalancer,
  facts: dnsFacts,
  planCreateFront: planCreateLoadBalancer,
  planTraffic,
  green: (ports, _ctx, p) => greenLoadBalancer(ports, p),
  blue: blueLoadBalancer,
  drainStopped: (minutes) =>
    `blue is untouched and the record stays on green. A resume watches for up to ${minutes} minutes more; a rollback points the record back at blue`,
  handlers: (ports) => ({
    [DNS_STEP.createLoadBalancer]: createLoadBalancer(ports),
    [DNS_STEP.switchDns]: switchDns(ports),
    [SHIFT_TRAFFIC]: shiftTraffic(ports),
  }),
};

export type { Observed } from './observe.js';
