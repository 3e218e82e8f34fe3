/**
 * The remote-command runner (the seed's Fabric part): runs the release's commands on instances, over
 * SSH (src/remote/ssh.ts, the system OpenSSH client) or SSM Run Command (src/remote/ssm.ts).
 * Strategies depend on this interface only.
 */

/** An instance to run commands on. */
export interface RemoteHost {
  instanceId: string;
  /** The address to connect to (private IP, public IP or DNS name, as `ssh.address` says). SSM ignores it. */
  address: string;
}

/** What one command did on one host. Recorded in the journal: never holds output beyond stderr's tail. */
export interface CommandOutcome {
  instanceId: string;
  address: string;
  /** Index of the command in the release's list. */
  index: number;
  command: string;
  exitCode: number;
  durationMs: number;
  /** The last lines of stderr (at most 20), for the failure message. */
  stderrTail: string[];
}

export interface RunCommandsOptions {
  commands: string[];
  /**
   * Variables set in each remote command's environment, in the command itself (sshd usually refuses
   * SendEnv). BLUEGREEN_INSTANCE_ID is added per host by the runner.
   */
  env: Record<string, string>;
  /** Hosts at once (commands run in order on each host). */
  parallel: number;
  /** Output as it comes, line by line. */
  onLine?: (host: RemoteHost, stream: 'stdout' | 'stderr', line: string) => void;
  /** After each command on each host. */
  onOutcome?: (outcome: CommandOutcome) => void;
  signal?: AbortSignal;
}

export interface ProbeOptions {
  /** Per attempt. */
  connectTimeoutSeconds: number;
  attempts: number;
  parallel: number;
  signal?: AbortSignal;
  onProgress?: (ready: number, total: number) => void;
}

export interface RemoteRunner {
  /**
   * Waits until every host answers (ssh: a no-op command succeeds; ssm: the instance is Online),
   * within attempts x connectTimeout each. Throws RemoteConnectError naming the host and the cause.
   */
  probe(hosts: RemoteHost[], options: ProbeOptions): Promise<void>;
  /**
   * Runs the commands on every host, in order per host, `parallel` hosts at once. Returns every outcome.
   * A non-zero exit on any host: no further command starts anywhere, the running ones finish, then it
   * throws RemoteCommandError naming host, command, exit code and stderr's last lines.
   */
  run(hosts: RemoteHost[], options: RunCommandsOptions): Promise<CommandOutcome[]>;
  /** Closes reused connections (ControlMaster). */
  close(): Promise<void>;
}

/** Quotes a string for a POSIX shell: one word, whatever it holds. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
