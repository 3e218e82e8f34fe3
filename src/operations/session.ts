/**
 * What every operation opens: the config, the state (journal store and lock), the clock and the command
 * lines its messages name; the lock held around a body; the ports; and the engine bound to a strategy.
 */
import { hostname, userInfo } from 'node:os';
import type { AwsPorts } from '../aws/ports.js';
import { loadConfig } from '../config/load.js';
import { configRegion, type Config } from '../config/schema.js';
import { systemClock, type Clock } from '../engine/clock.js';
import { runForward, type EngineOptions } from '../engine/runner.js';
import type { JournalStore, ServiceLock } from '../engine/store.js';
import type { Journal } from '../engine/types.js';
import type { LockHolder } from '../errors.js';
import { openState, runSignal } from '../state/index.js';
import { commandLine, commandsFor, DEFAULT_PREFIX } from './command.js';
import type { OperationOptions } from './options.js';
import { withServices } from './services.js';
import { loadStrategy } from './strategy.js';

export interface Session {
  config: Config;
  store: JournalStore;
  lock: ServiceLock;
  clock: Clock;
  /** "bluegreen resume -c shop.yml" for verb "resume". */
  command: (verb: string) => string;
}

export async function open(options: OperationOptions): Promise<Session> {
  const config = await loadConfig(options.configFile, options.image ? { image: options.image } : undefined);
  const command = commandsFor(options.commandPrefix ?? DEFAULT_PREFIX, options.configFile);
  return {
    config,
    ...openState(config, { unlockCommand: command('unlock'), statusCommand: command('status') }),
    clock: options.clock ?? systemClock,
    command,
  };
}

export async function portsFor(options: OperationOptions, config: Config): Promise<AwsPorts> {
  if (options.ports) return options.ports;
  const { createAwsPorts } = await import('../aws/sdk/index.js');
  const region = configRegion(config);
  return createAwsPorts(region ? { region } : {});
}

function holder(verb: string, deploymentId?: string): LockHolder {
  return {
    host: hostname(),
    pid: process.pid,
    since: new Date().toISOString(),
    command: commandLine(DEFAULT_PREFIX, verb),
    ...(deploymentId ? { deploymentId } : {}),
  };
}

/** Who runs a new deployment, for its journal. */
export function actor(): NonNullable<Journal['actor']> {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // keep "unknown"
  }
  return { host: hostname(), pid: process.pid, user };
}

/** Runs `body` holding the service's lock; with takeOverDead, a lock of a dead process on this host is taken over. */
export async function locked<T>(
  session: Session,
  options: OperationOptions,
  verb: string,
  takeOverDead: boolean,
  body: () => Promise<T>,
): Promise<T> {
  const current = await session.store.current();
  const { tookOverFrom } = await session.lock.acquire(holder(verb, current?.deploymentId), { takeOverDead });
  if (tookOverFrom) options.onTakeOver?.(tookOverFrom);
  try {
    return await body();
  } finally {
    await session.lock.release();
  }
}

/** Runs the engine with the journal's strategy's handlers, closing what the handlers opened. */
export async function withEngine<T>(
  session: Session,
  options: OperationOptions,
  ports: AwsPorts,
  journal: Journal,
  body: (engine: EngineOptions) => Promise<T>,
): Promise<T> {
  const strategy = await loadStrategy(journal.strategy);
  return withServices(session.config, ports, session.clock, (services) =>
    body({
      registry: strategy.handlers(ports, services),
      store: session.store,
      clock: session.clock,
      emit: options.onEvent ?? (() => undefined),
      signal: runSignal(options.signal, session.lock),
      next: (verb) => session.command(verb),
    }),
  );
}

/** Runs the journal forward (deploy, resume, promote) with the engine. */
export function runJournal(
  session: Session,
  options: OperationOptions,
  ports: AwsPorts,
  journal: Journal,
  mode: 'deploy' | 'resume' | 'promote',
): Promise<Journal> {
  return withEngine(session, options, ports, journal, (engine) => runForward(journal, engine, mode));
}
