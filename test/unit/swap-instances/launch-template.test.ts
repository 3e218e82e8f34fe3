/** `launch: template` with swap-instances: update-launch moves a group on a launch configuration to a new launch template. */
import { describe, expect, it } from 'vitest';
import { STEP } from '../../../src/strategies/swap-instances/index.js';
import { GROUP, NEW_IMAGE, swapConfig, USER_DATA } from './fixtures.js';
import { planned, stepOf, swapWorld, upTo } from './world.js';

const COPY = 'shop-swap-k3x9a';
const config = () => swapConfig({ launch: 'template' });

describe('swap-instances with launch: template', () => {
  it("plans the group's move to a launch template made from its launch configuration", async () => {
    const world = swapWorld();
    const { steps, plan } = await planned(world, config());
    const update = stepOf(steps, STEP.updateLaunch);
    expect(update.title).toBe(`Point ${GROUP} at launch template ${COPY} (from launch configuration shop-web-lc with image ${NEW_IMAGE})`);
    expect(update.creates).toEqual([{ type: 'launch-template', name: COPY }]);
    expect(update.params).toMatchObject({ kind: 'template-from-configuration', group: GROUP, name: COPY, source: 'shop-web-lc', image: NEW_IMAGE });
    expect(plan.warnings.join('\n')).not.toContain('consider moving');
  });

  it("points the group at the template (new image, the configuration's settings); undo points it back and deletes the template", async () => {
    const world = swapWorld();
    const { steps, registry } = await planned(world, config());
    const applied = upTo(steps, STEP.updateLaunch);
    await world.journal.applyAll(registry, applied);

    const g = await world.aws.groups.describeGroup(GROUP);
    expect(g?.LaunchTemplate).toEqual({ LaunchTemplateName: COPY, Version: '1' });
    expect(g?.LaunchConfigurationName).toBeUndefined();
    const version = await world.aws.launch.describeLaunchTemplateVersion({ name: COPY }, '1');
    expect(version?.LaunchTemplateData).toEqual({
      ImageId: NEW_IMAGE,
      InstanceType: 't3.small',
      KeyName: 'ops',
      SecurityGroupIds: ['sg-0123'],
      IamInstanceProfile: { Name: 'shop-web' },
      UserData: USER_DATA,
      Monitoring: { Enabled: true },
    });
    expect(await world.aws.launch.describeLaunchConfiguration(COPY)).toBeUndefined();
    expect(world.journal.outputs[STEP.updateLaunch]).toMatchObject({
      previous: { kind: 'configuration', name: 'shop-web-lc' },
      launchTemplate: COPY,
      image: NEW_IMAGE,
    });
    expect(JSON.stringify(world.journal.outputs)).not.toContain(USER_DATA);

    await world.journal.undoAll(registry, applied);
    const back = await world.aws.groups.describeGroup(GROUP);
    expect(back?.LaunchConfigurationName).toBe('shop-web-lc');
    expect(back?.LaunchTemplate).toBeUndefined();
    expect(await world.aws.launch.findLaunchTemplate(COPY)).toBeUndefined();
    expect(await world.aws.launch.describeLaunchConfiguration('shop-web-lc')).toBeDefined();
  });

  it('applying update-launch twice creates the template once and updates the group once', async () => {
    const world = swapWorld();
    const { steps, registry } = await planned(world, config());
    await world.journal.applyAll(registry, upTo(steps, STEP.waitHealthy));
    const update = stepOf(steps, STEP.updateLaunch);
    await world.journal.apply(registry, update);
    const after = world.aws.snapshot();
    await world.journal.apply(registry, update);
    expect(world.aws.callsTo('launch.createLaunchTemplate')).toHaveLength(1);
    expect(world.aws.callsTo('groups.updateGroup').filter(([input]) => (input as { LaunchTemplate?: unknown }).LaunchTemplate)).toHaveLength(1);
    expect(world.aws.snapshot()).toEqual(after);
    expect(world.journal.outputs[STEP.updateLaunch]?.previous).toEqual({ kind: 'configuration', name: 'shop-web-lc' });
  });

  it('changes nothing when the group already uses a launch template', async () => {
    const world = swapWorld({ launch: 'template' });
    const without = await planned(world, swapConfig());
    const withTemplate = await planned(world, config());
    expect(withTemplate.steps).toEqual(without.steps);
  });
});
