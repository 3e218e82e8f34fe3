/**
 * ObjectStorePort on S3 (SDK v3): the objects of the state bucket (state.s3). Conditional writes use S3's
 * If-None-Match: * (create only) and If-Match: <etag> (compare-and-swap) on PutObject and If-Match on
 * DeleteObject; a failed condition is an answer (`{ written: false }`), not an error.
 */
import { InputError } from '../../errors.js';
import type { ObjectStorePort, StoredObject, WriteCondition, WriteResult } from '../ports.js';
import type { AwsClients } from './clients.js';
import { allPages, awsCall, type AwsErrorInfo } from './call.js';

export const OBJECT_MISSING = ['NoSuchKey', 'NotFound'] as const;

const has = (info: AwsErrorInfo, ...codes: string[]) => info.codes.some((c) => codes.includes(c));

/** The outcome of a conditional request that S3 refused, or undefined for a real failure. */
function refused(info: AwsErrorInfo, condition: WriteCondition | undefined): WriteResult | undefined {
  if (has(info, 'PreconditionFailed') || info.status === 412) {
    return { written: false, reason: condition && 'ifNoneMatch' in condition ? 'exists' : 'changed' };
  }
  // Another conditional write of the same key was in flight (AWS: 409 ConditionalRequestConflict).
  if (has(info, 'ConditionalRequestConflict') || info.status === 409) return { written: false, reason: 'conflict' };
  if (condition && 'ifMatch' in condition && (has(info, ...OBJECT_MISSING) || info.status === 404)) return { written: false, reason: 'missing' };
  return undefined;
}

/** Outcomes carried out of awsCall (which would otherwise turn them into AwsCallError). */
class Refusal extends Error {
  constructor(readonly result: WriteResult) {
    super('refused');
  }
}

export class SdkObjectStore implements ObjectStorePort {
  constructor(
    private readonly clients: AwsClients,
    readonly bucket: string,
  ) {}

  private where(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  private noBucket(info: AwsErrorInfo): Error | undefined {
    if (!has(info, 'NoSuchBucket')) return undefined;
    return new InputError(`the S3 bucket ${this.bucket} (state.s3.bucket) does not exist: create it, or fix state.s3.bucket in the config`);
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const { client, sdk: s3 } = await this.clients.s3();
    return awsCall(
      'GetObject',
      this.where(key),
      async () => {
        const out = await client.send(new s3.GetObjectCommand({ Bucket: this.bucket, Key: key }));
        const body = (await out.Body?.transformToString('utf8')) ?? '';
        return { body, etag: out.ETag ?? '' };
      },
      { missing: OBJECT_MISSING, refine: (info) => this.noBucket(info) },
    );
  }

  async put(key: string, body: string, condition?: WriteCondition): Promise<WriteResult> {
    const { client, sdk: s3 } = await this.clients.s3();
    try {
      return await awsCall(
        'PutObject',
        this.where(key),
        async () => {
          const out = await client.send(
            new s3.PutObjectCommand({
              Bucket: this.bucket,
              Key: key,
              Body: body,
              ContentType: 'application/json',
              ...(condition && 'ifNoneMatch' in condition ? { IfNoneMatch: '*' } : {}),
              ...(condition && 'ifMatch' in condition ? { IfMatch: condition.ifMatch } : {}),
            }),
          );
          return { written: true as const, ...(out.ETag ? { etag: out.ETag } : {}) };
        },
        {
          refine: (info) => {
            const result = refused(info, condition);
            return result ? new Refusal(result) : this.noBucket(info);
          },
        },
      );
    } catch (error) {
      if (error instanceof Refusal) return error.result;
      throw error;
    }
  }

  async delete(key: string, ifMatch?: string): Promise<WriteResult> {
    const { client, sdk: s3 } = await this.clients.s3();
    try {
      await awsCall(
        'DeleteObject',
        this.where(key),
        () => client.send(new s3.DeleteObjectCommand({ Bucket: this.bucket, Key: key, ...(ifMatch ? { IfMatch: ifMatch } : {}) })),
        {
          missing: OBJECT_MISSING,
          refine: (info) => {
            const result = refused(info, ifMatch ? { ifMatch } : undefined);
            return result ? new Refusal(result) : this.noBucket(info);
          },
        },
      );
      return { written: true };
    } catch (error) {
      if (error instanceof Refusal) return error.result;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const { client, sdk: s3 } = await this.clients.s3();
    const objects = await awsCall(
      'ListObjectsV2',
      this.where(prefix),
      () => allPages(s3.paginateListObjectsV2({ client }, { Bucket: this.bucket, Prefix: prefix }), (page) => page.Contents),
      { refine: (info) => this.noBucket(info) },
    );
    return objects.map((o) => o.Key).filter((k): k is string => typeof k === 'string');
  }
}
