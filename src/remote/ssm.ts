/**
 * RemoteRunner over SSM Run Command: no SSH keys, no open port; the instances need the SSM agent and an
 * instance profile that lets it register (AmazonSSMManagedInstanceCore).
 *
 *  - probe: polls DescribeInstanceInformation until every instance's agent is Online, for at most
 *    attempts x connectTimeoutSeconds, on the given clock.
 *  - run: for each command in order, one SendCommand (AWS-RunShellScript) per batch of up to `parallel`
 *    instances (at most 50, SSM's limit); SSM runs it on the batch at once. Each instance's invocation is
 *    polled until it ends. A failure anywhere: the batch's other invocations are awaited, no further batch or
 *    command starts, and RemoteCommandError names the first failed instance.
 *
 * The environment goes into the script text (`export NAME='value'`). BLUEGREEN_INSTANCE_ID differs per
 * instance while one SendCommand covers many, so the script sets it on the instance itself: from
 * AWS_SSM_INSTANCE_ID, which the SSM agent sets for every command it runs, else from the instance metadata
 * (IMDSv2). One command per batch instead of one per instance keeps the calls (and SSM's rate limits) low
 * and lets SSM start the batch at once.
 */
import type { SsmPort } from '../aws/ports.js';
import type { Clock } from '../engine/clock.js';
import { waitUntil, WaitTimeoutError } from '../engine/wait.js';
import { InputError, RemoteCommandError, RemoteConnectError } from '../errors.js';
import { shellQuote, type CommandOutcome, type ProbeOptions, type RemoteHost, type RemoteRunner, type RunCommandsOptions } from './types.js';

/** SendCommand takes at most 50 instance ids. */
export const SSM_MAX_INSTANCES_PER_COMMAND = 50;

/** Invocation statuses after which nothing changes. */
export const TERMINAL_STATUSES: readonly string[] = ['Success', 'Failed', 'Cancelled', 'TimedOut'];

/** Lines of stderr kept for the outcome and the error. */
export const STDERR_TAIL_LINES = 20;

export interface SsmRunnerOptions {
  /** How long one command may run on an instance (the document's executionTimeout). Default 3600. */
  commandTimeoutSeconds?: number;
  /** Seconds between polls of the invocations of a batch. Default 3. */
  pollIntervalSeconds?: number;
  /** Longest pause between polls of the agents' status while probing. Default 5. */
  probeIntervalSeconds?: number;
}

/** Extra seconds, beyond the command's own timeout, that SSM gets to report an invocation's end. */
const REPORT_SLACK_SECONDS = 120;

interface Invocation {
  status: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}

export class SsmRunner implements RemoteRunner {
  private readonly commandTimeoutSeconds: number;
  private readonly pollIntervalSeconds: number;
  private readonly probeIntervalSeconds: number;

  constructor(
    private readonly ssm: SsmPort,
    private readonly clock: Clock,
    options: SsmRunnerOptions = {},
  ) {
    this.commandTimeoutSeconds = options.commandTimeoutSeconds ?? 3600;
    this.pollIntervalSeconds = options.pollIntervalSeconds ?? 3;
    this.probeIntervalSeconds = options.probeIntervalSeconds ?? 5;
  }

  async probe(hosts: RemoteHost[], options: ProbeOptions): Promise<void> {
    const ids = [...new Set(hosts.map((h) => h.instanceId))];
    if (ids.length === 0) return;
    const timeoutSeconds = Math.max(1, options.attempts) * options.connectTimeoutSeconds;
    let seen: Record<string, string> = {};
    try {
      await waitUntil(
        this.context(options.signal),
        {
          what: `the SSM agents of ${ids.length} instance${ids.length === 1 ? '' : 's'} to be Online`,
          timeoutSeconds,
          intervalSeconds: Math.max(0.001, Math.min(this.probeIntervalSeconds, options.connectTimeoutSeconds)),
        },
        async () => {
          seen = await this.ssm.pingStatus(ids);
          const ready = ids.filter((id) => seen[id] === 'Online').length;
          options.onProgress?.(ready, ids.length);
          return {
            done: ready === ids.length,
            message: `${ready} of ${ids.length} SSM agents Online`,
            counts: { done: ready, total: ids.length },
          };
        },
      );
    } catch (error) {
      if (!(error instanceof WaitTimeoutError) || options.signal?.aborted) throw error;
      const offline = ids.filter((id) => seen[id] !== 'Online');
      const first = offline[0] as string;
      const status = seen[first];
      const why = status
        ? `PingStatus ${status}`
        : 'not a managed instance: no agent registered (does its instance profile allow AmazonSSMManagedInstanceCore?)';
      const others =
        offline.length > 1 ? `; ${offline.length - 1} more not Online: ${offline.slice(1, 4).join(', ')}${offline.length > 4 ? ', ...' : ''}` : '';
      throw new RemoteConnectError(first, 'unreachable', `SSM agent not online after ${timeoutSeconds} s: ${why}${others}`);
    }
  }

