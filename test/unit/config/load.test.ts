import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { canonicalJson, configDigest, expandHome, loadConfig, parseConfigText } from '../../../src/config/load.js';
import { anyStrategySchema, describeRelease, strategySchemas, toConfig } from '../../../src/config/schema.js';
import { ConfigError, EXIT, exitCodeOf, InputError } from '../../../src/errors.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/config');
const fixture = (name: string) => path.join(FIXTURES, name);

/**
 * Every invalid-*.yml fixture, with the one problem it must report: where (line:column), which key path,
 * and a fragment of the message (what was expected, what was found).
 */
const INVALID: Record<string, { at: `${number}:${number}`; path: string; message: string }> = {
  'invalid-service-number.yml': {
    at: '2:10',
    path: 'service',
    message: 'expected 1-20 characters of a-z, 0-9 and -, starting and ending with a letter or digit, got the number 12345',
  },
  'invalid-service-too-long.yml': {
    at: '2:10',
    path: 'service',
    message: 'expected 1-20 characters of a-z, 0-9 and -, starting and ending with a letter or digit, got "shop-frontend-service"',
  },
  'invalid-service-chars.yml': { at: '2:10', path: 'service', message: 'got "Shop_Web"' },
  'invalid-unknown-top-key.yml': {
    at: '11:1',
    path: 'servce',
    message:
      'unknown key "servce" (did you mean "service"?); expected one of: service, region, strategy, blue, release, bake, launch, dns, health, hooks, traffic, gates, retire, state, ssh',
  },
  'invalid-unknown-nested-key.yml': {
    at: '13:3',
    path: 'retire.afetr',
    message: 'unknown key "afetr" (did you mean "after"?); expected one of: after, action, untilRequestsBelow',
  },
  'invalid-missing-release.yml': {
    at: '2:1',
    path: 'release',
    message: 'missing required key (What to deploy: an image that holds the new code, or commands that put it on instances.)',
  },
  'invalid-missing-dns-name.yml': {
    at: '8:1',
    path: 'dns.name',
    message: 'missing required key for strategy replica-dns (The alias A record that users resolve.)',
  },
  'invalid-missing-dns.yml': {
    at: '2:1',
    path: 'dns',
    message: 'missing required key for strategy replica-dns (The Route 53 alias record that the switch moves.)',
  },
  'invalid-missing-strategy.yml': {
    at: '2:1',
    path: 'strategy',
    message: 'missing required key (How green is built and traffic moved: replica-dns (',
  },
  'invalid-listener-missing.yml': {
    at: '2:1',
    path: 'listener',
    message: 'missing required key for strategy replica-listener (The ALB or NLB listener that the switch moves.)',
  },
  'invalid-listener-arn.yml': {
    at: '9:8',
    path: 'listener.arn',
    message:
      'expected an Application or Network Load Balancer listener\'s ARN such as arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/0123456789abcdef/0123456789abcdef, got "arn:aws:elasticloadbalancing:us-east-1:123456789012:targe..."',
  },
  'invalid-listener-region.yml': {
    at: '10:8',
    path: 'listener.arn',
    message: 'expected a listener in region eu-west-1 (the region key), got one in us-east-1',
  },
  'invalid-listener-dns.yml': { at: '10:1', path: 'dns', message: 'dns is used only by strategy replica-dns, not by replica-listener: remove it' },
  'invalid-dns-listener.yml': {
    at: '11:1',
    path: 'listener',
    message: 'listener is used only by strategy replica-listener, not by replica-dns: remove it',
  },
  'invalid-traffic-steps-decreasing.yml': {
    at: '11:19',
    path: 'traffic.steps[2]',
    message: 'expected more than the step before (50): the steps only move traffic toward green, got the number 25',
  },
  'invalid-traffic-steps-last-not-100.yml': {
    at: '11:15',
    path: 'traffic.steps[1]',
    message: 'expected the last step to be 100 (every request on green), got the number 50',
  },
  'invalid-traffic-step-over-100.yml': { at: '14:7', path: 'traffic.steps[1]', message: 'expected a whole number from 1 to 100, got the number 150' },
  'invalid-traffic-steps-too-many.yml': {
    at: '11:10',
    path: 'traffic.steps',
    message: 'expected 1 to 10 percents such as [10, 50, 100], got a list of 11 items',
  },
  'invalid-traffic-missing-steps.yml': {
    at: '10:1',
    path: 'traffic.steps',
    message:
      'missing required key for strategy replica-listener (Percent of requests on green at each step: 1 to 10 whole numbers from 1 to 100, strictly increasing, the last 100.)',
  },
  'invalid-traffic-stickiness-too-long.yml': {
    at: '13:15',
    path: 'traffic.stickiness.duration',
    message: 'expected at most 168h (604800s, 7 days: what AWS allows), got "200h"',
  },
  'invalid-dns-traffic-stickiness.yml': {
    at: '13:3',
    path: 'traffic.stickiness',
    message: 'traffic.stickiness is used only by strategy replica-listener, not by replica-dns: remove it',
  },
  'invalid-listener-also-attached.yml': {
    at: '10:31',
    path: 'listener.alsoAttached[1]',
    message:
      'expected the name of a target group or classic load balancer (1-32 letters, digits or hyphens), or a target group ARN, got "shop_admin"',
  },
  'invalid-traffic-hold.yml': { at: '13:9', path: 'traffic.hold', message: 'expected a duration such as 0s, 90s, 5m or 1h30m, got the number 300' },
  'invalid-swap-traffic.yml': {
    at: '8:1',
    path: 'traffic',
    message: 'traffic is used only by strategy replica-dns and replica-listener, not by swap-instances: remove it',
  },
  'invalid-swap-gates.yml': {
    at: '8:1',
    path: 'gates',
    message: 'gates is used only by strategy replica-dns and replica-listener, not by swap-instances: remove it',
  },
  'invalid-swap-until-requests.yml': {
    at: '10:3',
    path: 'retire.untilRequestsBelow',
    message: 'retire.untilRequestsBelow is used only by strategy replica-dns and replica-listener, not by swap-instances: remove it',
  },
  'invalid-gates-empty.yml': { at: '10:8', path: 'gates', message: 'expected at least one of alarms or http' },
  'invalid-gates-alarm-duplicate.yml': {
    at: '14:7',
    path: 'gates.alarms[2]',
    message: 'expected each alarm once (also gates.alarms[0]), got "shop-5xx"',
  },
  'invalid-gates-alarms-too-many.yml': { at: '11:11', path: 'gates.alarms', message: 'expected 1 to 20 alarm names, got a list of 21 items' },
  'invalid-gates-alarm-name-too-long.yml': {
    at: '12:7',
    path: 'gates.alarms[0]',
    message: 'expected a CloudWatch alarm name (1-255 characters, no control characters), got "aaaa',
  },
  'invalid-gates-http-placeholder.yml': {
    at: '12:12',
    path: 'gates.http[0].url',
    message: 'unknown placeholder {green.dns}; the only placeholder is {green.target}, got "http://{green.dns}/health"',
  },
  'invalid-gates-http-listener-dns-placeholder.yml': {
    at: '12:12',
    path: 'gates.http[0].url',
    message:
      "{green.loadBalancerDns} is the placeholder of replica-dns; with replica-listener the placeholder is {green.target}, the <private ip>:<port> of each healthy target of green's target group",
  },
  'invalid-gates-http-dns-target-placeholder.yml': {
    at: '13:12',
    path: 'gates.http[0].url',
    message:
      '{green.target} is the placeholder of replica-listener; with replica-dns the placeholder is {green.loadBalancerDns}, the DNS name of the load balancer in front of green',
  },
  'invalid-gates-http-no-placeholder.yml': {
    at: '13:12',
    path: 'gates.http[0].url',
    message:
      'expected the URL to name green by {green.loadBalancerDns} (without it, the check would not reach green), got "https://shop.example.com/health"',
  },
  'invalid-gates-http-scheme.yml': {
    at: '12:12',
    path: 'gates.http[0].url',
    message: 'expected an http:// or https:// URL such as http://{green.target}/health, got "ftp://{green.target}/health"',
  },
  'invalid-gates-http-expect.yml': {
    at: '13:15',
    path: 'gates.http[0].expect',
    message: 'expected a whole number from 100 to 599, got the number 600',
  },
  'invalid-gates-http-tries.yml': { at: '13:14', path: 'gates.http[0].tries', message: 'expected a whole number from 1 to 20, got the number 0' },
  'invalid-gates-http-interval-zero.yml': { at: '14:17', path: 'gates.http[0].interval', message: 'expected more than 0s, got "0s"' },
  'invalid-gates-http-unknown-key.yml': {
    at: '13:7',
    path: 'gates.http[0].expected',
    message: 'unknown key "expected" (did you mean "expect"?); expected one of: url, expect, tries, interval',
  },
  'invalid-retire-until-requests-zero.yml': {
    at: '11:23',
    path: 'retire.untilRequestsBelow',
    message:
      'expected a number of requests per minute, more than 0 (1 means none: blue is retired once it gets fewer than 1 a minute), got the number 0',
  },
  'invalid-launch.yml': { at: '8:9', path: 'launch', message: 'expected one of: template, got "configuration"' },
  'invalid-section-not-mapping.yml': { at: '4:7', path: 'blue', message: 'expected a mapping, got "shop-blue"' },
  'invalid-type-asg-list.yml': {
    at: '5:21',
    path: 'blue.autoScalingGroup',
    message: 'expected the name of an Auto Scaling group, got a list of 2 items',
  },
  'invalid-duration-bare-number.yml': {
    at: '12:12',
    path: 'health.timeout',
    message: 'expected a duration such as 0s, 90s, 5m or 1h30m, got the number 300',
  },
  'invalid-duration-unit.yml': { at: '12:10', path: 'retire.after', message: 'expected a duration such as 0s, 90s, 5m or 1h30m, got "5min"' },
  'invalid-duration-fraction.yml': { at: '12:12', path: 'health.timeout', message: 'expected a duration such as 0s, 90s, 5m or 1h30m, got "1.5h"' },
  'invalid-interval-zero.yml': { at: '12:13', path: 'health.interval', message: 'expected more than 0s, got "0s"' },
  'invalid-interval-over-timeout.yml': { at: '13:13', path: 'health.interval', message: 'expected at most health.timeout (1m), got "90s"' },
  'invalid-ami.yml': {
    at: '7:10',
    path: 'release.image',
    message: 'expected an AMI id such as ami-0123456789abcdef0 (ami- and 8 or 17 hex digits), got "ami-12345"',
  },
  'invalid-zone.yml': {
    at: '9:17',
    path: 'dns.hostedZoneId',
    message: 'expected a Route 53 hosted zone id such as Z0123456789ABC, got "shop.example.com"',
  },
  'invalid-dns-name.yml': { at: '10:9', path: 'dns.name', message: 'expected a DNS name such as shop.example.com, got "shop example.com"' },
  'invalid-strategy.yml': {
    at: '3:11',
    path: 'strategy',
    message: 'expected one of: replica-dns, swap-instances, replica-listener, got "blue-green"',
  },
  'invalid-swap-dns.yml': { at: '8:1', path: 'dns', message: 'dns is used only by strategy replica-dns, not by swap-instances: remove it' },
  'invalid-swap-retire-action.yml': {
    at: '10:3',
    path: 'retire.action',
    message: 'retire.action is used only by strategy replica-dns and replica-listener, not by swap-instances: remove it',
  },
  'invalid-release-both.yml': {
    at: '7:3',
    path: 'release',
    message: 'expected exactly one of image (an AMI id) or commands (a list of commands), got both',
  },
  'invalid-release-neither.yml': {
    at: '7:3',
    path: 'release',
    message: 'expected exactly one of image (an AMI id) or commands (a list of commands), got neither',
  },
  'invalid-release-commands-empty.yml': { at: '7:13', path: 'release.commands', message: 'expected at least one command, got an empty list' },
  'invalid-release-commands-not-list.yml': {
    at: '7:13',
    path: 'release.commands',
    message: 'expected a list of commands, got "sudo /opt/app/update.sh 42"',
  },
  'invalid-release-command-blank.yml': { at: '9:7', path: 'release.commands[1]', message: 'expected a command (text that is not blank), got "  "' },
  'invalid-release-via-without-commands.yml': {
    at: '8:8',
    path: 'release.via',
    message: 'used only with release.commands (an image release runs no commands): remove it',
  },
  'invalid-release-via.yml': { at: '9:8', path: 'release.via', message: 'expected one of: ssh, ssm, got "scp"' },
  'invalid-bake-with-image.yml': {
    at: '9:3',
    path: 'bake',
    message: 'used only with release.commands (an image release bakes no image): remove it',
  },
  'invalid-bake-reboot.yml': { at: '9:11', path: 'bake.reboot', message: 'expected true or false, got "sometimes"' },
  'invalid-ssh-address.yml': { at: '10:12', path: 'ssh.address', message: 'expected one of: private, public, dns, got "ipv6"' },
  'invalid-ssh-parallel-zero.yml': { at: '10:13', path: 'ssh.parallel', message: 'expected a whole number from 1 to 100, got the number 0' },
  'invalid-ssh-attempts-over.yml': {
    at: '10:23',
    path: 'ssh.connectionAttempts',
    message: 'expected a whole number from 1 to 20, got the number 21',
  },
  'invalid-ssh-unknown-key.yml': {
    at: '11:3',
    path: 'ssh.port',
    message: 'unknown key "port"; expected one of: user, configFile, address, connectTimeout, connectionAttempts, parallel, hostKeys',
  },
  'invalid-ssh-host-keys.yml': { at: '10:13', path: 'ssh.hostKeys', message: 'expected one of: strict, accept-new, got "no"' },
  'invalid-ssh-connect-timeout-zero.yml': { at: '10:19', path: 'ssh.connectTimeout', message: 'expected more than 0s, got "0s"' },
  'invalid-ssh-config-file-other-home.yml': {
    at: '10:15',
    path: 'ssh.configFile',
    message: 'expected a file path (~ is expanded only as ~ or ~/...), got "~ubuntu/.ssh/config"',
  },
  'invalid-region.yml': { at: '3:9', path: 'region', message: 'expected an AWS region such as us-east-1, got "virginia"' },
  'invalid-retire-action.yml': { at: '13:11', path: 'retire.action', message: 'expected one of: scale-to-zero, delete, keep, got "destroy"' },
  'invalid-yaml-syntax.yml': {
    at: '6:1',
    path: '',
    message: 'invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
  },
  'invalid-yaml-indentation.yml': { at: '10:1', path: '', message: 'invalid YAML: All mapping items must start at the same column' },
  'invalid-yaml-tag.yml': { at: '7:10', path: 'release.image', message: 'Unresolved tag: !Ref; YAML tags are not supported here' },
  'invalid-duplicate-key.yml': { at: '11:1', path: 'service', message: 'duplicate key "service"' },
  'invalid-duplicate-nested-key.yml': { at: '11:3', path: 'dns.name', message: 'duplicate key "name"' },
  'invalid-multiple-documents.yml': { at: '11:1', path: '', message: 'more than one YAML document' },
  'invalid-empty.yml': {
    at: '1:1',
    path: '',
    message:
      'the file is empty; expected a mapping with at least service, strategy, blue, release (and dns for strategy replica-dns; listener for strategy replica-listener)',
  },
  'invalid-comment-only.yml': { at: '1:1', path: '', message: 'the file is empty' },
  'invalid-top-level-list.yml': {
    at: '2:1',
    path: '',
    message:
      'expected a mapping of keys (service, region, strategy, blue, release, bake, launch, dns, listener, health, hooks, traffic, gates, retire, state, ssh) at the top level, got a list',
  },
  'invalid-top-level-scalar.yml': { at: '1:1', path: '', message: 'at the top level, got "shop"' },
};

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('loadConfig: invalid fixtures', () => {
  it('has an expectation for every invalid-*.yml fixture, and a fixture for every expectation', async () => {
    const files = (await readdir(FIXTURES)).filter((f) => f.startsWith('invalid-')).sort();
    expect(files).toEqual(Object.keys(INVALID).sort());
    expect(files.length).toBeGreaterThanOrEqual(75);
  });

  it.each(Object.entries(INVALID))('%s', async (name, expected) => {
    const file = fixture(name);
    const error = await configError(loadConfig(file));
    const [line, column] = expected.at.split(':').map(Number);
    expect(error.issues).toHaveLength(1);
    const [issue] = error.issues;
    expect({ line: issue?.line, column: issue?.column, path: issue?.path }).toEqual({ line, column, path: expected.path });
    expect(issue?.message).toContain(expected.message);
    // The message a user reads: file:line:column: key.path: what was expected, what was found.
    expect(error.message).toBe(`${file}:${expected.at}: ${expected.path ? `${expected.path}: ` : ''}${issue?.message}`);
    expect(exitCodeOf(error)).toBe(EXIT.badInput);
  });
});

