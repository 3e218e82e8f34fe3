/**
 * The remote-command runners a deployment may use, made on first use and closed when the operation
 * ends (SSH master connections).
 */
import type { AwsPorts } from '../aws/ports.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../engine/clock.js';
import { SshRunner } from '../remote/ssh.js';
import { SsmRunner } from '../remote/ssm.js';
import type { RemoteRunner } from '../remote/types.js';
import type { StrategyServices } from '../strategies/types.js';

export class Services implements StrategyServices {
  private readonly runners = new Map<'ssh' | 'ssm', RemoteRunner>();
  constructor(
    private readonly config: Config,
    private readonly ports: AwsPorts,
    private readonly clock: Clock,
  ) {}

  remote(via: 'ssh' | 'ssm'): RemoteRunner {
    let runner = this.runners.get(via);
    if (!runner) {
      const { ssh } = this.config;
      runner =
        via === 'ssh'
          ? new SshRunner({
              ...(ssh.user ? { user: ssh.user } : {}),
              ...(ssh.configFile ? { configFile: ssh.configFile } : {}),
              connectTimeoutSeconds: ssh.connectTimeoutSeconds,
              connectionAttempts: ssh.connectionAttempts,
              hostKeys: ssh.hostKeys,
            })
          : new SsmRunner(this.ports.ssm, this.clock);
      this.runners.set(via, runner);
    }
    return runner;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.runners.values()].map((r) => r.close()));
    this.runners.clear();
  }
}

/** Runs `body` with the services of one operation, closing what it opened. */
export async function withServices<T>(config: Config, ports: AwsPorts, clock: Clock, body: (services: Services) => Promise<T>): Promise<T> {
  const services = new Services(config, ports, clock);
  try {
    return await body(services);
  } finally {
    await services.close();
  }
}
