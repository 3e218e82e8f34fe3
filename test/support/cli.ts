/**
 * Runs the built CLI (`node dist/cli/main.js`, made by `npm run build`) as a child process, the way
 * a user or CI would: no TTY, its own environment and working directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Added to a clean environment (PATH, HOME, and nothing of AWS from the caller). */
  env?: Record<string, string>;
  cwd?: string;
  /** Written to stdin, which is then closed (stdin is a pipe, never a TTY). */
  input?: string;
  timeoutMs?: number;
  /** Flags for node itself, before the script (e.g. ['--import', hook]). */
  nodeArgs?: string[];
}

function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: process.env.LANG ?? 'C.UTF-8',
    NO_COLOR: '1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env;
}

function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
}

function spawnCli(args: string[], options: CliOptions): ChildProcess {
  assertBuilt();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: baseEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.on('error', () => undefined); // the CLI may exit before reading its input
  child.stdin.end(options.input ?? '');
  return child;
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const child = spawnCli(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timeoutMs = options.timeoutMs ?? 50_000;
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bluegreen ${args.join(' ')} did not end within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** Parses stdout of `--output json`: every non-empty line must be one JSON object. */
export function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        const v = JSON.parse(l) as unknown;
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
        return v as Record<string, unknown>;
      } catch (e) {
        throw new Error(`stdout line ${i + 1} is not a JSON object (${(e as Error).message}): ${l}`, { cause: e });
      }
    });
}

export interface KillResult extends CliResult {
  /** Whether the matching event was seen (and the process SIGKILLed right then). */
  killed: boolean;
  events: Array<Record<string, unknown>>;
}

/**
 * Runs the CLI (give it `--output json`) and SIGKILLs it the moment an event matching `when` appears
 * on its stdout, e.g. `(e) => e.event === 'step.succeeded' && e.stepId === 'create-group'`: a crash
 * between two steps. Resolves when the process is gone.
 */
export function runCliUntil(args: string[], when: (event: Record<string, unknown>) => boolean, options: CliOptions = {}): Promise<KillResult> {
  const child = spawnCli(args, options);
  let stdout = '';
  let stderr = '';
  let pending = '';
  let killed = false;
  const events: Array<Record<string, unknown>> = [];
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    pending += d;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (!line.trim() || killed) continue;
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      events.push(event);
      if (when(event)) {
        killed = true;
        child.kill('SIGKILL');
      }
    }
  });
  const timeoutMs = options.timeoutMs ?? 50_000;
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bluegreen ${args.join(' ')} did not end within ${timeoutMs} ms\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, killed, events });
    });
  });
}

/**
 * Runs the CLI (give it `--output json`) and calls `on` for every JSON event on its stdout as it comes,
 * without stopping it (e.g. to set an alarm to ALARM when a step starts). Resolves when the process ends,
 * with every event seen.
 */
export function runCliWatching(
  args: string[],
  on: (event: Record<string, unknown>) => void,
  options: CliOptions = {},
): Promise<CliResult & { events: Array<Record<string, unknown>> }> {
  const child = spawnCli(args, options);
  let stdout = '';
  let stderr = '';
  let pending = '';
  const events: Array<Record<string, unknown>> = [];
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    pending += d;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (!line.trim()) continue;
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      events.push(event);
      on(event);
    }
  });
  const timeoutMs = options.timeoutMs ?? 50_000;
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bluegreen ${args.join(' ')} did not end within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, events });
    });
  });
}
