/** What every strategy provides: a read-only observation, a pure planner, and the handlers of its steps. */
import type { AwsPorts } from '../aws/ports.js';
import type { Config } from '../config/schema.js';
import type { JsonObject, StepDescriptor, StepRegistry } from '../engine/types.js';
import type { RemoteRunner } from '../remote/types.js';

/** What handlers may use besides AWS: the remote-command runners, made on demand. */
export interface StrategyServices {
  /** The runner for `release.via` (ssh: the system OpenSSH client with the config's ssh settings; ssm: SSM Run Command). */
  remote(via: 'ssh' | 'ssm'): RemoteRunner;
}

export interface Plan {
  deploymentId: string;
  steps: StepDescriptor[];
  /** Facts for people and `status`: colors, group names, image, record. JSON. */
  summary: JsonObject;
  /** Things a person should know before saying yes (e.g. "retire.action delete: rollback will not be possible after retire"). */
  warnings: string[];
}

export interface Strategy<Observed = unknown> {
  name: string;
  /**
   * Reads AWS with read-only calls only. Throws InputError naming anything the config names that
   * does not exist (group, zone, record, image) or any state that makes a deployment impossible.
   */
  observe(config: Config, ports: AwsPorts): Promise<Observed>;
  /** Pure: config plus observed state in, ordered steps out. Unit-tested without AWS. */
  plan(config: Config, observed: Observed, deploymentId: string): Plan;
  /** The handlers for this strategy's step kinds, bound to the ports. */
  handlers(ports: AwsPorts, services: StrategyServices): StepRegistry;
}
