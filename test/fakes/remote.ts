/**
 * An in-memory RemoteRunner for step tests: records every probe and every command run (host, command,
 * env) in order, answers with a configurable exit code per host and command, and can make hosts
 * unreachable. Like the real runners, a non-zero exit stops every further command (hosts run one after
 * the other here) and throws RemoteCommandError; an unreachable host throws RemoteConnectError.
 */
import { RemoteCommandError, RemoteConnectError } from '../../src/errors.js';
import type { CommandOutcome, ProbeOptions, RemoteHost, RemoteRunner, RunCommandsOptions } from '../../src/remote/types.js';

export interface FakeRun {
  host: RemoteHost;
  command: string;
  index: number;
  env: Record<string, string>;
}

export class FakeRemote implements RemoteRunner {
  /** Every command started, in order. */
  readonly runs: FakeRun[] = [];
  /** Every probe, with its hosts and options. */
  readonly probes: { hosts: RemoteHost[]; options: ProbeOptions }[] = [];
  closed = 0;
  /** Called before each command: lets a test crash or check the journal mid-run. */
  beforeCommand?: (run: FakeRun) => void;

  private readonly exits: { host: string; command?: string; code: number; stderr: string[] }[] = [];
  private readonly unreachable = new Set<string>();

  /** Commands on `host` (instance id or address), or only `command` there, exit `code`. */
  failOn(host: string, options: { command?: string; code?: number; stderr?: string[] } = {}): void {
    this.exits.push({
      host,
      ...(options.command !== undefined ? { command: options.command } : {}),
      code: options.code ?? 1,
      stderr: options.stderr ?? [],
    });
  }

  /** `host` (instance id or address) never answers. */
  setUnreachable(host: string, unreachable = true): void {
    if (unreachable) this.unreachable.add(host);
    else this.unreachable.delete(host);
  }

  /** The commands run on one instance, in order. */
  commandsOn(instanceId: string): string[] {
    return this.runs.filter((r) => r.host.instanceId === instanceId).map((r) => r.command);
  }

  private isUnreachable(host: RemoteHost): boolean {
    return this.unreachable.has(host.instanceId) || this.unreachable.has(host.address);
  }

  private exitOf(host: RemoteHost, command: string) {
    return this.exits.find((e) => (e.host === host.instanceId || e.host === host.address) && (e.command === undefined || e.command === command));
  }

  async probe(hosts: RemoteHost[], options: ProbeOptions): Promise<void> {
    this.probes.push({ hosts: hosts.map((h) => ({ ...h })), options: { ...options } });
    let ready = 0;
    for (const host of hosts) {
      options.signal?.throwIfAborted();
      if (this.isUnreachable(host))
        throw new RemoteConnectError(host.address, 'timed out', `${options.attempts} attempts of ${options.connectTimeoutSeconds}s`);
      options.onProgress?.(++ready, hosts.length);
    }
  }

  async run(hosts: RemoteHost[], options: RunCommandsOptions): Promise<CommandOutcome[]> {
    const outcomes: CommandOutcome[] = [];
    for (const host of hosts) {
      if (this.isUnreachable(host)) throw new RemoteConnectError(host.address, 'timed out', 'connection lost');
      for (const [index, command] of options.commands.entries()) {
        options.signal?.throwIfAborted();
        const run: FakeRun = { host: { ...host }, command, index, env: { ...options.env, BLUEGREEN_INSTANCE_ID: host.instanceId } };
        this.runs.push(run);
        this.beforeCommand?.(run);
        await Promise.resolve();
        const exit = this.exitOf(host, command);
        options.onLine?.(host, 'stdout', `ran command ${index + 1}`);
        for (const line of exit?.stderr ?? []) options.onLine?.(host, 'stderr', line);
        const outcome: CommandOutcome = {
          instanceId: host.instanceId,
          address: host.address,
          index,
          command,
          exitCode: exit?.code ?? 0,
          durationMs: 5,
          stderrTail: exit?.stderr ?? [],
        };
        outcomes.push(outcome);
        options.onOutcome?.(outcome);
        if (outcome.exitCode !== 0)
          throw new RemoteCommandError(`${host.instanceId} (${host.address})`, command, outcome.exitCode, outcome.stderrTail);
      }
    }
    return outcomes;
  }

  async close(): Promise<void> {
    this.closed++;
  }
}