const SSH_DEFAULTS = { address: 'private', connectTimeoutSeconds: 30, connectionAttempts: 4, parallel: 10, hostKeys: 'strict' };

describe('loadConfig: valid fixtures', () => {
  it('valid-minimal.yml: only the required keys, the rest defaulted', async () => {
    const file = fixture('valid-minimal.yml');
    const config = await loadConfig(file);
    expect(config).toEqual({
      service: 'shop',
      strategy: 'replica-dns',
      blue: { autoScalingGroup: 'shop-blue' },
      release: { kind: 'image', image: 'ami-0123456789abcdef0' },
      dns: { hostedZoneId: 'Z0123456789ABC', name: 'shop.example.com' },
      health: { timeoutSeconds: 300, intervalSeconds: 10 },
      retire: { afterSeconds: 300, action: 'scale-to-zero' },
      state: { dir: path.join(FIXTURES, '.bluegreen') },
      ssh: SSH_DEFAULTS,
      source: { file, digest: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect('region' in config).toBe(false);
  });

  it('valid-full.yml: every key set; the state dir resolves against the file, not the working directory', async () => {
    const config = await loadConfig(path.relative(process.cwd(), fixture('valid-full.yml')));
    expect(config).toMatchObject({
      service: 'shop',
      region: 'eu-west-2',
      health: { timeoutSeconds: 5400, intervalSeconds: 90 },
      retire: { afterSeconds: 0, action: 'delete' },
      state: { dir: path.resolve(FIXTURES, '../state/shop') },
      source: { file: fixture('valid-full.yml') },
    });
  });

  it('valid-flow-style.yml: JSON syntax; zone prefix and trailing dot normalized; interval may equal timeout', async () => {
    const config = await loadConfig(fixture('valid-flow-style.yml'));
    expect(config).toMatchObject({
      service: 'shop-2',
      release: { kind: 'image', image: 'ami-01234567' },
      dns: { hostedZoneId: 'Z0123456789ABC', name: 'shop.example.com' },
      health: { timeoutSeconds: 120, intervalSeconds: 120 },
    });
  });

  it('digests the meaning: defaults written out or spelled differently give the same digest, a change does not', async () => {
    const minimal = await loadConfig(fixture('valid-minimal.yml'));
    const spelledOut = await loadConfig(fixture('valid-defaults-spelled-out.yml'));
    const full = await loadConfig(fixture('valid-full.yml'));
    expect(spelledOut.source.digest).toBe(minimal.source.digest);
    expect(full.source.digest).not.toBe(minimal.source.digest);
    const overridden = await loadConfig(fixture('valid-minimal.yml'), { image: 'ami-0fedcba9876543210' });
    expect(overridden.source.digest).not.toBe(minimal.source.digest);
  });
});

describe('loadConfig: swap-instances', () => {
  it('valid-swap-image.yml: only the required keys; no dns; ssh defaulted; retire.action is keep (unused)', async () => {
    const file = fixture('valid-swap-image.yml');
    expect(await loadConfig(file)).toEqual({
      service: 'shop',
      strategy: 'swap-instances',
      blue: { autoScalingGroup: 'shop' },
      release: { kind: 'image', image: 'ami-0123456789abcdef0' },
      health: { timeoutSeconds: 300, intervalSeconds: 10 },
      retire: { afterSeconds: 300, action: 'keep' },
      state: { dir: path.join(FIXTURES, '.bluegreen') },
      ssh: SSH_DEFAULTS,
      source: { file, digest: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
  });

  it('valid-swap-commands-ssh.yml: commands in order, every ssh key; ssh.configFile resolves against the file', async () => {
    const config = await loadConfig(path.relative(process.cwd(), fixture('valid-swap-commands-ssh.yml')));
    expect(config).toMatchObject({
      strategy: 'swap-instances',
      release: { kind: 'commands', commands: ['sudo /opt/app/update.sh 42', 'sudo systemctl restart app'], via: 'ssh' },
      health: { timeoutSeconds: 600, intervalSeconds: 15 },
      retire: { afterSeconds: 120, action: 'keep' },
    });
    expect(config.ssh).toEqual({
      user: 'ubuntu',
      configFile: path.resolve(FIXTURES, '../ssh/config'),
      address: 'public',
      connectTimeoutSeconds: 60,
      connectionAttempts: 2,
      parallel: 25,
      hostKeys: 'accept-new',
    });
    expect('dns' in config).toBe(false);
  });

  it('valid-swap-commands-ssm.yml: via ssm; the ssh section may be left out', async () => {
    const config = await loadConfig(fixture('valid-swap-commands-ssm.yml'));
    expect(config.release).toEqual({ kind: 'commands', commands: ['sudo /opt/app/update.sh 42'], via: 'ssm' });
    expect(config.ssh).toEqual(SSH_DEFAULTS);
  });

  it('bake.reboot: true unless the file says false; the digest does not tell the default written from left out', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bluegreen-config-'));
    const base = 'service: shop\nstrategy: swap-instances\nblue: {autoScalingGroup: shop}\nrelease: {commands: [make]}\n';
    const load = async (text: string, overrides: { image?: string } = {}) => {
      await writeFile(path.join(dir, 'bluegreen.yml'), text);
      return loadConfig(path.join(dir, 'bluegreen.yml'), overrides);
    };
    expect((await load(base)).bake).toBeUndefined();
    expect((await load(`${base}bake: {reboot: true}\n`)).bake).toBeUndefined();
    expect((await load(`${base}bake: {reboot: false}\n`)).bake).toEqual({ reboot: false });
    const digest = (text: string) => configDigest(parseConfigText(text, 'x.yml'));
    expect(digest(`${base}bake: {reboot: true}\n`)).toBe(digest(base));
    expect(digest(`${base}bake: {}\n`)).toBe(digest(base));
    expect(digest(`${base}bake: {reboot: false}\n`)).not.toBe(digest(base));
    // --image replaces a commands release: its bake goes with it.
    expect((await load(`${base}bake: {reboot: false}\n`, { image: 'ami-01234567' })).release).toEqual({ kind: 'image', image: 'ami-01234567' });
  });

  it('release.via defaults to ssh, and the digest does not tell it written from left out', () => {
    const base = 'service: shop\nstrategy: swap-instances\nblue: {autoScalingGroup: shop}\n';
    const implicit = parseConfigText(`${base}release: {commands: [make]}\n`, 'x.yml');
    const explicit = parseConfigText(`${base}release: {commands: [make], via: ssh}\n`, 'x.yml');
    const ssm = parseConfigText(`${base}release: {commands: [make], via: ssm}\n`, 'x.yml');
    expect(configDigest(implicit)).toBe(configDigest(explicit));
    expect(configDigest(ssm)).not.toBe(configDigest(explicit));
  });

  it('ssh.configFile: ~ is the home directory, in the config and in no digest', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bluegreen-config-'));
    const text =
      'service: shop\nstrategy: swap-instances\nblue: {autoScalingGroup: shop}\nrelease: {commands: [make]}\nssh: {configFile: ~/.ssh/config}\n';
    await writeFile(path.join(dir, 'bluegreen.yml'), text);
    const config = await loadConfig(path.join(dir, 'bluegreen.yml'));
    expect(config.ssh.configFile).toBe(path.join(homedir(), '.ssh/config'));
    expect(config.source.digest).toBe(configDigest(parseConfigText(text, 'x.yml')));
    expect(expandHome('~', '/home/u')).toBe('/home/u');
    expect(expandHome('~/a/b', '/home/u')).toBe('/home/u/a/b');
    expect(expandHome('a/~/b', '/home/u')).toBe('a/~/b');
  });

  it('allows an ssh section with via ssm or an image release (nothing checks that it is used)', () => {
    const text =
      'service: shop\nstrategy: replica-dns\nblue: {autoScalingGroup: b}\nrelease: {image: ami-01234567}\ndns: {hostedZoneId: Z1, name: a.example.com}\nssh: {user: ubuntu}\n';
    expect(parseConfigText(text, 'x.yml').ssh.user).toBe('ubuntu');
  });

  it('reports every key of the other strategy, and every other problem, each at its line', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bluegreen-config-'));
    const file = path.join(dir, 'bluegreen.yml');
    await writeFile(
      file,
      'service: shop\nstrategy: swap-instances\nblue: {autoScalingGroup: shop}\nrelease: {commands: [make], via: ssm}\n' +
        'dns: {hostedZoneId: Z1, name: a.example.com}\nretire: {after: 1m, action: delete}\nssh: {parallel: 101}\n',
    );
    const error = await configError(loadConfig(file));
    expect(error.message.split('\n')).toEqual([
      `${file}:5:1: dns: dns is used only by strategy replica-dns, not by swap-instances: remove it`,
      `${file}:6:21: retire.action: retire.action is used only by strategy replica-dns and replica-listener, not by swap-instances: remove it`,
      `${file}:7:17: ssh.parallel: expected a whole number from 1 to 100, got the number 101`,
    ]);
  });

  it('checks the ssh user, which reaches the ssh command line', () => {
    const base = 'service: shop\nstrategy: swap-instances\nblue: {autoScalingGroup: shop}\nrelease: {commands: [make]}\n';
    for (const user of ['ubuntu', 'ec2-user', 'svc_deploy', 'first.last@corp']) {
      expect(parseConfigText(`${base}ssh: {user: ${JSON.stringify(user)}}\n`, 'x.yml').ssh.user).toBe(user);
    }
    expect(() => parseConfigText(`${base}ssh: {user: -oProxyCommand=sh}\n`, 'x.yml')).toThrow(
      'x.yml:5:13: ssh.user: expected a login name such as ubuntu or ec2-user, got "-oProxyCommand=sh"',
    );
    expect(() => parseConfigText(`${base}ssh: {user: "a b"}\n`, 'x.yml')).toThrow('ssh.user: expected a login name');
  });
});

const LISTENER_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/0123456789abcdef/fedcba9876543210';

describe('loadConfig: replica-listener', () => {
  it('valid-listener-minimal.yml: only the required keys; no traffic, gates, launch or untilRequestsBelow', async () => {
    const file = fixture('valid-listener-minimal.yml');
    expect(await loadConfig(file)).toEqual({
      service: 'shop',
      strategy: 'replica-listener',
      blue: { autoScalingGroup: 'shop-blue' },
      release: { kind: 'image', image: 'ami-0123456789abcdef0' },
      listener: { arn: LISTENER_ARN },
      health: { timeoutSeconds: 300, intervalSeconds: 10 },
      retire: { afterSeconds: 300, action: 'scale-to-zero' },
      state: { dir: path.join(FIXTURES, '.bluegreen') },
      ssh: SSH_DEFAULTS,
      source: { file, digest: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
  });

  it('valid-listener-full.yml: every key away from its default; an NLB listener in another partition', async () => {
    const config = await loadConfig(fixture('valid-listener-full.yml'));
    expect(config).toMatchObject({
      strategy: 'replica-listener',
      region: 'us-gov-west-1',
      launch: 'template',
      listener: {
        arn: 'arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:listener/net/shop-nlb/0123456789abcdef/fedcba9876543210',
        alsoAttached: ['shop-legacy-elb', 'arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:targetgroup/shop-admin/0123456789abcdef'],
      },
      health: { timeoutSeconds: 600, intervalSeconds: 20 },
      traffic: { steps: [1, 10, 50, 100], holdSeconds: 0, stickiness: { enabled: true, durationSeconds: 5400 } },
      gates: {
        alarms: ['shop-5xx', 'shop p99 latency > 1s'],
        http: [
          { url: 'https://{green.target}:8443/health?from={green.target}', expect: 204, tries: 20, intervalSeconds: 3 },
          { url: 'http://{green.target}/ready', expect: 200, tries: 5, intervalSeconds: 10 },
        ],
      },
      retire: { afterSeconds: 900, action: 'keep', untilRequestsBelow: 0.5 },
    });
  });

  it('valid-full.yml (replica-dns) takes traffic, gates, launch and retire.untilRequestsBelow too', async () => {
    const config = await loadConfig(fixture('valid-full.yml'));
    expect(config).toMatchObject({
      strategy: 'replica-dns',
      launch: 'template',
      traffic: { steps: [10, 50, 100], holdSeconds: 120 },
      gates: { alarms: ['shop-5xx'], http: [{ url: 'http://{green.loadBalancerDns}/health', expect: 204, tries: 3, intervalSeconds: 5 }] },
      retire: { afterSeconds: 0, action: 'delete', untilRequestsBelow: 1 },
    });
  });

  it('valid-swap-launch-template.yml: launch is for every strategy', async () => {
    const config = await loadConfig(fixture('valid-swap-launch-template.yml'));
    expect(config).toMatchObject({ strategy: 'swap-instances', launch: 'template' });
  });

  const base = `service: shop\nstrategy: replica-listener\nblue: {autoScalingGroup: b}\nrelease: {image: ami-01234567}\nlistener: {arn: "${LISTENER_ARN}"}\n`;

  it('defaults: traffic.hold 5m; a gate with only alarms has no http checks, and the reverse; expect 200, tries 5, interval 10s', () => {
    const parse = (extra: string) => toConfig(parseConfigText(base + extra, 'x.yml'), { file: 'x.yml', digest: '' }, { stateDir: '/s' });
    expect(parse('traffic: {steps: [100]}\n')).toMatchObject({ traffic: { steps: [100], holdSeconds: 300 } });
    expect(parse('traffic: {steps: [100]}\n')).not.toHaveProperty('traffic.stickiness');
    expect(parse('traffic: {steps: [100], stickiness: {}}\n')).toMatchObject({ traffic: { stickiness: { enabled: true } } });
    expect(parse('traffic: {steps: [100], stickiness: {enabled: false}}\n')).toMatchObject({ traffic: { stickiness: { enabled: false } } });
    expect(parse('gates: {alarms: [a]}\n')).toMatchObject({ gates: { alarms: ['a'], http: [] } });
    expect(parse('gates: {http: [{url: "http://{green.target}/"}]}\n')).toMatchObject({
      gates: { alarms: [], http: [{ url: 'http://{green.target}/', expect: 200, tries: 5, intervalSeconds: 10 }] },
    });
  });

  it('digests the meaning: the defaults of traffic and gates written out or left out are the same; a step is not', () => {
    const digest = (extra: string) => configDigest(parseConfigText(base + extra, 'x.yml'));
    const url = '"http://{green.target}/health"';
    expect(digest(`traffic: {steps: [10, 100]}\ngates: {http: [{url: ${url}}]}\n`)).toBe(
      digest(`traffic: {steps: [10, 100], hold: 300s}\ngates: {http: [{url: ${url}, expect: 200, tries: 5, interval: 10s}]}\n`),
    );
    expect(digest('traffic: {steps: [10, 100]}\n')).not.toBe(digest('traffic: {steps: [20, 100]}\n'));
    expect(digest('')).not.toBe(digest('traffic: {steps: [100]}\n'));
  });

  it.each([
    ['a listener rule', LISTENER_ARN.replace(':listener/', ':listener-rule/') + '/0123456789abcdef'],
    ['a Gateway Load Balancer listener', LISTENER_ARN.replace('/app/', '/gwy/')],
    ['a classic load balancer', 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/shop'],
    ['an uppercase id', LISTENER_ARN.replace('0123456789abcdef', '0123456789ABCDEF')],
    ['a short account', LISTENER_ARN.replace('123456789012', '12345')],
    ['a name ending in -', LISTENER_ARN.replace('/shop/', '/shop-/')],
  ])('refuses %s as listener.arn', (_what, arn) => {
    expect(() => parseConfigText(base.replace(LISTENER_ARN, arn), 'x.yml')).toThrow(
      "x.yml:5:17: listener.arn: expected an Application or Network Load Balancer listener's ARN",
    );
  });

  it('accepts the listener in the region the file names, and any region when it names none', () => {
    expect(parseConfigText(`${base}region: us-east-1\n`, 'x.yml').region).toBe('us-east-1');
    expect(parseConfigText(base.replace(/us-east-1/g, 'cn-north-1').replace('arn:aws:', 'arn:aws-cn:'), 'x.yml').strategy).toBe('replica-listener');
  });

  it.each([
    ['https://{green.target}', true],
    ['http://{green.target}:8080/health?deep=1', true],
    ['http://{green.target}/{green.target}', true],
    ['http://checker.internal/probe?target={green.target}', true],
    ['HTTP://{green.target}/', false],
    ['http://{green.target}/a b', false],
    ['http://{green.target}/{', false],
    ['http://{Green.LoadBalancerDns}/', false],
    ['//{green.target}/', false],
    ['http://', false],
  ])('gates.http[].url %j: %s', (url, ok) => {
    const parse = () => parseConfigText(`${base}gates: {http: [{url: ${JSON.stringify(url)}}]}\n`, 'x.yml');
    if (ok) expect(parse()).toMatchObject({ gates: { http: [{ url }] } });
    else expect(parse).toThrow('gates.http[0].url: ');
  });

  it('traffic.steps: each bad step is reported once, and order is checked only when every step is a percent', () => {
    const error = (steps: string) => {
      try {
        parseConfigText(`${base}traffic: {steps: ${steps}}\n`, 'x.yml');
      } catch (e) {
        return (e as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
      }
      return [];
    };
    expect(error('[100]')).toEqual([]);
    expect(error('[1, 2, 3, 4, 5, 6, 7, 8, 9, 100]')).toEqual([]);
    expect(error('[50, 50, 100]')).toEqual([
      'traffic.steps[1]: expected more than the step before (50): the steps only move traffic toward green, got the number 50',
    ]);
    expect(error('[0, 10.5, 100]')).toEqual([
      'traffic.steps[0]: expected a whole number from 1 to 100, got the number 0',
      'traffic.steps[1]: expected a whole number from 1 to 100, got the number 10.5',
    ]);
    expect(error('"10, 100"')).toEqual(['traffic.steps: expected a list of percents such as [10, 50, 100], got "10, 100"']);
  });

  it('retire.untilRequestsBelow takes a fraction but not a negative number or text', () => {
    expect(parseConfigText(`${base}retire: {untilRequestsBelow: 0.25}\n`, 'x.yml').retire).toMatchObject({ untilRequestsBelow: 0.25 });
    expect(() => parseConfigText(`${base}retire: {untilRequestsBelow: -1}\n`, 'x.yml')).toThrow(
      'retire.untilRequestsBelow: expected a number of requests per minute, more than 0',
    );
    expect(() => parseConfigText(`${base}retire: {untilRequestsBelow: "1"}\n`, 'x.yml')).toThrow(
      'retire.untilRequestsBelow: expected a number of requests per minute, more than 0, got "1"',
    );
  });

  it('with strategy missing, still checks listener and the new sections, against the keys of every strategy', () => {
    const text =
      'service: shop\nblue: {autoScalingGroup: b}\nrelease: {image: ami-01234567}\nlistener: {arn: nope}\ntraffic: {steps: [50]}\ngates: {alarms: []}\n';
    expect(() => parseConfigText(text, 'x.yml')).toThrow(ConfigError);
    try {
      parseConfigText(text, 'x.yml');
    } catch (e) {
      expect((e as ConfigError).issues.map((i) => i.path)).toEqual(['strategy', 'listener.arn', 'traffic.steps[0]', 'gates.alarms']);
    }
  });

  it('anyStrategySchema, used when strategy is missing or unknown, knows exactly the keys of every strategy', () => {
    const union = new Set(Object.values(strategySchemas).flatMap((s) => Object.keys(s.shape)));
    expect(new Set(Object.keys(anyStrategySchema.shape))).toEqual(union);
  });
});

describe('loadConfig: the --image override', () => {
  it('replaces release.image', async () => {
    const config = await loadConfig(fixture('valid-minimal.yml'), { image: 'ami-0fedcba9876543210' });
    expect(config.release).toEqual({ kind: 'image', image: 'ami-0fedcba9876543210' });
  });

  it('replaces a release by commands (and its via) with an image release', async () => {
    const config = await loadConfig(fixture('valid-swap-commands-ssh.yml'), { image: 'ami-0fedcba9876543210' });
    expect(config.release).toEqual({ kind: 'image', image: 'ami-0fedcba9876543210' });
    const text = 'service: shop\nstrategy: swap-instances\nblue: {autoScalingGroup: shop}\nrelease: {commands: [make], via: ssm, imgae: x}\n';
    expect(() => parseConfigText(text, 'x.yml', { image: 'ami-01234567' })).toThrow(
      'x.yml:4:39: release.imgae: unknown key "imgae" (did you mean "image"?)',
    );
  });

  it('is validated like release.image, as a usage error (exit 2) naming the flag', async () => {
    const error = await loadConfig(fixture('valid-minimal.yml'), { image: 'ami-nothex' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(
      '--image "ami-nothex": expected an AMI id such as ami-0123456789abcdef0 (ami- and 8 or 17 hex digits) (it replaces the release of the config)',
    );
    expect(exitCodeOf(error)).toBe(EXIT.badInput);
  });

  it('stands in for a missing release section, and for a bad release.image in the file', () => {
    const withoutRelease = 'service: shop\nstrategy: replica-dns\nblue: {autoScalingGroup: b}\ndns: {hostedZoneId: Z1, name: a.example.com}\n';
    expect(parseConfigText(withoutRelease, 'x.yml', { image: 'ami-01234567' }).release).toEqual({ image: 'ami-01234567' });
    const badImage = `${withoutRelease}release:\n  image: latest\n`;
    expect(parseConfigText(badImage, 'x.yml', { image: 'ami-01234567' }).release).toEqual({ image: 'ami-01234567' });
  });

  it('does not hide a release that is not a mapping', () => {
    const text =
      'service: shop\nstrategy: replica-dns\nblue: {autoScalingGroup: b}\ndns: {hostedZoneId: Z1, name: a.example.com}\nrelease: ami-01234567\n';
    expect(() => parseConfigText(text, 'x.yml', { image: 'ami-01234567' })).toThrow('x.yml:5:10: release: expected a mapping, got "ami-01234567"');
  });
});

describe('loadConfig: files that cannot be read', () => {
  it('a missing file names the path it looked for', async () => {
    const error = await configError(loadConfig(fixture('does-not-exist.yml')));
    expect(error.message).toBe(
      `${fixture('does-not-exist.yml')}: cannot read the config file: no such file (looked for ${fixture('does-not-exist.yml')}); examples/bluegreen.yml is a starting point`,
    );
    expect(exitCodeOf(error)).toBe(EXIT.badInput);
  });

  it('a directory', async () => {
    const error = await configError(loadConfig(FIXTURES));
    expect(error.message).toBe(`${FIXTURES}: cannot read the config file: is a directory; expected a YAML file`);
  });

  it('names the file as given, and reports every problem, in line order', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bluegreen-config-'));
    const file = path.join(dir, 'bluegreen.yml');
    await writeFile(file, 'strategy: swap\nblue: {}\nrelease: {image: ami-1}\ndns: {hostedZoneId: Z1, name: a.b}\nextra: 1\n');
    const error = await configError(loadConfig(file));
    expect(error.message.split('\n')).toEqual([
      `${file}:1:1: service: missing required key (Name of the service: used in resource names, tags, the journal and the lock. 1-20 of [a-z0-9-], not starting or ending with -.)`,
      `${file}:1:11: strategy: expected one of: replica-dns, swap-instances, replica-listener, got "swap"`,
      `${file}:2:1: blue.autoScalingGroup: missing required key (The Auto Scaling group serving traffic before the first deployment. Later deployments find the live group from the DNS record.)`,
      `${file}:3:18: release.image: expected an AMI id such as ami-0123456789abcdef0 (ami- and 8 or 17 hex digits), got "ami-1"`,
      `${file}:5:1: extra: unknown key "extra"; expected one of: service, region, strategy, blue, release, bake, launch, dns, listener, health, hooks, traffic, gates, retire, state, ssh`,
    ]);
    expect(await readFile(file, 'utf8')).toContain('extra'); // untouched
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
  });
});

describe('parseConfigText: aliases', () => {
  it('expands anchors and aliases, but refuses an alias bomb', () => {
    const ok =
      'service: shop\nstrategy: replica-dns\nblue: &b {autoScalingGroup: b}\nrelease: {image: ami-01234567}\ndns: {hostedZoneId: Z1, name: a.example.com}\n';
    expect(parseConfigText(ok, 'x.yml').blue.autoScalingGroup).toBe('b');
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++)
      levels.push(
        `${'abcdefgh'[i]}: &${'abcdefgh'[i]} [${Array(10)
          .fill(`*${'abcdefgh'[i - 1]}`)
          .join(', ')}]`,
      );
    expect(() => parseConfigText(`${levels.join('\n')}\n`, 'bomb.yml')).toThrow(/^bomb\.yml:1:1: invalid YAML: .*alias/i);
  });
});

describe('describeRelease', () => {
  it('says what a release deploys, in a few words', () => {
    expect(describeRelease({ kind: 'image', image: 'ami-01234567' })).toBe('ami-01234567');
    expect(describeRelease({ kind: 'commands', commands: ['make'], via: 'ssh' })).toBe('1 command via ssh');
    expect(describeRelease({ kind: 'commands', commands: ['make', 'make install'], via: 'ssm' })).toBe('2 commands via ssm');
  });
});