  async run(hosts: RemoteHost[], options: RunCommandsOptions): Promise<CommandOutcome[]> {
    checkEnv(options.env);
    const outcomes: CommandOutcome[] = [];
    if (hosts.length === 0) return outcomes;
    const size = Math.min(SSM_MAX_INSTANCES_PER_COMMAND, Math.max(1, Math.floor(options.parallel)));
    const batches: RemoteHost[][] = [];
    for (let i = 0; i < hosts.length; i += size) batches.push(hosts.slice(i, i + size));

    for (const [index, command] of options.commands.entries()) {
      for (const batch of batches) {
        options.signal?.throwIfAborted();
        const results = await this.runBatch(batch, index, command, options);
        outcomes.push(...results);
        const failed = results.find((o) => o.exitCode !== 0);
        if (failed) throw new RemoteCommandError(failed.instanceId, command, failed.exitCode, failed.stderrTail);
      }
    }
    return outcomes;
  }

  async close(): Promise<void> {
    // Nothing held open: every call is a stateless API request.
  }

  /** One SendCommand for the batch, then its invocations polled until each has ended. */
  private async runBatch(batch: RemoteHost[], index: number, command: string, options: RunCommandsOptions): Promise<CommandOutcome[]> {
    const ids = batch.map((h) => h.instanceId);
    const total = options.commands.length;
    const started = this.clock.now();
    const commandId = await this.ssm.sendShellCommand(
      ids,
      ssmScript(command, options.env),
      `bluegreen: command ${index + 1}/${total}: ${command}`,
      this.commandTimeoutSeconds,
    );
    const ended = new Map<string, Invocation & { at: number }>();
    await waitUntil(
      this.context(options.signal),
      {
        what: `command ${JSON.stringify(command)} (SSM command ${commandId}) to end on ${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', ...' : ''}`,
        timeoutSeconds: this.commandTimeoutSeconds + REPORT_SLACK_SECONDS,
        intervalSeconds: this.pollIntervalSeconds,
      },
      async () => {
        const statuses: string[] = [];
        for (const id of ids) {
          if (ended.has(id)) continue;
          const invocation = await this.ssm.invocation(commandId, id);
          if (invocation && TERMINAL_STATUSES.includes(invocation.status)) ended.set(id, { ...invocation, at: this.clock.now() });
          else statuses.push(`${id} ${invocation?.status ?? 'not yet known'}`);
        }
        return {
          done: ended.size === ids.length,
          message: `${ended.size} of ${ids.length} instances ended command ${index + 1}/${total}${statuses.length ? ` (${statuses.slice(0, 3).join(', ')})` : ''}`,
          counts: { done: ended.size, total: ids.length },
        };
      },
    );

    return batch.map((host) => {
      const result = ended.get(host.instanceId) as Invocation & { at: number };
      for (const [stream, text] of [
        ['stdout', result.stdout],
        ['stderr', result.stderr],
      ] as const) {
        for (const line of lines(text)) options.onLine?.(host, stream, line);
      }
      const tail = lines(result.stderr).slice(-STDERR_TAIL_LINES);
      // TimedOut or Cancelled: the script's stderr does not say why it stopped, so say it.
      if (result.status !== 'Success' && result.status !== 'Failed') tail.push(`[ssm] command ${commandId} ended ${result.status}`);
      const outcome: CommandOutcome = {
        instanceId: host.instanceId,
        address: host.address,
        index,
        command,
        // A run that did not succeed never reports 0 (SSM says -1 for TimedOut or Cancelled).
        exitCode: result.status === 'Success' ? result.exitCode : result.exitCode === 0 ? -1 : result.exitCode,
        durationMs: result.at - started,
        stderrTail: tail.slice(-STDERR_TAIL_LINES),
      };
      options.onOutcome?.(outcome);
      return outcome;
    });
  }

  private context(signal: AbortSignal | undefined) {
    return { clock: this.clock, signal: signal ?? new AbortController().signal, progress: () => {} };
  }
}

/**
 * The lines of AWS-RunShellScript for one command: the environment exported, BLUEGREEN_INSTANCE_ID found
 * on the instance, then the command run by a fresh `sh -c` (exec: its exit code is the script's).
 */
export function ssmScript(command: string, env: Record<string, string>): string[] {
  return [
    ...Object.entries(env)
      .filter(([name]) => name !== 'BLUEGREEN_INSTANCE_ID')
      .map(([name, value]) => `export ${name}=${shellQuote(value)}`),
    'BLUEGREEN_INSTANCE_ID="${AWS_SSM_INSTANCE_ID:-}"',
    'if [ -z "$BLUEGREEN_INSTANCE_ID" ]; then',
    '  bluegreen_imds_token=$(curl -sf -m 2 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" http://169.254.169.254/latest/api/token) &&',
    '    BLUEGREEN_INSTANCE_ID=$(curl -sf -m 2 -H "X-aws-ec2-metadata-token: $bluegreen_imds_token" http://169.254.169.254/latest/meta-data/instance-id)',
    'fi',
    'export BLUEGREEN_INSTANCE_ID',
    `exec /bin/sh -c ${shellQuote(command)}`,
  ];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkEnv(env: Record<string, string>): void {
  const bad = Object.keys(env).filter((name) => !ENV_NAME.test(name));
  if (bad.length > 0) {
    throw new InputError(`not a valid environment variable name for a remote command: ${bad.map((n) => JSON.stringify(n)).join(', ')}`);
  }
}

function lines(text: string): string[] {
  if (!text) return [];
  const out = text.split(/\r?\n/);
  if (out.at(-1) === '') out.pop();
  return out;
}
