/**
 * The command line as users meet it: help, version, usage errors, config errors, resources that do
 * not exist (exit 2, nothing changed), and `plan` (changes nothing). Runs the built CLI against a moto
 * server of this file's own.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildBlueStack, configYaml, snapshotAws, writeConfig, type BlueStack } from '../support/blue-stack.js';
import { CLI, ROOT, jsonLines, runCli } from '../support/cli.js';
import { awsEnv, startMoto, type Moto } from '../support/moto.js';

const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const COMMANDS = ['plan', 'deploy', 'resume', 'promote', 'rollback', 'status', 'unlock', 'history', 'iam-policy'] as const;

describe('without AWS', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bluegreen-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('--version prints the version of package.json and exits 0', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('--version loads main.js alone; --help the bundle and neither the operations nor the AWS SDK', async () => {
    const traced = async (args: string[]) => {
      const trace = join(dir, `trace-${args[0]}.txt`);
      const r = await runCli(args, { nodeArgs: ['--import', join(ROOT, 'test/support/trace-imports.mjs')], env: { TRACE_IMPORTS_FILE: trace } });
      expect(r.code).toBe(0);
      return (await readFile(trace, 'utf8')).split('\n').filter((url) => url.startsWith('file:'));
    };
    expect(await traced(['--version'])).toEqual([pathToFileURL(CLI).href]);
    // The bundle (scripts/build-cli.mjs) holds our modules, zod, yaml and commander: besides it only main.js and
    // the code cache's module are files; which bundled modules run is test/unit/operations/lazy-modules.test.ts's.
    const help = await traced(['deploy', '--help']);
    expect(help).toContain(pathToFileURL(join(ROOT, 'dist/cli/cli.cjs')).href);
    expect(help.filter((url) => url.includes('/dist/'))).toHaveLength(3);
    expect(help.join('\n')).not.toMatch(/@aws-sdk|@smithy|operations\.js|@clack|listr2|zod|yaml/);
  });

  it('--debug prints a stack trace that names the lines of src/', async () => {
    const r = await runCli(['plan', '-c', join(dir, 'no-such.yml'), '--debug']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/at .*src\/config\/load\.ts:\d+:\d+/);
    expect(r.stderr).toMatch(/at .*src\/cli\/commands\/plan\.ts:\d+:\d+/);
  });

  it('--version is fast', async () => {
    await runCli(['--version']); // warm the file cache
    const start = performance.now();
    const r = await runCli(['--version']);
    const elapsed = performance.now() - start;
    expect(r.code).toBe(0);
    // The target is < 150 ms on an idle machine; CI shares 2 cores with other test files, so allow slack.
    expect(elapsed).toBeLessThan(1500);
  });

  it('--help lists every command and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: bluegreen');
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(r.stdout).toContain('Exit codes');
  });

  it.each(COMMANDS)('%s --help teaches: a description, -c/--config defaulting to ./bluegreen.yml, an example', async (command) => {
    const r = await runCli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: bluegreen ${command}`);
    expect(r.stdout).toContain('-c, --config <file>');
    expect(r.stdout).toContain('./bluegreen.yml');
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain(`$ bluegreen ${command}`);
    if (['deploy', 'resume', 'promote', 'rollback', 'unlock'].includes(command)) expect(r.stdout).toContain('--yes');
    if (command !== 'unlock') expect(r.stdout).toContain('--output <format>');
  });

  it('an unknown option exits 2', async () => {
    const r = await runCli(['deploy', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--bogus'");
    expect(r.stdout).toBe('');
  });

  it('a missing option argument, an unknown command, a bad --output and no command all exit 2', async () => {
    for (const args of [['plan', '--config'], ['deploi'], ['status', '--output', 'xml'], []]) {
      const r = await runCli(args);
      expect(r.code, `bluegreen ${args.join(' ')}\n${r.stderr}`).toBe(2);
    }
  });

  it('a config file that does not exist exits 2 and names it', async () => {
    const r = await runCli(['plan', '-c', 'nowhere.yml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*nowhere\.yml/m);
    expect(r.stderr).not.toContain('this is a bug');
  });

  it('a bad config exits 2 naming file:line and the key', async () => {
    const file = join(dir, 'bad.yml');
    await writeFile(
      file,
      [
        'service: shop',
        'strategy: replica-dns',
        'blue:',
        '  autoScalingGroup: shop-blue',
        'release:',
        '  image: ami-0123456789abcdef0',
        'dns:',
        '  hostedZoneId: Z0123456789ABC',
        '  name: shop.example.com',
        'retire:',
        '  action: explode',
        '',
      ].join('\n'),
    );
    const r = await runCli(['plan', '-c', 'bad.yml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yml:11\b/);
    expect(r.stderr).toContain('retire.action');
    expect(r.stderr).not.toMatch(/^\s+at /m); // no stack without --debug
    expect(r.stdout).toBe('');
  });

  it('--debug and BLUEGREEN_DEBUG=1 add a stack trace', async () => {
    const a = await runCli(['plan', '-c', 'nowhere.yml', '--debug'], { cwd: dir });
    const b = await runCli(['plan', '-c', 'nowhere.yml'], { cwd: dir, env: { BLUEGREEN_DEBUG: '1' } });
    for (const r of [a, b]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^\s+at /m);
    }
  });
});

describe('against moto', () => {
  let moto: Moto;
  let env: Record<string, string>;
  let stack: BlueStack;
  let dir: string;

  beforeAll(async () => {
    moto = await startMoto();
    env = awsEnv(moto.endpoint);
  });
  afterAll(async () => {
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    stack = await buildBlueStack(moto.endpoint);
    dir = (await writeConfig(stack)).dir;
    return () => rm(dir, { recursive: true, force: true });
  });

  it('plan lists the ordered steps and changes nothing', async () => {
    const before = await snapshotAws(moto.endpoint);
    const r = await runCli(['plan', '-c', 'bluegreen.yml'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\s+1\. /m);
    expect(r.stdout).toMatch(/^\s+2\. /m);
    expect(r.stdout).toContain('creates ');
    expect(r.stdout).toContain(stack.releaseImageId);
    expect(r.stderr).toContain('nothing was changed');
    expect(await snapshotAws(moto.endpoint)).toEqual(before);
  });

  it('plan --output json prints the Plan as one JSON object and nothing else', async () => {
    const before = await snapshotAws(moto.endpoint);
    const r = await runCli(['plan', '-c', 'bluegreen.yml', '--output', 'json'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(1);
    const plan = lines[0] as { deploymentId: string; steps: Array<{ id: string; title: string; kind: string }>; warnings: string[] };
    expect(typeof plan.deploymentId).toBe('string');
    expect(plan.steps.length).toBeGreaterThan(2);
    expect(new Set(plan.steps.map((s) => s.id)).size).toBe(plan.steps.length);
    expect(Array.isArray(plan.warnings)).toBe(true);
    expect(await snapshotAws(moto.endpoint)).toEqual(before);
  });

  it('plan --image overrides release.image', async () => {
    const r = await runCli(['plan', '-c', 'bluegreen.yml', '--output', 'json', '--image', stack.blueImageId], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(stack.blueImageId);
  });

  it('deploy --image with a malformed AMI id exits 2', async () => {
    const r = await runCli(['deploy', '-c', 'bluegreen.yml', '--yes', '--image', 'not-an-ami'], { cwd: dir, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*not-an-ami/m);
  });

  const missing: Array<[string, (s: BlueStack) => Parameters<typeof configYaml>[1], RegExp]> = [
    ['blue group', () => ({ groupName: 'shop-nowhere' }), /shop-nowhere/],
    ['hosted zone', () => ({ hostedZoneId: 'ZNOSUCHZONE123' }), /ZNOSUCHZONE123/],
    ['record', () => ({ recordName: 'nowhere.example.com' }), /nowhere\.example\.com/],
    ['image', () => ({ image: 'ami-0123456789abcdef0' }), /ami-0123456789abcdef0/],
  ];
  for (const [what, overrides, names] of missing) {
    it(`a missing ${what} exits 2 from plan and deploy --yes, naming it, and changes nothing`, async () => {
      await writeFile(join(dir, 'bluegreen.yml'), configYaml(stack, overrides(stack)));
      const before = await snapshotAws(moto.endpoint);
      for (const command of ['plan', 'deploy']) {
        const r = await runCli(
          [command, '-c', 'bluegreen.yml', '--yes'].filter((a) => command === 'deploy' || a !== '--yes'),
          { cwd: dir, env },
        );
        expect(r.code, `${command}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(/^error: /m);
        expect(r.stderr).toMatch(names);
        expect(r.stderr).not.toContain('this is a bug');
      }
      expect(await snapshotAws(moto.endpoint)).toEqual(before);
    });
  }

  it('deploy without --yes, stdin not a terminal: exits 2, says to pass --yes, changes nothing', async () => {
    const before = await snapshotAws(moto.endpoint);
    const r = await runCli(['deploy', '-c', 'bluegreen.yml'], { cwd: dir, env, input: 'y\n' });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('stdin is not a terminal: pass --yes to deploy');
    expect(await snapshotAws(moto.endpoint)).toEqual(before);
    const status = await runCli(['status', '-c', 'bluegreen.yml', '--output', 'json'], { cwd: dir, env });
    expect(status.code, status.stderr).toBe(0);
    const report = jsonLines(status.stdout)[0] as { journal?: unknown; lock?: unknown };
    expect(report.journal).toBeUndefined();
    expect(report.lock).toBeUndefined();
  });

  it('rollback, resume and unlock without --yes never prompt when stdin is not a terminal', async () => {
    for (const command of ['rollback', 'resume']) {
      const r = await runCli([command, '-c', 'bluegreen.yml'], { cwd: dir, env });
      expect(r.code, `${command}: ${r.stderr}`).toBe(2); // nothing to roll back or resume, or not a terminal: bad input either way
    }
    const u = await runCli(['unlock', '-c', 'bluegreen.yml'], { cwd: dir, env });
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toContain('no lock held');
  });

  it('status before any deployment says so; --output json prints the StatusReport alone', async () => {
    const text = await runCli(['status', '-c', 'bluegreen.yml'], { cwd: dir, env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Service:    shop');
    expect(text.stdout).toContain('never deployed');
    const json = await runCli(['status', '-c', 'bluegreen.yml', '--output', 'json'], { cwd: dir, env });
    expect(json.code, json.stderr).toBe(0);
    const lines = jsonLines(json.stdout);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ service: 'shop' });
  });

  it('unlock --yes with no lock says "no lock held"', async () => {
    const r = await runCli(['unlock', '-c', 'bluegreen.yml', '--yes'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('no lock held');
  });
});
