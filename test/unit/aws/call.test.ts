import { describe, expect, it } from 'vitest';
import { AwsCallError, InputError } from '../../../src/errors.js';
import { awsCall, awsErrorInfo, chunk, isValidationNotFound, nameResources } from '../../../src/aws/sdk/call.js';
import { awsError } from './aws-error.js';

describe('awsCall', () => {
  it('returns what the call returns', async () => {
    await expect(awsCall('DescribeX', 'thing a', async () => 42)).resolves.toBe(42);
  });

  it('wraps a failure in AwsCallError naming the operation, the resource and the code', async () => {
    const failure = awsError('Throttling', 'Rate exceeded');
    const error = await awsCall('CreateLoadBalancer', 'load balancer shop-green-k3x9a', () => Promise.reject(failure)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).toMatchObject({
      operation: 'CreateLoadBalancer',
      resource: 'load balancer shop-green-k3x9a',
      code: 'Throttling',
      cause: failure,
      message: 'CreateLoadBalancer on load balancer shop-green-k3x9a failed: Throttling: Rate exceeded',
    });
  });

  it('resolves to undefined for a listed missing code, by SDK name or wire code', async () => {
    const sdkNamed = Object.assign(awsError('AccessPointNotFoundException'), { Code: 'LoadBalancerNotFound' });
    await expect(
      awsCall('DescribeLoadBalancers', 'load balancer a', () => Promise.reject(sdkNamed), { missing: ['LoadBalancerNotFound'] }),
    ).resolves.toBeUndefined();
    await expect(
      awsCall('DescribeLoadBalancers', 'load balancer a', () => Promise.reject(awsError('Other')), { missing: ['LoadBalancerNotFound'] }),
    ).rejects.toBeInstanceOf(AwsCallError);
  });

  it('keeps the HTTP status: a 4xx answer is a refusal (the request changed nothing); a 5xx or no answer is not', async () => {
    // The SDK's rejections are what is under test, whatever their type.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    const fail = (error: unknown) => awsCall('RunInstances', 'x', () => Promise.reject(error)).catch((e: unknown) => e as AwsCallError);
    expect(await fail(awsError('AccessDenied', 'denied', 403))).toMatchObject({ status: 403, refused: true });
    expect(await fail(awsError('InsufficientInstanceCapacity', 'none', 400))).toMatchObject({ status: 400, refused: true });
    expect(await fail(awsError('InternalError', 'oops', 500))).toMatchObject({ status: 500, refused: false });
    expect(await fail(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }))).toMatchObject({ status: undefined, refused: false });
  });

  it('lets refine replace the error and passes bluegreen errors through', async () => {
    const refined = new InputError('nope');
    await expect(awsCall('X', 'y', () => Promise.reject(awsError('Code')), { refine: () => refined })).rejects.toBe(refined);
    const own = new InputError('already ours');
    await expect(awsCall('X', 'y', () => Promise.reject(own))).rejects.toBe(own);
  });

  it('wraps errors that are not SDK errors too', async () => {
    await expect(awsCall('X', 'y', () => Promise.reject(new Error('Region is missing')))).rejects.toMatchObject({
      code: 'Error',
      message: 'X on y failed: Error: Region is missing',
    });
    // A rejection that is not an Error is the case under test.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    await expect(awsCall('X', 'y', () => Promise.reject('boom'))).rejects.toMatchObject({ code: 'Error' });
    const unparsable = Object.assign(new Error('XML parse error: mismatched tags'), { $metadata: { httpStatusCode: 500 } });
    await expect(awsCall('X', 'y', () => Promise.reject(unparsable))).rejects.toMatchObject({
      code: 'HTTP 500',
      message: 'X on y failed: HTTP 500: XML parse error: mismatched tags',
    });
  });
});

describe('helpers', () => {
  it('reads codes, message and status of an SDK error', () => {
    expect(awsErrorInfo(awsError('ValidationError', 'AutoScalingGroup name not found - x'))).toEqual({
      code: 'ValidationError',
      codes: ['ValidationError'],
      message: 'AutoScalingGroup name not found - x',
      status: 400,
    });
    expect(isValidationNotFound(awsErrorInfo(awsError('ValidationError', 'AutoScalingGroup name not found - x')))).toBe(true);
    expect(isValidationNotFound(awsErrorInfo(awsError('ValidationError', 'Max bigger than min')))).toBe(false);
  });

  it('names one, a few or many resources', () => {
    expect(nameResources('alarm', 'alarms', ['a'])).toBe('alarm a');
    expect(nameResources('alarm', 'alarms', ['a', 'b'])).toBe('alarms a, b');
    expect(nameResources('alarm', 'alarms', ['a', 'b', 'c', 'd'])).toBe('4 alarms (a, b, c, ...)');
  });

  it('chunks', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 2)).toEqual([]);
  });
});
