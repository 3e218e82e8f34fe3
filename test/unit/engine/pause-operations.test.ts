/**
 * deploy --pause-before-switch, promote, resume and rollback of a paused deployment through the
 * operations (config file, journal on disk, lock), with replica-dns on the in-memory AWS and a virtual clock.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EVENT, type EngineEvent } from '../../../src/engine/events.js';
import type { Journal } from '../../../src/engine/types.js';
import { EXIT, exitCodeOf, InputError } from '../../../src/errors.js';
import * as ops from '../../../src/operations.js';
import { FileLock } from '../../../src/state/file-store.js';
import { replicaDns } from '../../../src/strategies/replica-dns/index.js';
import { blueWorld, NEW_IMAGE, RECORD, ZONE, type World } from '../replica-dns/world.js';

let dir: string;
let configFile: string;
let world: World;
let events: EngineEvent[];

const CONFIG = `service: shop
strategy: replica-dns
blue: {autoScalingGroup: shop-web}
release: {image: ${NEW_IMAGE}}
dns: {hostedZoneId: ${ZONE}, name: ${RECORD}}
health: {timeout: 300s, interval: 10s}
retire: {after: 60s, action: scale-to-zero}
`;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bluegreen-pause-'));
  configFile = path.join(dir, 'bluegreen.yml');
  await writeFile(configFile, CONFIG);
  world = blueWorld();
  events = [];
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const options = () => ({ configFile, ports: world.aws, clock: world.clock, onEvent: (e: EngineEvent) => events.push(e) });
const cmd = (verb: string) => `bluegreen ${verb} -c ${configFile}`;

async function onDisk(): Promise<Journal> {
  return JSON.parse(await readFile(path.join(dir, '.bluegreen', 'shop', 'journal.json'), 'utf8')) as Journal;
}

async function recordTarget(): Promise<string | undefined> {
  return (await world.aws.dns.getRecord(ZONE, RECORD, 'A'))?.AliasTarget?.DNSName;
}

async function refusal(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  expect(exitCodeOf(error)).toBe(EXIT.badInput);
  return error as InputError;
}

async function pausedDeployment(): Promise<Journal> {
  const journal = await ops.deploy({ ...options(), pauseBeforeSwitch: true });
  expect(journal?.status).toBe('paused');
  return journal!;
}

describe('deploy --pause-before-switch', () => {
  it('builds green, stops before switch-dns with the record still on blue, and releases the lock', async () => {
    const blueTarget = await recordTarget();
    const journal = await pausedDeployment();
    expect(journal.pauseBefore).toBe('switch-dns');
    const stored = await onDisk();
    expect(stored.status).toBe('paused');
    expect(stored.pauseBefore).toBe('switch-dns');
    const byId = Object.fromEntries(stored.steps.map((s) => [s.id, s.state]));
    expect(byId['wait-healthy']).toBe('done');
    expect(byId['switch-dns']).toBe('pending');
    expect(byId['retire-blue']).toBe('pending');
    expect(await recordTarget()).toBe(blueTarget);
    expect(world.aws.callsTo('dns.changeRecord')).toHaveLength(0);
    expect(events.find((e) => e.event === EVENT.deploymentPaused)).toMatchObject({
      stepId: 'switch-dns',
      next: cmd('promote'),
      rollback: cmd('rollback'),
    });
    expect(await new FileLock(path.join(dir, '.bluegreen'), 'shop', cmd('unlock')).read()).toBeUndefined();
  });

  it('status names paused, the live color blue, and promote and rollback as the next commands', async () => {
    await pausedDeployment();
    const report = await ops.status({ configFile });
    expect(report.journal?.status).toBe('paused');
    expect(report.liveColor).toBe((report.journal?.summary as { blue: { color: string } }).blue.color);
    expect(report.next).toEqual([cmd('promote'), cmd('rollback')]);
  });

  it('history shows the paused deployment and the step it stopped before', async () => {
    await pausedDeployment();
    const [entry] = await ops.deploymentHistory({ configFile });
    expect(entry).toMatchObject({ status: 'paused', pausedBefore: { id: 'switch-dns' } });
    expect(entry?.failedStep).toBeUndefined();
  });

  it('resume refuses a paused deployment, naming promote and rollback, and changes nothing', async () => {
    const journal = await pausedDeployment();
    const calls = world.aws.calls.length;
    const error = await refusal(ops.resume(options()));
    expect(error.message).toBe(
      `deployment ${journal.deploymentId} is paused before step switch-dns (${journal.steps.find((s) => s.id === 'switch-dns')?.title}): run \`${cmd('promote')}\` to go on, or \`${cmd('rollback')}\` to return to blue`,
    );
    expect(world.aws.calls.length).toBe(calls);
    expect((await onDisk()).status).toBe('paused');
  });

  it('a new deploy is refused while one is paused, naming promote and rollback', async () => {
    const journal = await pausedDeployment();
    const error = await refusal(ops.deploy(options()));
    expect(error.message).toContain(`deployment ${journal.deploymentId} of shop is paused before step switch-dns`);
    expect(error.message).toContain(cmd('promote'));
    expect(error.message).toContain(cmd('rollback'));
    expect((await onDisk()).deploymentId).toBe(journal.deploymentId);
  });

  it('promote moves the record to green and finishes; the journal no longer asks for a pause', async () => {
    const journal = await pausedDeployment();
    events.length = 0;
    const done = await ops.promote(options());
    expect(done.status).toBe('succeeded');
    expect(done.deploymentId).toBe(journal.deploymentId);
    expect((await onDisk()).pauseBefore).toBeUndefined();
    expect(events[0]).toMatchObject({ event: EVENT.deploymentStarted, mode: 'promote' });
    expect(events.filter((e) => e.event === EVENT.stepStarted).map((e) => (e as { stepId: string }).stepId)).toEqual([
      'switch-dns',
      'settle-green',
      'wait-retire',
      'retire-blue',
    ]);
    const green = (done.summary as { green: { loadBalancer: string } }).green.loadBalancer;
    expect((await recordTarget())?.toLowerCase()).toContain(green.toLowerCase());
    // Nothing is paused any more: a second promote says what the deployment is and what fits.
    const again = await refusal(ops.promote(options()));
    expect(again.message).toMatch(/is not paused: it succeeded/);
  });

  it('promote asks with the steps still to run, and a no changes nothing', async () => {
    await pausedDeployment();
    let asked: string[] = [];
    const result = await ops.promote({
      ...options(),
      confirm: async (plan) => {
        asked = plan.steps.map((s) => s.id);
        return false;
      },
    });
    expect(asked).toEqual(['switch-dns', 'settle-green', 'wait-retire', 'retire-blue']);
    expect(result.status).toBe('paused');
    const stored = await onDisk();
    expect(stored.status).toBe('paused');
    expect(stored.pauseBefore).toBe('switch-dns');
  });

  it('promote refuses a deployment that is not paused, saying its status and the command that fits', async () => {
    await refusal(ops.promote(options())); // no deployment at all
    world.aws.failOn('groups.suspendProcesses');
    await expect(ops.deploy({ ...options(), pauseBeforeSwitch: true })).rejects.toThrow(/stopped at step create-group/);
    const failed = await refusal(ops.promote(options()));
    expect(failed.message).toContain('is not paused: it is failed');
    expect(failed.message).toContain(cmd('resume'));
    expect(failed.message).toContain(cmd('rollback'));
    // The deploy asked for a pause: resuming it after the failure still stops before the switch.
    const resumed = await ops.resume(options());
    expect(resumed.status).toBe('paused');
    expect(world.aws.callsTo('dns.changeRecord')).toHaveLength(0);
  });

  it('rollback from paused removes green and leaves AWS as it was', async () => {
    const before = world.aws.snapshot();
    await pausedDeployment();
    const back = await ops.rollback(options());
    expect(back.status).toBe('rolled-back');
    expect(world.aws.snapshot()).toEqual(before);
    expect(await refusal(ops.promote(options()))).toHaveProperty('message', expect.stringMatching(/is not paused: it was rolled back/));
  });
});

describe('--pause-before-switch with a plan that has no pause point', () => {
  it('is refused with exit 2 naming the strategy, before any change: no journal, no AWS change, lock free', async () => {
    const original = replicaDns.plan.bind(replicaDns);
    vi.spyOn(replicaDns, 'plan').mockImplementation((config, observed, id) => {
      const plan = original(config, observed, id);
      return { ...plan, steps: plan.steps.map(({ pausePoint: _drop, ...step }) => step) };
    });
    const before = world.aws.snapshot();
    let asked = false;
    const error = await refusal(
      ops.deploy({
        ...options(),
        pauseBeforeSwitch: true,
        confirm: async () => (asked = true),
      }),
    );
    expect(error.message).toContain('strategy replica-dns has no step to pause before');
    expect(asked).toBe(false);
    expect(world.aws.snapshot()).toEqual(before);
    await expect(readFile(path.join(dir, '.bluegreen', 'shop', 'journal.json'), 'utf8')).rejects.toThrow(/ENOENT/);
    expect(await new FileLock(path.join(dir, '.bluegreen'), 'shop', cmd('unlock')).read()).toBeUndefined();
    // plan --pause-before-switch says the same; plan without it is fine.
    expect((await refusal(ops.plan({ ...options(), pauseBeforeSwitch: true }))).message).toContain(
      'strategy replica-dns has no step to pause before',
    );
    expect((await ops.plan(options())).pauseBefore).toBeUndefined();
  });

  it('plan --pause-before-switch names the step deploy would stop before', async () => {
    expect((await ops.plan({ ...options(), pauseBeforeSwitch: true })).pauseBefore).toBe('switch-dns');
  });
});
