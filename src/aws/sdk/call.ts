/**
 * The one place where SDK failures become bluegreen's errors. Every adapter sends through `awsCall`:
 *  - an error whose code the call lists as "missing" resolves to undefined (describe* of something absent,
 *    delete* of something already gone);
 *  - `refine` may turn a known refusal into a more useful error (e.g. InputError with advice);
 *  - anything else becomes AwsCallError(operation, resource, code, message), after the SDK's own retries.
 * bluegreen's own errors thrown inside the call pass through unchanged.
 */
import { AwsCallError, BluegreenError } from '../../errors.js';

export interface AwsErrorInfo {
  /** The AWS error code as sent on the wire when known (e.g. LoadBalancerNotFound), else the SDK's name. */
  code: string;
  /** Every name the error goes by: the SDK's exception name and the wire code (e.g. AccessPointNotFoundException and LoadBalancerNotFound). */
  codes: string[];
  message: string;
  status?: number;
}

export type Missing = readonly string[] | ((error: AwsErrorInfo) => boolean);

export interface CallOptions {
  /** Error codes (or a test) meaning the resource is not there: the call then resolves to undefined. */
  missing?: Missing;
  /** Return an error to throw instead of AwsCallError (or undefined to keep AwsCallError). */
  refine?: (info: AwsErrorInfo, error: unknown) => Error | undefined;
}

export function awsCall<T>(
  operation: string,
  resource: string,
  send: () => Promise<T>,
  options: CallOptions & { missing: Missing },
): Promise<T | undefined>;
export function awsCall<T>(operation: string, resource: string, send: () => Promise<T>, options?: Omit<CallOptions, 'missing'>): Promise<T>;
export async function awsCall<T>(operation: string, resource: string, send: () => Promise<T>, options: CallOptions = {}): Promise<T | undefined> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof BluegreenError) throw error;
    const info = awsErrorInfo(error);
    if (options.missing && isMissing(info, options.missing)) return undefined;
    const refined = options.refine?.(info, error);
    if (refined) throw refined;
    throw new AwsCallError(operation, resource, info.code, info.message, error, info.status);
  }
}

function isMissing(info: AwsErrorInfo, missing: Missing): boolean {
  return typeof missing === 'function' ? missing(info) : info.codes.some((code) => missing.includes(code));
}

export function awsErrorInfo(error: unknown): AwsErrorInfo {
  if (!(error instanceof Error) && (typeof error !== 'object' || error === null)) {
    return { code: 'Error', codes: ['Error'], message: String(error) };
  }
  const e = error as Partial<Error> & {
    Code?: unknown;
    code?: unknown;
    Error?: { Code?: unknown };
    $metadata?: { httpStatusCode?: number };
    $response?: { statusCode?: number };
  };
  const codes: string[] = [];
  for (const candidate of [e.Code, e.Error?.Code, e.code, e.name]) {
    if (typeof candidate === 'string' && candidate && !codes.includes(candidate)) codes.push(candidate);
  }
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  // An answer the SDK could not parse (e.g. an HTML error page) has no code: say the HTTP status instead.
  if (codes.length === 0 || (codes.length === 1 && codes[0] === 'Error' && status !== undefined)) {
    codes.unshift(status === undefined ? 'Error' : `HTTP ${status}`);
  }
  const message = (typeof e.message === 'string' && e.message) || codes[0]!;
  return { code: codes[0]!, codes, message, ...(status === undefined ? {} : { status }) };
}

/** True when the error is an Auto Scaling-style ValidationError saying the named thing was not found. */
export function isValidationNotFound(info: AwsErrorInfo): boolean {
  return info.codes.includes('ValidationError') && /not found|does not exist|no such/i.test(info.message);
}

/** "auto scaling group a", "auto scaling groups a, b", "250 auto scaling groups (a, b, c, ...)". */
export function nameResources(singular: string, plural: string, names: readonly string[]): string {
  if (names.length === 1) return `${singular} ${names[0]}`;
  if (names.length <= 3) return `${plural} ${names.join(', ')}`;
  return `${names.length} ${plural} (${names.slice(0, 3).join(', ')}, ...)`;
}

/** Splits a list into batches of at most `size` (AWS's per-call name limits). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Collects every item of every page of an SDK paginator. */
export async function allPages<P, I>(pages: AsyncIterable<P>, items: (page: P) => I[] | undefined): Promise<I[]> {
  const out: I[] = [];
  for await (const page of pages) out.push(...(items(page) ?? []));
  return out;
}
