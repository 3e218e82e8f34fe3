/**
 * RemoteRunner over SSH: spawns the system OpenSSH client, so everything in the user's ssh config works
 * (Include, Match, ProxyJump, agent, known_hosts, an SSM ProxyCommand).
 *
 * Connections are reused per host: the first use of a host starts one master connection
 * (`ssh -o ControlMaster=yes -o ControlPersist=no -N`) that stays a child of this process until close();
 * every command then runs as a multiplexed session over it (`-o ControlMaster=no -o ControlPath=...`), so a
 * host costs one TCP + key exchange + authentication, not one per command. The master is kept in the
 * foreground on purpose: `ControlPersist=<time>` daemonizes it, which leaves it (and later its zombie) to
 * PID 1, and some containers' PID 1 reaps nothing.
 *
 * Connecting: our own bounded loop, not ssh's. Each attempt is one ssh with ConnectionAttempts=1 and
 * ConnectTimeout=t; a failed attempt that may heal by itself (refused, timed out, no route, auth failed
 * while cloud-init writes the keys...) is retried when its t-second slot is over, up to `attempts` times,
 * so an unreachable host fails after about attempts x t. Host key problems are never retried.
 *
 * The pure parts (argv builders, the remote command string, the classification of ssh's errors) are
 * exported and tested with exact strings in test/unit/remote.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import pLimit from 'p-limit';
import { RemoteCommandError, RemoteConnectError } from '../errors.js';
import { shellQuote, type CommandOutcome, type ProbeOptions, type RemoteHost, type RemoteRunner, type RunCommandsOptions } from './types.js';

export interface SshRunnerOptions {
  /** Login user (`ssh -l`); unset: the ssh config's or the local user. */
  user?: string;
  /** An ssh config file (`ssh -F`, absolute path); unset: ~/.ssh/config and /etc/ssh/ssh_config. */
  configFile?: string;
  /** Per connection attempt. */
  connectTimeoutSeconds: number;
  connectionAttempts: number;
  /** strict: an unknown host key is an error; accept-new: an unknown key is recorded, a changed one is an error. */
  hostKeys: 'strict' | 'accept-new';
  /** The ssh client to spawn (default `ssh` on PATH). */
  sshBinary?: string;
}

export type ConnectFailureReason = RemoteConnectError['reason'];

/** Lines of stderr kept per command for the journal and the failure message. */
export const STDERR_TAIL_LINES = 20;
/** A longer line is cut (tail) or split (streaming), so one huge line cannot fill memory or the journal. */
const MAX_TAIL_LINE = 1000;
const MAX_STREAM_LINE = 64 * 1024;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Reasons that can heal while an instance boots; the others (host keys) are final at once. */
const RETRYABLE: ReadonlySet<ConnectFailureReason> = new Set(['refused', 'timed out', 'no route', 'auth failed', 'unreachable']);

// ---------------------------------------------------------------------------------------------------------
// Pure builders

/**
 * The one remote command string: `env NAME='value' ... sh -c -- '<command>'`. Every value and the command
 * are single words whatever they hold, for the remote login shell. The variables are set here rather
 * than with SendEnv, which sshd refuses unless AcceptEnv lists them. `--` keeps a command that starts
 * with `-` from being read as options of sh.
 */
export function remoteCommand(command: string, env: Readonly<Record<string, string>>): string {
  const assignments = Object.entries(env).map(([name, value]) => {
    if (!ENV_NAME.test(name)) throw new Error(`invalid environment variable name for a remote command: ${JSON.stringify(name)}`);
    return `${name}=${shellQuote(value)}`;
  });
  return [...(assignments.length ? ['env', ...assignments] : []), 'sh', '-c', '--', shellQuote(command)].join(' ');
}

/** The environment of the commands on one host: the caller's plus BLUEGREEN_INSTANCE_ID. */
export function hostEnv(env: Readonly<Record<string, string>>, host: RemoteHost): Record<string, string> {
  return { ...env, BLUEGREEN_INSTANCE_ID: host.instanceId };
}

