/**
 * `bluegreen --version` must not load the SDK: building the ports loads no SDK package, and the first
 * call loads only its own service's package. The packages are loaded by require (src/aws/sdk/clients.ts),
 * so what is loaded is read from the CommonJS module cache, in a fresh Node process (this worker's cache
 * holds whatever other test files loaded). The smithy Client's send is replaced there by a canned answer,
 * so no request leaves the process.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../support/cli.js';

const CHILD = `
import { createRequire } from 'node:module';
const require = createRequire(process.cwd() + '/');
const loaded = () => [...new Set(Object.keys(require.cache).flatMap((f) => /node_modules\\/@aws-sdk\\/(client-[^/]+)\\//.exec(f)?.[1] ?? []))].sort();
const { Client } = require('@smithy/core/client');
Client.prototype.send = async function () { return { Images: [{ ImageId: 'ami-1' }] }; };
const { createAwsPorts } = await import('./src/aws/sdk/index.ts');
const ports = createAwsPorts({ region: 'us-east-1' });
const out = { ports: Object.keys(ports).sort(), before: loaded() };
out.image = await ports.images.describeImage('ami-1');
out.after = loaded();
process.stdout.write(JSON.stringify(out));
`;

interface ChildOut {
  ports: string[];
  before: string[];
  after: string[];
  image: unknown;
}

function runChild(): ChildOut {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(`child exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildOut;
}

describe('createAwsPorts', () => {
  it('loads no SDK package until a port method is called, then only that service', () => {
    const out = runChild();
    expect(out.ports).toEqual([
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
      'tagging',
      'targetGroups',
    ]);
    expect(out.before).toEqual([]);
    expect(out.image).toEqual({ ImageId: 'ami-1' });
    expect(out.after).toEqual(['client-ec2']);
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

  it('loads the SDK packages with require, not import() (import() of CommonJS goes through the ES module loader, ~3x slower)', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const dir = new URL('../../../src/aws/sdk/', import.meta.url);
    for (const file of await readdir(dir)) {
      const text = await readFile(new URL(file, dir), 'utf8');
      expect(/(?<!typeof )\bimport\(\s*'@aws-sdk\//.test(text), `${file} loads an SDK package with import()`).toBe(false);
    }
  });
});
