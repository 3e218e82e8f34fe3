/**
 * What every command shares: the common flags, where output goes, the progress display, the
 * confirmation rule, and Ctrl-C. Loaded by main.ts, so it imports nothing heavy.
 *
 * Output rule: with `--output json`, stdout carries only JSON objects, one per line (each engine
 * event as it is, then the final result); everything meant for people goes to stderr.
 */
import { Option, type Command } from 'commander';
import { EVENT, type EngineEvent } from '../engine/events.js';
import { InputError, type LockHolder } from '../errors.js';
import { commandLine, DEFAULT_PREFIX } from '../operations/command.js';

export type OutputFormat = 'text' | 'json';

export interface CommonFlags {
  config: string;
  output?: OutputFormat;
  yes?: boolean;
}

export const DEFAULT_CONFIG = './bluegreen.yml';

export function withConfig(cmd: Command): Command {
  return cmd.option('-c, --config <file>', 'the configuration file', DEFAULT_CONFIG);
}

export function withOutput(cmd: Command): Command {
  return cmd.addOption(
    new Option('--output <format>', 'text for people; json: one JSON object per line on stdout, nothing else')
      .choices(['text', 'json'])
      .default('text'),
  );
}

export function withYes(cmd: Command, what: string): Command {
  return cmd.option('-y, --yes', `${what} without asking (required when stdin is not a terminal)`);
}

type Out = NodeJS.WriteStream;

export class Session {
  readonly json: boolean;
  readonly controller = new AbortController();
  private progress: { onEvent(e: EngineEvent): void; stop(): void } | undefined;
  private interrupts = 0;
  private readonly onSigint = (signal: NodeJS.Signals) => this.interrupt(signal);

  constructor(
    readonly command: string,
    readonly flags: CommonFlags,
    readonly stdout: Out = process.stdout,
    readonly stderr: Out = process.stderr,
  ) {
    this.json = flags.output === 'json';
  }

  /** Where text for people goes: stdout in text mode, stderr in json mode. */
  get human(): Out {
    return this.json ? this.stderr : this.stdout;
  }

  /** One JSON object on one line of stdout. */
  emitJson(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** "bluegreen", for messages that name the next command to run (OperationOptions.commandPrefix). */
  get commandPrefix(): string {
    return DEFAULT_PREFIX;
  }

  /** "bluegreen status -c shop.yml": the command line of a verb with this command's config file. */
  commandLine(verb: string): string {
    return commandLine(this.commandPrefix, verb, this.flags.config);
  }

  /** The options every operation takes, with events wired to --output json or the progress display. */
  async operationOptions(): Promise<{
    configFile: string;
    commandPrefix: string;
    signal: AbortSignal;
    onEvent: (event: EngineEvent) => void;
    onTakeOver: (previous: LockHolder) => void;
  }> {
    if (!this.json) {
      const { createProgress } = await import('./render/progress.js');
      this.progress = createProgress(this.stderr);
    }
    process.on('SIGINT', this.onSigint);
    process.on('SIGTERM', this.onSigint);
    return {
      configFile: this.flags.config,
      commandPrefix: this.commandPrefix,
      signal: this.controller.signal,
      onTakeOver: (previous) => {
        this.stderr.write(
          `took over the lock held by pid ${previous.pid} on ${previous.host} since ${previous.since} (${previous.command}): that process no longer exists\n`,
        );
      },
      onEvent: (event) => {
        // Command output is for people: it may hold anything, so it stays out of the JSON stream.
        if (this.json) {
          if (event.event !== EVENT.stepOutput) this.emitJson(event);
        } else this.progress?.onEvent(event);
      },
    };
  }

  /** Stops the progress display and the signal handlers. */
  close(): void {
    this.progress?.stop();
    process.removeListener('SIGINT', this.onSigint);
    process.removeListener('SIGTERM', this.onSigint);
  }

  private interrupt(signal: NodeJS.Signals): void {
    this.interrupts++;
    if (this.interrupts === 1) {
      this.progress?.stop();
      this.stderr.write(
        `\n${signal}: stopping at the next safe point and saving the journal (press Ctrl-C again to quit at once; then run \`${this.commandLine('status')}\`)\n`,
      );
      this.controller.abort(new Error(signal));
      return;
    }
    this.stderr.write('quitting at once; the journal may show a step still running: resume or roll back\n');
    process.exit(130);
  }

  /**
   * The confirmation rule of commands that change anything, the one place it is written (src/cli/confirm.ts
   * shows the plan first): `--yes` goes ahead; on a terminal the user is asked; otherwise nothing is asked
   * and the command ends with exit code 2 (InputError, nothing changed).
   * Returns true to go ahead, false when the user said no.
   */
  async confirm(question: string): Promise<boolean> {
    if (this.flags.yes) return true;
    if (!process.stdin.isTTY) throw notATerminal(this.command);
    const { confirm, isCancel } = await import('@clack/prompts');
    const answer = await confirm({ message: question, initialValue: false, output: this.stderr });
    return !isCancel(answer) && answer === true;
  }
}

export function notATerminal(command: string): InputError {
  return new InputError(`stdin is not a terminal: pass --yes to ${command} without being asked; nothing was changed`);
}

/** The user answered no: say so; exit code 1 (docs/exit-codes.md). */
export function declined(session: Session): void {
  session.stderr.write('cancelled: nothing was changed\n');
  process.exitCode = 1;
}
