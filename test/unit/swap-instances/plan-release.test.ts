import { describe, expect, it } from 'vitest';
import { planBakeImage, planRelease, planRunCommands, planWaitReachable } from '../../../src/strategies/swap-instances/plan-release.js';
import { COMMANDS, FACTS, GROUP, NEW_IMAGE } from './fixtures.js';

const SSH = { address: 'private' as const, connectTimeoutSeconds: 10, connectionAttempts: 3, parallel: 4 };
const BY_SSH = { kind: 'commands' as const, commands: COMMANDS, via: 'ssh' as const };

describe('swap-instances step planners: a commands release', () => {
  it('planRelease: nothing for an image release; probe, run and bake for commands', () => {
    expect(planRelease(FACTS, { kind: 'image', image: NEW_IMAGE }, SSH)).toEqual([]);
    expect(planRelease(FACTS, BY_SSH, SSH).map((s) => s.id)).toEqual(['wait-reachable', 'run-commands', 'bake-image']);
  });

  it('planWaitReachable over SSH says how many attempts of how long', () => {
    expect(planWaitReachable(BY_SSH, SSH)).toEqual({
      id: 'wait-reachable',
      kind: 'swap-instances/wait-reachable',
      title: 'Wait until the new instances answer over ssh',
      params: { via: 'ssh', address: 'private', connectTimeoutSeconds: 10, attempts: 3, parallel: 4 },
      waits: 'until each answers over SSH (3 attempts of 10s)',
    });
  });

  it('planWaitReachable over SSM waits until each is Online', () => {
    expect(planWaitReachable({ ...BY_SSH, via: 'ssm' }, { ...SSH, address: 'public' })).toEqual({
      id: 'wait-reachable',
      kind: 'swap-instances/wait-reachable',
      title: 'Wait until the new instances answer over ssm',
      params: { via: 'ssm', address: 'public', connectTimeoutSeconds: 10, attempts: 3, parallel: 4 },
      waits: 'until each is Online in SSM',
    });
  });

  it('planRunCommands runs the release commands with the service and deployment in the environment', () => {
    expect(planRunCommands(FACTS, BY_SSH, SSH)).toEqual({
      id: 'run-commands',
      kind: 'swap-instances/run-commands',
      title: 'Run 3 release commands on the new instances over ssh',
      params: { via: 'ssh', address: 'private', commands: COMMANDS, env: { BLUEGREEN_SERVICE: 'shop', BLUEGREEN_DEPLOYMENT: 'k3x9a' }, parallel: 4 },
    });
    expect(planRunCommands(FACTS, { ...BY_SSH, commands: ['true'] }, SSH).title).toBe('Run 1 release command on the new instances over ssh');
  });

  it('planBakeImage bakes the named image from a new instance, tagged as ours', () => {
    expect(planBakeImage(FACTS)).toEqual({
      id: 'bake-image',
      kind: 'swap-instances/bake-image',
      title: 'Bake image shop-swap-k3x9a from a new instance (reboot first)',
      params: {
        name: 'shop-swap-k3x9a',
        reboot: true,
        description: `bluegreen k3x9a: shop baked from a new instance of ${GROUP}`,
        tags: [
          { Key: 'Name', Value: 'shop-swap-k3x9a' },
          { Key: 'bluegreen:service', Value: 'shop' },
          { Key: 'bluegreen:deployment', Value: 'k3x9a' },
        ],
        timeoutSeconds: 3600,
        intervalSeconds: 15,
      },
      creates: [{ type: 'image', name: 'shop-swap-k3x9a' }],
      waits: 'until the image is available (timeout 3600s)',
    });
  });

  it('planBakeImage with bake.reboot false: NoReboot, and the title says so', () => {
    const step = planBakeImage(FACTS, false);
    expect(step.title).toBe('Bake image shop-swap-k3x9a from a new instance (no reboot)');
    expect(step.params).toMatchObject({ reboot: false });
    expect(planRelease(FACTS, BY_SSH, SSH, false).at(-1)?.params).toMatchObject({ reboot: false });
  });
});
