/**
 * The few named error classes of bluegreen, and the one place that maps them to exit codes.
 *
 * Exit codes (documented in docs/exit-codes.md):
 *   0 success
 *   1 the deployment failed (DeploymentError, AwsCallError, VerificationError, anything unexpected)
 *   2 bad input: config, flags, a named resource that does not exist (ConfigError, InputError); nothing was changed
 *   3 another run holds the lock of this service (LockedError)
 */

export const EXIT = { ok: 0, failed: 1, badInput: 2, locked: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export abstract class BluegreenError extends Error {
  abstract readonly exitCode: ExitCode;
  /** The command a user should run next, when there is one. */
  readonly next?: string;
  constructor(message: string, options?: { cause?: unknown; next?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options?.next) this.next = options.next;
  }
}

/** The configuration file is malformed. Names the file, line and key path. */
export class ConfigError extends BluegreenError {
  readonly exitCode = EXIT.badInput;
  constructor(
    readonly file: string,
    readonly issues: ReadonlyArray<{ path: string; line?: number; column?: number; message: string }>,
  ) {
    super(
      issues
        .map((i) => `${file}${i.line ? `:${i.line}${i.column ? `:${i.column}` : ''}` : ''}: ${i.path ? `${i.path}: ` : ''}${i.message}`)
        .join('\n'),
    );
  }
}

/** Bad flags, or a resource the config names does not exist. Raised before any change is made. */
export class InputError extends BluegreenError {
  readonly exitCode = EXIT.badInput;
}

/** Another run holds the lock of this service. */
export class LockedError extends BluegreenError {
  readonly exitCode = EXIT.locked;
  constructor(
    message: string,
    readonly holder: LockHolder,
    next?: string,
  ) {
    super(message, next ? { next } : undefined);
  }
}

export interface LockHolder {
  host: string;
  pid: number;
  since: string; // ISO time
  command: string;
  deploymentId?: string;
  /** Shared state (state.s3): who ran it, the CI job when there is one, and until when the lease holds. */
  user?: string;
  ciJob?: string;
  expiresAt?: string; // ISO time
}

/** An AWS call failed after the SDK's own retries. Names the call and the resource. */
export class AwsCallError extends BluegreenError {
  readonly exitCode = EXIT.failed;
  constructor(
    readonly operation: string,
    readonly resource: string,
    readonly code: string,
    detail: string,
    cause?: unknown,
    /** The HTTP status of AWS's answer, when there was one (none: a time-out or a broken connection). */
    readonly status?: number,
  ) {
    const denied = /^(AccessDenied|AccessDeniedException|UnauthorizedOperation|UnauthorizedAccess)$/.test(code);
    const hint = denied ? ' (`bluegreen iam-policy -c FILE` prints the permissions bluegreen needs for a config)' : '';
    super(`${operation} on ${resource} failed: ${code}: ${detail.replace(/\.+$/, '')}${hint}`, { cause });
  }

  /** AWS answered with a client error (HTTP 4xx): it refused the request, which changed nothing. */
  get refused(): boolean {
    return this.status !== undefined && this.status >= 400 && this.status < 500;
  }
}

/** Something the deployment checks for did not happen (health within the timeout, a DNS change in sync). */
export class VerificationError extends BluegreenError {
  readonly exitCode = EXIT.failed;
}

/** A host could not be reached: names the host and the cause (refused, timed out, auth failed, host key mismatch...). */
export class RemoteConnectError extends VerificationError {
  constructor(
    readonly host: string,
    readonly reason: 'refused' | 'timed out' | 'auth failed' | 'host key mismatch' | 'unknown host key' | 'no route' | 'unreachable',
    detail: string,
  ) {
    super(`cannot reach ${host}: ${reason}${detail ? ` (${detail})` : ''}`);
  }
}

/** A release command exited non-zero on a host. */
export class RemoteCommandError extends VerificationError {
  constructor(
    readonly host: string,
    readonly command: string,
    readonly commandExitCode: number,
    readonly stderrTail: string[],
  ) {
    super(
      `command ${JSON.stringify(command)} exited ${commandExitCode} on ${host}${stderrTail.length ? `; last lines of stderr:\n  ${stderrTail.join('\n  ')}` : ''}`,
    );
  }
}

/** The deployment failed; the message says in what state it left things and what to run next. */
export class DeploymentError extends BluegreenError {
  readonly exitCode = EXIT.failed;
}

export function exitCodeOf(error: unknown): ExitCode {
  return error instanceof BluegreenError ? error.exitCode : EXIT.failed;
}
