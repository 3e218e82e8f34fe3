/**
 * Where a service's journal and lock live, as the config says: a local directory (state.dir, the default)
 * or an S3 bucket (state.s3). docs/state.md says what each guarantees.
 */
import { AwsClients } from '../aws/sdk/clients.js';
import { SdkObjectStore } from '../aws/sdk/s3.js';
import type { ObjectStorePort } from '../aws/ports.js';
import type { Config } from '../config/schema.js';
import type { JournalStore, ServiceLock } from '../engine/store.js';
import { FileJournalStore, FileLock } from './file-store.js';
import { S3JournalStore, S3Lock, type S3LockOptions } from './s3-store.js';

export interface StateBackend {
  store: JournalStore;
  lock: ServiceLock;
}

export interface StateOptions {
  /** "bluegreen unlock -c shop.yml" and "bluegreen status -c shop.yml", for messages. */
  unlockCommand: string;
  statusCommand?: string;
  /** The S3 objects (tests); default: the AWS SDK in the config's region. */
  objects?: ObjectStorePort;
  lock?: S3LockOptions;
}

export function openState(config: Pick<Config, 'service' | 'region' | 'state'>, options: StateOptions): StateBackend {
  const s3 = config.state.s3;
  if (!s3) {
    return {
      store: new FileJournalStore(config.state.dir, config.service),
      lock: new FileLock(config.state.dir, config.service, options.unlockCommand),
    };
  }
  const objects = options.objects ?? new SdkObjectStore(new AwsClients(config.region ? { region: config.region } : {}), s3.bucket);
  const location = { bucket: s3.bucket, prefix: s3.prefix, service: config.service };
  return {
    store: new S3JournalStore(objects, location, options.statusCommand ?? options.unlockCommand.replace(/\bunlock\b/, 'status')),
    lock: new S3Lock(objects, location, options.unlockCommand, options.lock),
  };
}

/** Where the state is, for messages: the directory, or s3://bucket/prefix. */
export function stateLocation(config: Pick<Config, 'state'>): string {
  const s3 = config.state.s3;
  return s3 ? `s3://${s3.bucket}/${s3.prefix}` : config.state.dir;
}

/** The signal a run stops on: the caller's (Ctrl-C) or the lock's when its lease is lost, whichever comes first. */
export function runSignal(signal: AbortSignal | undefined, lock: ServiceLock): AbortSignal {
  const signals = [signal, lock.lost].filter((s): s is AbortSignal => s !== undefined);
  if (signals.length === 0) return new AbortController().signal;
  return signals.length === 1 ? signals[0]! : AbortSignal.any(signals);
}
