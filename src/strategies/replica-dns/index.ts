/** replica-dns: the seed's approach 2. A replica group and classic load balancer, switched by a Route 53 alias record. */
import type { AwsPorts } from '../../aws/ports.js';
import type { HttpGet } from '../common/http.js';
import { replicaHandlers } from '../replica/steps/index.js';
import type { StrategyServices } from '../types.js';
import { replicaStrategy, REPLICA_STEP } from '../replica/index.js';
import { dnsClassicElbFront, type Observed } from '../replica/fronts/dns-classic-elb/index.js';
import { DNS_STEP } from '../replica/fronts/dns-classic-elb/plan.js';

export const replicaDns = replicaStrategy(dnsClassicElbFront);

/** Step ids: the stable keys of the journal and the events. A traffic step's id is trafficStepId(percent). */
export const STEP = { ...REPLICA_STEP, ...DNS_STEP } as const;

export type { Observed };
export { trafficStepId } from '../replica/index.js';

/** The handlers, with `http` the GET of the HTTP gates (tests pass a fake). */
export const handlers = (ports: AwsPorts, services: StrategyServices, http?: HttpGet) => replicaHandlers(dnsClassicElbFront, ports, services, http);
