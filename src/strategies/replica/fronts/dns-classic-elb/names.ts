/** Names of replica-dns: green's classic load balancer is named like its group (`<service>-<color>-<id>`). */
import { replicaNames, type ReplicaNames } from '../../names.js';
import type { Color } from '../../../common/names.js';

export interface StackNames extends ReplicaNames {
  loadBalancer: string;
}

export function stackNames(service: string, color: Color, deploymentId: string): StackNames {
  const names = replicaNames(service, color, deploymentId);
  return { ...names, loadBalancer: names.group };
}
