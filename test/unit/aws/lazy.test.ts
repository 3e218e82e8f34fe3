/**
 * `bluegreen --version` must not load the SDK: building the ports imports no SDK package, and the first
 * call loads only its own service's package. Each SDK module is mocked with a factory that records when
 * it is loaded (vitest runs the factory on the module's first import, dynamic ones included).
 */
import { describe, expect, it, vi } from 'vitest';

const loaded = vi.hoisted(() => [] as string[]);

vi.mock('@aws-sdk/client-auto-scaling', async (importOriginal) => {
  loaded.push('auto-scaling');
  return importOriginal();
});
vi.mock('@aws-sdk/client-elastic-load-balancing', async (importOriginal) => {
  loaded.push('elastic-load-balancing');
  return importOriginal();
});
vi.mock('@aws-sdk/client-route-53', async (importOriginal) => {
  loaded.push('route-53');
  return importOriginal();
});
vi.mock('@aws-sdk/client-cloudwatch', async (importOriginal) => {
  loaded.push('cloudwatch');
  return importOriginal();
});
vi.mock('@aws-sdk/client-elastic-load-balancing-v2', async (importOriginal) => {
  loaded.push('elastic-load-balancing-v2');
  return importOriginal();
});
vi.mock('@aws-sdk/client-ssm', async (importOriginal) => {
  loaded.push('ssm');
  return importOriginal();
});
vi.mock('@aws-sdk/client-ec2', async (importOriginal) => {
  loaded.push('ec2');
  const real = await importOriginal<typeof import('@aws-sdk/client-ec2')>();
  // A client that answers without the network.
  class EC2Client extends real.EC2Client {
    override send = (async () => ({ Images: [{ ImageId: 'ami-1' }] })) as never;
  }
  return { ...real, EC2Client };
});

import { createAwsPorts } from '../../../src/aws/sdk/index.js';

describe('createAwsPorts', () => {
  it('loads no SDK package until a port method is called, then only that service', async () => {
    const ports = createAwsPorts({ region: 'us-east-1' });
    expect(Object.keys(ports).sort()).toEqual([
      'alarms',
      'classicLoadBalancers',
      'dns',
      'groups',
      'images',
      'instances',
      'inventory',
      'launch',
      'listeners',
      'ssm',
      'targetGroups',
    ]);
    expect(loaded).toEqual([]);

    expect(await ports.images.describeImage('ami-1')).toEqual({ ImageId: 'ami-1' });
    expect(loaded).toEqual(['ec2']);
  });

  it('has no static SDK import in any adapter (type-only imports are erased)', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const dir = new URL('../../../src/aws/sdk/', import.meta.url);
    for (const file of await readdir(dir)) {
      const text = await readFile(new URL(file, dir), 'utf8');
      const value = text.match(/^(?:import|export)\s+(?!type\b)[^;]*?'@aws-sdk\/[^']+'/m);
      expect(value?.[0], `${file} imports the SDK at load time`).toBeUndefined();
    }
  });
});
