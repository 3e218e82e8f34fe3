/**
 * Every strategy the config accepts is built, with every key it accepts: plan and deploy refuse none of them,
 * they go on to read AWS. strategyFor gives each by name.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AwsPorts } from '../../../src/aws/ports.js';
import { InputError } from '../../../src/errors.js';
import { deploy, plan } from '../../../src/operations.js';
import { strategies, strategyFor } from '../../../src/strategies/index.js';

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/0123456789abcdef/0123456789abcdef';
const URL = 'http://{green.loadBalancerDns}/health';
const REPLICA_DNS =
  'service: shop\nstrategy: replica-dns\nblue: {autoScalingGroup: shop-blue}\nrelease: {image: ami-01234567}\ndns: {hostedZoneId: Z1, name: shop.example.com}\n';
const SWAP = 'service: shop\nstrategy: swap-instances\nblue: {autoScalingGroup: shop}\nrelease: {image: ami-01234567}\n';
const LISTENER = `service: shop\nstrategy: replica-listener\nblue: {autoScalingGroup: shop-blue}\nrelease: {image: ami-01234567}\nlistener: {arn: "${ARN}"}\n`;

/** Ports that fail the test on any use: the check must come before AWS is read. */
const untouchable = new Proxy({} as AwsPorts, {
  get(_target, key) {
    throw new Error(`AWS was reached (ports.${String(key)}) before the config was refused`);
  },
});

describe('strategyFor', () => {
  it('gives the built strategies, and an error for a name the config does not accept', () => {
    expect(strategyFor('replica-dns')).toBe(strategies['replica-dns']);
    expect(strategyFor('swap-instances')).toBe(strategies['swap-instances']);
    expect(strategyFor('replica-listener')).toBe(strategies['replica-listener']);
    expect(() => strategyFor('nope')).toThrow('unknown strategy nope');
  });
});

describe('plan and deploy', () => {
  async function file(text: string): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'bluegreen-strategies-'));
    const f = path.join(dir, 'shop.yml');
    await writeFile(f, text);
    return f;
  }

  it.each([
    ['plan', (configFile: string) => plan({ configFile, ports: untouchable })],
    ['deploy', (configFile: string) => deploy({ configFile, ports: untouchable, confirm: async () => true })],
  ])('%s no longer refuses strategy replica-listener: it goes on to read AWS', async (_verb, run) => {
    const error = await run(await file(LISTENER)).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/^AWS was reached \(ports\.\w+\) before the config was refused/);
  });

  const GATES = `gates: {alarms: [shop-5xx], http: [{url: "${URL}"}]}\n`;
  it.each([
    ['replica-dns', REPLICA_DNS],
    ['swap-instances', SWAP],
    ['replica-dns with launch: template', `${REPLICA_DNS}launch: template\n`],
    ['swap-instances with launch: template', `${SWAP}launch: template\n`],
    ['replica-dns with gates.alarms and gates.http', `${REPLICA_DNS}${GATES}`],
    ['replica-dns with retire.untilRequestsBelow', `${REPLICA_DNS}retire: {untilRequestsBelow: 1}\n`],
    [
      'replica-listener with launch, gates and retire.untilRequestsBelow',
      `${LISTENER}launch: template\ngates: {alarms: [shop-5xx], http: [{url: "http://{green.target}/health"}]}\nretire: {untilRequestsBelow: 1}\n`,
    ],
    ['replica-dns with traffic.steps', `${REPLICA_DNS}traffic: {steps: [10, 100]}\n`],
    ['replica-listener with traffic.steps', `${LISTENER}traffic: {steps: [10, 100]}\n`],
  ])('plan refuses nothing of %s: it goes on to read AWS', async (_what, text) => {
    const error = await plan({ configFile: await file(text), ports: untouchable }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/^AWS was reached \(ports\.\w+\) before the config was refused/);
  });
});