export interface SshConnectionSettings {
  user?: string;
  configFile?: string;
  connectTimeoutSeconds: number;
  connectionAttempts: number;
  hostKeys: 'strict' | 'accept-new';
}

function controlPathOption(path: string): string {
  // ssh expands %-tokens in ControlPath and splits an option's value on whitespace.
  const escaped = path.replace(/%/g, '%%');
  return /\s/.test(escaped) ? `ControlPath="${escaped}"` : `ControlPath=${escaped}`;
}

/** Options shared by every ssh invocation for one host (the master, its sessions, `-O exit`). */
export function commonArgs(settings: SshConnectionSettings, controlPath: string): string[] {
  return [
    ...(settings.configFile ? ['-F', settings.configFile] : []),
    ...(settings.user ? ['-l', settings.user] : []),
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${settings.connectTimeoutSeconds}`,
    '-o',
    `ConnectionAttempts=${settings.connectionAttempts}`,
    '-o',
    `StrictHostKeyChecking=${settings.hostKeys === 'strict' ? 'yes' : 'accept-new'}`,
    '-o',
    controlPathOption(controlPath),
  ];
}

/** The master connection of one host: stays in the foreground, runs nothing, serves sessions until `-O exit`. */
export function masterArgs(settings: SshConnectionSettings, controlPath: string, address: string): string[] {
  return [...commonArgs(settings, controlPath), '-o', 'ControlMaster=yes', '-o', 'ControlPersist=no', '-N', '--', address];
}

/** One command as a session over the master (or, should the master be gone, over a connection of its own). */
export function sessionArgs(settings: SshConnectionSettings, controlPath: string, address: string, remote: string): string[] {
  return [...commonArgs(settings, controlPath), '-o', 'ControlMaster=no', '-T', '--', address, remote];
}

export function exitArgs(settings: SshConnectionSettings, controlPath: string, address: string): string[] {
  return [...commonArgs(settings, controlPath), '-O', 'exit', '--', address];
}

/** What made ssh itself fail (exit 255), from its stderr. */
export function classifySshFailure(stderr: string): { reason: ConnectFailureReason; detail: string } {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('@'));
  const find = (re: RegExp) => lines.find((l) => re.test(l));
  const rules: Array<[ConnectFailureReason, RegExp]> = [
    ['unknown host key', /No \S+ host key is known for/i],
    ['host key mismatch', /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed|Host key verification failed/i],
    ['auth failed', /Permission denied \(|Too many authentication failures|Authentication failed/i],
    ['refused', /Connection refused/i],
    ['timed out', /Connection timed out|Operation timed out|timed out during banner exchange/i],
    ['no route', /No route to host|Network is unreachable/i],
  ];
  for (const [reason, re] of rules) {
    // The banner of a changed key is all '@' lines; its reason is in the text, so look at the whole.
    if (re.test(stderr)) return { reason, detail: (find(re) ?? lines.at(-1) ?? '').slice(0, 300) };
  }
  return { reason: 'unreachable', detail: (lines.at(-1) ?? 'ssh exited 255').slice(0, 300) };
}

/**
 * Whether an exit status 255 came from ssh rather than from the remote command (which may exit 255 too):
 * ssh says so on stderr in words of its own.
 */
export function isSshOwnFailure(stderr: string): boolean {
  return /^(ssh: |Host key verification failed|kex_exchange_identification|Connection (closed|reset) by|Connection to \S+ closed by remote host|mux_client|Control socket|ControlSocket)|Permission denied \(|No \S+ host key is known for|REMOTE HOST IDENTIFICATION HAS CHANGED/m.test(
    stderr,
  );
}

// ---------------------------------------------------------------------------------------------------------
// Process helpers

/** Splits a stream into lines (LF or CRLF); a last line without a newline comes out at end(). */
class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  constructor(private readonly emit: (line: string) => void) {}
  push(chunk: Buffer): void {
    this.feed(this.decoder.write(chunk));
  }
  end(): void {
    this.feed(this.decoder.end());
    if (this.partial) this.emit(this.partial.replace(/\r$/, ''));
    this.partial = '';
  }
  private feed(text: string): void {
    if (!text) return;
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.emit(line.replace(/\r$/, ''));
    while (this.partial.length > MAX_STREAM_LINE) {
      this.emit(this.partial.slice(0, MAX_STREAM_LINE));
      this.partial = this.partial.slice(MAX_STREAM_LINE);
    }
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('close', () => resolve()));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** `i-0abc (10.0.1.15)`: the host as messages name it. */
export function hostLabel(host: RemoteHost): string {
  return host.address && host.address !== host.instanceId ? `${host.instanceId} (${host.address})` : host.instanceId;
}

interface Master {
  address: string;
  controlPath: string;
  child: ChildProcess;
}

interface Attempt {
  connectTimeoutSeconds: number;
  attempts: number;
  signal?: AbortSignal;
}

// ---------------------------------------------------------------------------------------------------------

export class SshRunner implements RemoteRunner {
  private dir: string | undefined;
  private counter = 0;
  /** One master per address, or the promise of one while it connects. */
  private readonly masters = new Map<string, Promise<Master>>();
  private readonly live = new Set<ChildProcess>();
  /** Should the process end without close(): no master outlives it, no socket dir is left behind. */
  private readonly onProcessExit = () => {
    for (const child of this.live) child.kill('SIGKILL');
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  };

  constructor(private readonly options: SshRunnerOptions) {}

  private get binary(): string {
    return this.options.sshBinary ?? 'ssh';
  }

  private settings(attempt: { connectTimeoutSeconds: number }): SshConnectionSettings {
    return {
      ...(this.options.user ? { user: this.options.user } : {}),
      ...(this.options.configFile ? { configFile: this.options.configFile } : {}),
      connectTimeoutSeconds: attempt.connectTimeoutSeconds,
      connectionAttempts: 1,
      hostKeys: this.options.hostKeys,
    };
  }

  private controlDir(): string {
    if (!this.dir) {
      // mkdtemp makes it 0700: only this user can reach the sockets.
      this.dir = mkdtempSync(join(tmpdir(), 'bluegreen-ssh-'));
      process.on('exit', this.onProcessExit);
    }
    return this.dir;
  }

  private spawnSsh(args: string[]): ChildProcess {
    const child = spawn(this.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.live.add(child);
    child.once('close', () => this.live.delete(child));
    return child;
  }

  async probe(hosts: RemoteHost[], options: ProbeOptions): Promise<void> {
    const limit = pLimit(Math.max(1, options.parallel));
    let ready = 0;
    options.onProgress?.(0, hosts.length);
    let firstError: unknown;
    await Promise.all(
      hosts.map((host) =>
        limit(async () => {
          if (firstError !== undefined || options.signal?.aborted) return;
          try {
            const master = await this.master(host, options);
            const result = await this.exec(host, master, 'true', {}, options.signal);
            if (result.exitCode !== 0) {
              const { reason, detail } = classifySshFailure(result.stderrTail.join('\n'));
              throw new RemoteConnectError(
                hostLabel(host),
                result.exitCode === 255 ? reason : 'unreachable',
                result.exitCode === 255 ? detail : `\`true\` exited ${result.exitCode}`,
              );
            }
          } catch (error) {
            firstError ??= error;
            return;
          }
          ready++;
          options.onProgress?.(ready, hosts.length);
        }),
      ),
    );
    options.signal?.throwIfAborted();
    // Rethrows the first host's error exactly as it was caught (an Error from the runner or ssh).
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (firstError !== undefined) throw firstError;
  }

  async run(hosts: RemoteHost[], options: RunCommandsOptions): Promise<CommandOutcome[]> {
    const limit = pLimit(Math.max(1, options.parallel));
    const outcomes: CommandOutcome[] = [];
    let firstError: unknown;
    const stop = (error: unknown) => {
      firstError ??= error;
    };
    const attempt = {
      connectTimeoutSeconds: this.options.connectTimeoutSeconds,
      attempts: this.options.connectionAttempts,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    await Promise.all(
      hosts.map((host) =>
        limit(async () => {
          if (firstError !== undefined || options.signal?.aborted) return;
          const env = hostEnv(options.env, host);
          for (const [index, command] of options.commands.entries()) {
            if (firstError !== undefined || options.signal?.aborted) return;
            let result: { exitCode: number; stderrTail: string[]; durationMs: number };
            try {
              // The host's master; connected on first use, and again should it have gone meanwhile.
              const master = await this.master(host, attempt);
              result = await this.exec(host, master, command, env, options.signal, options.onLine);
            } catch (error) {
              stop(error);
              return;
            }
            if (options.signal?.aborted) return;
            const outcome: CommandOutcome = { instanceId: host.instanceId, address: host.address, index, command, ...result };
            outcomes.push(outcome);
            options.onOutcome?.(outcome);
            if (result.exitCode === 255 && isSshOwnFailure(result.stderrTail.join('\n'))) {
              const { reason, detail } = classifySshFailure(result.stderrTail.join('\n'));
              stop(new RemoteConnectError(hostLabel(host), reason, detail));
              return;
            }
            if (result.exitCode !== 0) {
              stop(new RemoteCommandError(hostLabel(host), command, result.exitCode, result.stderrTail));
              return;
            }
          }
        }),
      ),
    );
    options.signal?.throwIfAborted();
    // Rethrows the first host's error exactly as it was caught (an Error from the runner or ssh).
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (firstError !== undefined) throw firstError;
    const order = new Map(hosts.map((h, i) => [h.instanceId, i]));
    return outcomes.sort((a, b) => (order.get(a.instanceId) ?? 0) - (order.get(b.instanceId) ?? 0) || a.index - b.index);
  }

  async close(): Promise<void> {
    const masters = [...this.masters.values()];
    this.masters.clear();
    await Promise.all(
      masters.map(async (pending) => {
        const master = await pending.catch(() => undefined);
        if (!master) return;
        if (master.child.exitCode === null && master.child.signalCode === null) {
          const exit = this.spawnSsh(exitArgs(this.settings(this.options), master.controlPath, master.address));
          exit.stdout?.resume();
          exit.stderr?.resume();
          await Promise.race([exited(exit), sleep(5000)]);
          if (exit.exitCode === null) exit.kill('SIGKILL');
        }
        await Promise.race([exited(master.child), sleep(3000)]);
        if (master.child.exitCode === null && master.child.signalCode === null) {
          master.child.kill('SIGKILL');
          await exited(master.child);
        }
      }),
    );
    if (this.dir) {
      rmSync(this.dir, { recursive: true, force: true });
      this.dir = undefined;
      process.off('exit', this.onProcessExit);
    }
  }

  /** The master connection of a host, connecting it on first use (shared by concurrent callers). */
  private master(host: RemoteHost, attempt: Attempt): Promise<Master> {
    const existing = this.masters.get(host.address);
    if (existing) return existing;
    const pending = this.connect(host, attempt);
    this.masters.set(host.address, pending);
    const forget = () => {
      if (this.masters.get(host.address) === pending) this.masters.delete(host.address);
    };
    pending.then((master) => master.child.once('exit', forget), forget);
    return pending;
  }

  private async connect(host: RemoteHost, attempt: Attempt): Promise<Master> {
    const attempts = Math.max(1, attempt.attempts);
    let last: RemoteConnectError | undefined;
    for (let n = 1; n <= attempts; n++) {
      attempt.signal?.throwIfAborted();
      const started = Date.now();
      const controlPath = join(this.controlDir(), `h${++this.counter}`);
      const outcome = await this.startMaster(host, controlPath, attempt);
      if ('master' in outcome) return outcome.master;
      attempt.signal?.throwIfAborted();
      last = new RemoteConnectError(hostLabel(host), outcome.reason, outcome.detail);
      if (outcome.final || !RETRYABLE.has(outcome.reason) || n === attempts) break;
      // Each attempt has a slot of connectTimeout seconds, so a host that refuses at once is given as long.
      await sleep(Math.max(0, started + attempt.connectTimeoutSeconds * 1000 - Date.now()), attempt.signal);
    }
    attempt.signal?.throwIfAborted();
    throw last ?? new RemoteConnectError(hostLabel(host), 'unreachable', '');
  }

  /** One attempt: starts the master and waits until its control socket is there, or until it exits. */
  private async startMaster(
    host: RemoteHost,
    controlPath: string,
    attempt: Attempt,
  ): Promise<{ master: Master } | { reason: ConnectFailureReason; detail: string; final?: boolean }> {
    const child = this.spawnSsh(masterArgs(this.settings(attempt), controlPath, host.address));
    let stderr = '';
    let spawnError: Error | undefined;
    child.on('error', (e) => (spawnError = e));
    child.stdout?.resume();
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-8192);
    });
    const gone = exited(child);
    let isGone = false;
    void gone.then(() => (isGone = true));
    // ConnectTimeout covers the TCP connect and the banner; this guards the rest (key exchange, auth).
    const guardMs = attempt.connectTimeoutSeconds * 2000 + 5000;
    const deadline = Date.now() + guardMs;
    while (!isGone) {
      if (await isSocket(controlPath)) return { master: { address: host.address, controlPath, child } };
      if (attempt.signal?.aborted || Date.now() > deadline) {
        child.kill('SIGTERM');
        await gone;
        if (attempt.signal?.aborted) return { reason: 'unreachable', detail: 'aborted' };
        return { reason: 'timed out', detail: `not connected after ${guardMs / 1000}s` };
      }
      await Promise.race([gone, sleep(15)]);
    }
    await gone;
    if (spawnError) return { reason: 'unreachable', detail: `cannot run ${this.binary}: ${spawnError.message}`, final: true };
    return classifySshFailure(stderr || `ssh exited ${child.exitCode ?? child.signalCode}`);
  }

  /** Runs one remote command over the host's master, streaming its lines. */
  private async exec(
    host: RemoteHost,
    master: Master,
    command: string,
    env: Record<string, string>,
    signal: AbortSignal | undefined,
    onLine?: RunCommandsOptions['onLine'],
  ): Promise<{ exitCode: number; stderrTail: string[]; durationMs: number }> {
    signal?.throwIfAborted();
    const started = Date.now();
    const child = this.spawnSsh(sessionArgs(this.settings(this.options), master.controlPath, host.address, remoteCommand(command, env)));
    const tail: string[] = [];
    const out = new LineSplitter((line) => onLine?.(host, 'stdout', line));
    const err = new LineSplitter((line) => {
      tail.push(line.length > MAX_TAIL_LINE ? `${line.slice(0, MAX_TAIL_LINE)}…` : line);
      if (tail.length > STDERR_TAIL_LINES) tail.shift();
      onLine?.(host, 'stderr', line);
    });
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    const kill = () => {
      child.kill('SIGTERM');
      // The master holds our ends of the pipes (a session's stdio is passed to it) until the remote
      // command ends: stop reading so that 'close' comes now.
      child.stdout?.destroy();
      child.stderr?.destroy();
    };
    signal?.addEventListener('abort', kill, { once: true });
    try {
      const exitCode = await new Promise<number>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', (code, sig) => resolve(code ?? (sig ? 255 : 0)));
      });
      out.end();
      err.end();
      signal?.throwIfAborted();
      return { exitCode, stderrTail: tail, durationMs: Date.now() - started };
    } finally {
      signal?.removeEventListener('abort', kill);
    }
  }
}

async function isSocket(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isSocket();
  } catch {
    return false;
  }
}
