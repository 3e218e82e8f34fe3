/**
 * What the config accepts but no strategy acts on yet is refused by plan and deploy, in one check
 * (refuseUnbuilt) before anything is read from AWS: a usage error (exit 2) naming each key, never ignored.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AwsPorts } from '../../../src/aws/ports.js';
import { parseConfigText } from '../../../src/config/load.js';
import { type Config, configJsonSchema, toConfig } from '../../../src/config/schema.js';
import { InputError } from '../../../src/errors.js';
import { deploy, plan } from '../../../src/operations.js';
import { refuseUnbuilt, strategies, strategyFor, UNBUILT } from '../../../src/strategies/index.js';

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/0123456789abcdef/0123456789abcdef';
const URL = 'http://{green.loadBalancerDns}/health';
const REPLICA_DNS = 'service: shop\nstrategy: replica-dns\nblue: {autoScalingGroup: shop-blue}\nrelease: {image: ami-01234567}\ndns: {hostedZoneId: Z1, name: shop.example.com}\n';
const SWAP = 'service: shop\nstrategy: swap-instances\nblue: {autoScalingGroup: shop}\nrelease: {image: ami-01234567}\n';
const LISTENER = `service: shop\nstrategy: replica-listener\nblue: {autoScalingGroup: shop-blue}\nrelease: {image: ami-01234567}\nlistener: {arn: "${ARN}"}\n`;

const config = (text: string): Config => toConfig(parseConfigText(text, 'shop.yml'), { file: '/srv/shop.yml', digest: '' }, { stateDir: '/srv/.bluegreen' });

/** Ports that fail the test on any use: the check must come before AWS is read. */
const untouchable = new Proxy({} as AwsPorts, {
  get(_target, key) {
    throw new Error(`AWS was reached (ports.${String(key)}) before the config was refused`);
  },
});

describe('refuseUnbuilt', () => {
  it('lets through what every built strategy does today', () => {
    expect(() => refuseUnbuilt(config(REPLICA_DNS))).not.toThrow();
    expect(() => refuseUnbuilt(config(SWAP))).not.toThrow();
  });

  it('lets through launch: template with both built strategies', () => {
    expect(() => refuseUnbuilt(config(`${REPLICA_DNS}launch: template\n`))).not.toThrow();
    expect(() => refuseUnbuilt(config(`${SWAP}launch: template\n`))).not.toThrow();
  });

  it('lets through gates.alarms and gates.http with replica-dns', () => {
    expect(() => refuseUnbuilt(config(`${REPLICA_DNS}gates: {alarms: [shop-5xx], http: [{url: "${URL}"}]}\n`))).not.toThrow();
  });

  it('lets through retire.untilRequestsBelow with replica-dns', () => {
    expect(() => refuseUnbuilt(config(`${REPLICA_DNS}retire: {untilRequestsBelow: 1}\n`))).not.toThrow();
  });

  it('lets through strategy replica-listener with launch, gates and retire.untilRequestsBelow', () => {
    const gates = 'gates: {alarms: [shop-5xx], http: [{url: "http://{green.target}/health"}]}\n';
    expect(() => refuseUnbuilt(config(`${LISTENER}launch: template\n${gates}retire: {untilRequestsBelow: 1}\n`))).not.toThrow();
  });

  it('lets through traffic.steps with replica-dns and replica-listener: no key is left unbuilt', () => {
    expect(() => refuseUnbuilt(config(`${REPLICA_DNS}traffic: {steps: [10, 100]}\n`))).not.toThrow();
    expect(() => refuseUnbuilt(config(`${LISTENER}traffic: {steps: [10, 100]}\n`))).not.toThrow();
    expect(UNBUILT).toEqual([]);
  });

  it('names keys that the schema knows', () => {
    type Json = { properties?: Record<string, Json>; oneOf?: Json[] };
    const members = (configJsonSchema() as Json).oneOf ?? [];
    const known = (keyPath: string) =>
      members.some((m) => keyPath.split('.').reduce<Json | undefined>((s, k) => s?.properties?.[k], m) !== undefined);
    expect(UNBUILT.map((u) => u.key)).not.toContain('gates.alarms');
    for (const { key } of UNBUILT) expect(known(key.split(':')[0] ?? ''), key).toBe(true);
  });
});

describe('strategyFor', () => {
  it('gives the built strategies, and an InputError for one the config accepts but is not built', () => {
    expect(strategyFor('replica-dns')).toBe(strategies['replica-dns']);
    expect(strategyFor('swap-instances')).toBe(strategies['swap-instances']);
    expect(strategyFor('replica-listener')).toBe(strategies['replica-listener']);
    expect(() => strategyFor('nope')).toThrow('unknown strategy nope');
  });
});

describe('plan and deploy', () => {
  async function file(text: string): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'bluegreen-unbuilt-'));
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
});
