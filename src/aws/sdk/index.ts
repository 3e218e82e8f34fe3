/**
 * The production AwsPorts: AWS SDK v3 adapters, one per port. Building them loads no SDK package;
 * each service's package is imported on the first call that needs it (see clients.ts).
 */
import type { AwsPorts } from '../ports.js';
import { AwsClients, type CallObserver } from './clients.js';
import { SdkGroups } from './groups.js';
import { SdkLaunch } from './launch.js';
import { SdkImages } from './images.js';
import { SdkClassicLoadBalancers } from './classic-elb.js';
import { SdkDns } from './route53.js';
import { SdkAlarms } from './cloudwatch.js';
import { SdkInstances } from './instances.js';
import { SdkTargetGroups } from './target-groups.js';
import { SdkListeners } from './listeners.js';
import { SdkSsm } from './ssm.js';
import { SdkInventory } from './inventory.js';
import { SdkTagging } from './tagging.js';

export interface AwsPortsOptions {
  /** The region; else the SDK's standard resolution (AWS_REGION, the profile, IMDS). */
  region?: string;
  /** Told of every AWS command sent, e.g. ("autoscaling", "DescribeAutoScalingGroups"). */
  onCall?: CallObserver;
}

export function createAwsPorts(options: AwsPortsOptions = {}): AwsPorts {
  const clients = new AwsClients(options);
  return {
    groups: new SdkGroups(clients),
    launch: new SdkLaunch(clients),
    images: new SdkImages(clients),
    instances: new SdkInstances(clients),
    classicLoadBalancers: new SdkClassicLoadBalancers(clients),
    targetGroups: new SdkTargetGroups(clients),
    listeners: new SdkListeners(clients),
    dns: new SdkDns(clients),
    alarms: new SdkAlarms(clients),
    ssm: new SdkSsm(clients),
    inventory: new SdkInventory(clients),
    tagging: new SdkTagging(clients),
  };
}

export { AwsClients, type CallObserver, type ClientOptions } from './clients.js';
