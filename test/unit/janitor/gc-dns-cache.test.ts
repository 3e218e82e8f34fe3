/**
 * Issue 10 item 7, the janitor: never delete a load balancer a record pointed at less than the DNS cache
 * time (plus its connection draining) ago. Three deployments in a row, minutes apart, with retire.after 0s
 * and retire.action keep: the first one's green is neither live nor the rollback target, but the second
 * deployment moved the record off it moments ago, so clients that cached the record still send it requests.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cachedProtections } from '../../../src/janitor/protect.js';
import * as ops from '../../../src/operations.js';
import { journalOf } from '../engine/journal.js';
import { blueWorld, NEW_IMAGE, RECORD, ZONE, type World } from '../replica-dns/world.js';

let dir: string;
let configFile: string;
let world: World;

const CONFIG = `service: shop
strategy: replica-dns
blue: {autoScalingGroup: shop-web}
release: {image: ${NEW_IMAGE}}
dns: {hostedZoneId: ${ZONE}, name: ${RECORD}}
health: {timeout: 300s, interval: 10s}
retire: {after: 0s, action: keep}
`;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bluegreen-gc-cache-'));
  configFile = path.join(dir, 'bluegreen.yml');
  await writeFile(configFile, CONFIG);
  world = blueWorld();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const options = () => ({ configFile, ports: world.aws, clock: world.clock });

async function deployOnce(): Promise<{ id: string; green: string }> {
  const journal = await ops.deploy(options());
  expect(journal?.status).toBe('succeeded');
  return { id: journal!.deploymentId, green: (journal!.summary as { green: { group: string } }).green.group };
}

describe('gc and DNS caches', () => {
  it('keeps a load balancer the record moved off moments ago (a previous deployment says until when); deletes it once that has passed', async () => {
    const first = await deployOnce();
    const second = await deployOnce(); // moves the record off first.green
    await deployOnce();

    const now = await ops.gc(options());
    const kept = Object.fromEntries(now.plan.keep.map((k) => [`${k.type} ${k.name}`, k.why]));
    expect(now.plan.remove.map((r) => r.name)).not.toContain(first.green);
    expect(kept[`load-balancer ${first.green}`]).toMatch(
      new RegExp(
        `^a DNS record moved off it recently: clients that cached it may send it requests until \\S+ \\(\\d+s from now; deployment ${second.id}, step switch-dns\\)$`,
      ),
    );
    expect(kept[`auto-scaling-group ${first.green}`]).toMatch(/a DNS record moved off it recently/);

    // The alias TTL (60s) and green's connection draining (120s, blue's) later, it goes.
    world.clock.advance(181_000);
    const later = await ops.gc({ ...options(), yes: true });
    expect(later.plan.remove.map((r) => `${r.type} ${r.name}`)).toContain(`load-balancer ${first.green}`);
    expect(world.aws.state.loadBalancers.has(first.green)).toBe(false);
  });

  it('cachedProtections: each well-formed entry still in the future, from any journal given', () => {
    const at = Date.UTC(2026, 0, 1);
    const j = journalOf('rolled-back', [], { deploymentId: 'ccccc' });
    j.steps = [
      {
        id: 'switch-dns',
        kind: 'replica-dns/switch-dns',
        title: 't',
        params: {},
        state: 'done',
        outputs: { cachedUntil: { a: at + 1000, b: at, c: 'x' } },
      },
    ];
    expect(cachedProtections([undefined, j], at)).toEqual([
      {
        resource: { type: 'load-balancer', name: 'a' },
        why: 'a DNS record moved off it recently: clients that cached it may send it requests until 2026-01-01T00:00:01.000Z (1s from now; deployment ccccc, step switch-dns)',
      },
    ]);
  });
});
