/**
 * The configuration file's one schema: it gives the TypeScript types, the validation (with messages
 * that the loader places at file:line), and the published JSON Schema (schema/bluegreen.schema.json).
 *
 * The file is a union on `strategy`: each strategy is one strict mapping of the keys it uses, so a key of
 * another strategy is an error (the loader says whose key it is) and a key a strategy needs is required.
 *
 * Messages here say what was expected; the loader adds where (file:line:column, key path) and what it got.
 */
import { z } from 'zod';
import { DURATION_HINT, DURATION_PATTERN, parseDuration } from './duration.js';

/** A string that must match a pattern; one message for the wrong type and the wrong form. */
const text = (pattern: RegExp, expected: string) => z.string({ error: `expected ${expected}` }).regex(pattern, { error: `expected ${expected}` });

const duration = (description: string, options: { positive?: boolean } = {}) => {
  let d = text(DURATION_PATTERN, DURATION_HINT).refine((v) => !DURATION_PATTERN.test(v) || parseDuration(v) !== undefined, {
    error: 'expected a shorter duration',
  });
  if (options.positive) d = d.refine((v) => !((parseDuration(v) ?? 1) <= 0), { error: 'expected more than 0s' });
  return d.describe(`${description} A duration: 0s, 90s, 5m, 1h30m.`);
};

/** A whole number within bounds; one message for every way to miss. */
const count = (min: number, max: number) => {
  const error = `expected a whole number from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `expected one of: ${values.join(', ')}` });

export const SERVICE_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$/;
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
export const IMAGE_PATTERN = /^ami-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;
export const HOSTED_ZONE_PATTERN = /^(\/hostedzone\/)?[A-Z0-9]{1,32}$/;
export const DNS_NAME_PATTERN =
  /^(?=.{1,254}$)(\*\.)?([A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?$/;
/** A login name; never starting with - (it is passed to ssh) and without spaces or colons. */
export const SSH_USER_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._@\\$-]{0,63}$/;
/** A path; `~` is expanded only on its own or as `~/...`. */
export const CONFIG_FILE_PATTERN = /^(?!~[^/])\S(?:.*\S)?$/;
/**
 * An Application or Network Load Balancer's listener:
 * arn:<partition>:elasticloadbalancing:<region>:<account>:listener/<app|net>/<load balancer name>/<id>/<id>.
 * The region is group 1.
 */
export const LISTENER_ARN_PATTERN =
  /^arn:aws(?:-[a-z]+)*:elasticloadbalancing:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):\d{12}:listener\/(?:app|net)\/[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?\/[0-9a-f]{16}\/[0-9a-f]{16}$/;
/** A target group ARN, or the name of a target group or classic load balancer (1-32 of [A-Za-z0-9-], no hyphen at either end). */
export const ATTACHMENT_PATTERN =
  /^(?:arn:aws(?:-[a-z]+)*:elasticloadbalancing:[a-z]{2}(?:-[a-z]+)+-\d{1,2}:\d{12}:targetgroup\/[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?\/[0-9a-f]{16}|[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?)$/;
/** The longest target group stickiness of a forward action AWS takes (API_TargetGroupStickinessConfig: 1-604800 seconds). */
export const MAX_STICKINESS_SECONDS = 604800;
/** A CloudWatch alarm name: 1-255 characters, none a control character. */
// Control characters are exactly what AWS forbids in these names, so the patterns name them.
// eslint-disable-next-line no-control-regex
export const ALARM_NAME_PATTERN = /^[^\u0000-\u001f\u007f]{1,255}$/;
/** replica-dns's placeholder in a gate's URL: the DNS name of the load balancer in front of green. */
export const GREEN_DNS_PLACEHOLDER = '{green.loadBalancerDns}';
/** replica-listener's placeholder: <private ip>:<port> of each healthy target of green's target group. */
export const GREEN_TARGET_PLACEHOLDER = '{green.target}';

/** The AMI id form, shared with the --image flag. */
export const imageSchema = text(IMAGE_PATTERN, 'an AMI id such as ami-0123456789abcdef0 (ami- and 8 or 17 hex digits)').describe(
  'The AMI holding the new code. Give image or commands, not both. The --image flag overrides the release with this image.',
);

export const STRATEGIES = ['replica-dns', 'swap-instances', 'replica-listener'] as const;
export type StrategyName = (typeof STRATEGIES)[number];
export const RETIRE_ACTIONS = ['scale-to-zero', 'delete', 'keep'] as const;
export const RELEASE_VIAS = ['ssh', 'ssm'] as const;
export const SSH_ADDRESSES = ['private', 'public', 'dns'] as const;
export const HOST_KEY_POLICIES = ['strict', 'accept-new'] as const;
export const LAUNCH_KINDS = ['template'] as const;
export const LAUNCH_HOOK_ACTIONS = ['wait', 'complete'] as const;
/** bake.reboot when the file does not say: reboot before CreateImage. */
export const BAKE_REBOOT_DEFAULT = true;

const DEFAULTS = {
  release: { via: 'ssh' },
  bake: { reboot: BAKE_REBOOT_DEFAULT },
  health: { timeout: '300s', interval: '10s' },
  retire: { after: '5m', action: 'scale-to-zero' },
  traffic: { hold: '5m' },
  hooks: { launching: 'wait' },
  gates: { expect: 200, tries: 5, interval: '10s' },
  state: { dir: '.bluegreen', s3Prefix: 'bluegreen/' },
  ssh: { address: 'private', connectTimeout: '30s', connectionAttempts: 4, parallel: 10, hostKeys: 'strict' },
} as const;

// --- the sections -------------------------------------------------------------------------------------------

const service = text(SERVICE_PATTERN, '1-20 characters of a-z, 0-9 and -, starting and ending with a letter or digit').describe(
  'Name of the service: used in resource names, tags, the journal and the lock. 1-20 of [a-z0-9-], not starting or ending with -.',
);

const region = text(REGION_PATTERN, 'an AWS region such as us-east-1')
  .optional()
  .describe("AWS region. Absent: the region of listener.arn (replica-listener), else the SDK's standard resolution (AWS_REGION, the profile).");

/** The strategy names, for the loader's message when `strategy` is missing or unknown. */
export const strategySchema = oneOf(STRATEGIES).describe(
  'How green is built and traffic moved: replica-dns (a replica group and classic load balancer, switched by a Route 53 alias record), swap-instances (new instances swapped into the live group) or replica-listener (a replica group and target group, switched by an ALB/NLB listener).',
);

const autoScalingGroup = (description: string) =>
  z.string({ error: 'expected the name of an Auto Scaling group' }).min(1).max(255).describe(description);

const command = text(/\S/, 'a command (text that is not blank)').describe('A shell command run on each instance.');

const release = z
  .strictObject({
    image: imageSchema.optional(),
    commands: z
      .array(command, { error: 'expected a list of commands' })
      .min(1, { error: 'expected at least one command' })
      .optional()
      .describe(
        'Commands that put the new code on instances launched like blue, run in order on each; then an AMI is baked. Give image or commands, not both.',
      ),
    via: oneOf(RELEASE_VIAS)
      .optional()
      .describe(`How the commands run: ssh (the ssh section) or ssm (SSM Run Command). Only with commands. Default ${DEFAULTS.release.via}.`),
  })
  .superRefine((r, ctx) => {
    const hasImage = r.image !== undefined;
    const hasCommands = r.commands !== undefined;
    if (hasImage === hasCommands) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        input: r,
        message: `expected exactly one of image (an AMI id) or commands (a list of commands), got ${hasImage ? 'both' : 'neither'}`,
        params: { complete: true },
      });
    } else if (r.via !== undefined && hasImage) {
      ctx.addIssue({
        code: 'custom',
        path: ['via'],
        input: r.via,
        message: 'used only with release.commands (an image release runs no commands): remove it',
        params: { complete: true },
      });
    }
  })
  // What zod cannot say in JSON Schema, for editors: one of the two, and via only with commands.
  .meta({ oneOf: [{ required: ['image'] }, { required: ['commands'] }], dependencies: { via: ['commands'] } })
  .describe('What to deploy: an image that holds the new code, or commands that put it on instances.');

const dns = z
  .strictObject({
    hostedZoneId: text(HOSTED_ZONE_PATTERN, 'a Route 53 hosted zone id such as Z0123456789ABC').describe(
      'The hosted zone holding the record (Z..., with or without /hostedzone/).',
    ),
    name: text(DNS_NAME_PATTERN, 'a DNS name such as shop.example.com').describe('The alias A record that users resolve.'),
    alsoHostedZoneIds: z
      .array(text(HOSTED_ZONE_PATTERN, 'a Route 53 hosted zone id such as Z0123456789ABC'), { error: 'expected a list of hosted zone ids' })
      .min(1, { error: 'expected 1 to 10 hosted zone ids' })
      .max(10, { error: 'expected 1 to 10 hosted zone ids' })
      .optional()
      .describe(
        "Other hosted zones of the same name (a private zone for clients in a VPC: split-horizon) whose record dns.name aliases blue's load balancer too: moved with it in the same step. Absent: such a zone is refused, never guessed.",
      ),
  })
  .describe('The Route 53 alias record that the switch moves.');

const health = z
  .strictObject({
    timeout: duration('Green must have all its instances InService within this.').default(DEFAULTS.health.timeout),
    interval: duration('How often health is polled; more than 0s and at most health.timeout.').default(DEFAULTS.health.interval),
  })
  .default(DEFAULTS.health)
  .describe('The health gate before traffic moves.');

const retireAfter = (description: string) => duration(description).default(DEFAULTS.retire.after);

const retireAction = oneOf(RETIRE_ACTIONS)
  .default(DEFAULTS.retire.action)
  .describe(
    'What happens to blue: scale-to-zero sets its MinSize, MaxSize and DesiredCapacity to 0, suspends AlarmNotification and ScheduledActions and sets predictive scaling policies to ForecastOnly, so nothing scales it back up on the old code (a rollback restores exactly what it changed); delete empties it the same way first, waiting for its instances to pass its termination hooks, then removes its alarms that act on its policies alone (one that also notifies SNS or drives another group keeps those actions and loses those on blue), its policies, its group (without ForceDelete), load balancer and the launch configuration bluegreen made, and is refused when the group has DeletionProtection; keep leaves it.',
  );

const untilRequestsBelow = z
  .number({ error: 'expected a number of requests per minute, more than 0' })
  .positive({ error: 'expected a number of requests per minute, more than 0 (1 means none: blue is retired once it gets fewer than 1 a minute)' })
  .optional()
  .describe(
    "Besides retire.after (the floor), wait until blue's load balancer counts fewer requests than this per minute (CloudWatch RequestCount). Absent: retire.after alone.",
  );

/**
 * How the image of a commands release is baked. With NoReboot, "we can't guarantee the file system integrity
 * of the created image" (EC2 API reference, CreateImage): right after the release commands wrote files, the
 * default lets CreateImage reboot the instance first (it serves no traffic yet).
 */
const bake = z
  .strictObject({
    reboot: z
      .boolean({ error: 'expected true or false' })
      .optional()
      .describe(
        `true: CreateImage shuts the instance down and reboots it first, so that what the release commands wrote is on disk (the builder, or swap-instances' new instance, serves no traffic yet). false: NoReboot, faster, but the image may miss or hold half-written files. Default ${String(DEFAULTS.bake.reboot)}.`,
      ),
  })
  .optional()
  .describe('How the image is baked from an instance the release commands ran on. Only with release.commands.');

const launch = oneOf(LAUNCH_KINDS)
  .optional()
  .describe(
    'template: where blue uses a launch configuration, green uses a launch template with the same settings and the new image. Absent: green is launched the way blue is.',
  );

/** A load balancer blue's group is also in: a target group (name or ARN) or a classic load balancer (name). */
const attachment = text(
  ATTACHMENT_PATTERN,
  'the name of a target group or classic load balancer (1-32 letters, digits or hyphens), or a target group ARN',
).describe('A target group (name or ARN) or classic load balancer (name) that blue is in and bluegreen leaves as it is.');

const hooks = z
  .strictObject({
    launching: oneOf(LAUNCH_HOOK_ACTIONS)
      .default(DEFAULTS.hooks.launching)
      .describe(
        "What happens to green's instances held in Pending:Wait by the launch lifecycle hooks (EC2_INSTANCE_LAUNCHING) copied from blue: wait (for whatever completes them, or their heartbeat timeout, which must not exceed health.timeout) or complete (bluegreen completes each hook with CONTINUE for green's instances).",
      ),
  })
  .default(DEFAULTS.hooks)
  .describe("Blue's lifecycle hooks, which green gets too.");

const listener = z
  .strictObject({
    arn: text(
      LISTENER_ARN_PATTERN,
      "an Application or Network Load Balancer listener's ARN such as arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/0123456789abcdef/0123456789abcdef",
    ).describe(
      "The listener whose traffic moves: its default action and every rule that forwards to blue move to green, with every other listener (and rule) that forwards to blue's target group.",
    ),
    alsoAttached: z
      .array(attachment, { error: 'expected a list of target group or classic load balancer names' })
      .min(1, { error: 'expected 1 to 20 names' })
      .max(20, { error: 'expected 1 to 20 names' })
      .optional()
      .describe(
        "The other target groups (name or ARN) and classic load balancers (name) blue's group is in, which bluegreen leaves as they are: green is not registered with them, and they keep blue's instances until blue is retired. Absent: a blue group in any load balancer besides the target group the listener forwards to is refused.",
      ),
  })
  .describe('The ALB or NLB listener that the switch moves.');

/** Percent of requests on green at each step: 1-10 whole numbers, strictly increasing, the last 100. */
const steps = z
  .array(count(1, 100).describe('Percent of requests on green: a whole number from 1 to 100.'), {
    error: 'expected a list of percents such as [10, 50, 100]',
  })
  .min(1, { error: 'expected 1 to 10 percents such as [10, 50, 100]' })
  .max(10, { error: 'expected 1 to 10 percents such as [10, 50, 100]' })
  .superRefine((list, ctx) => {
    if (!list.every((p) => Number.isInteger(p) && p >= 1 && p <= 100)) return; // each bad item is reported by itself
    list.forEach((p, i) => {
      const before = list[i - 1];
      if (before !== undefined && p <= before) {
        const message = `expected more than the step before (${before}): the steps only move traffic toward green`;
        ctx.addIssue({ code: 'custom', path: [i], input: p, message });
      }
    });
    const last = list.at(-1);
    if (last !== undefined && last !== 100) {
      ctx.addIssue({ code: 'custom', path: [list.length - 1], input: last, message: 'expected the last step to be 100 (every request on green)' });
    }
  })
  .describe('Percent of requests on green at each step: 1 to 10 whole numbers from 1 to 100, strictly increasing, the last 100.');

const trafficKeys = {
  steps,
  hold: duration('How long each step is held while the gates are watched, before the next step.').default(DEFAULTS.traffic.hold),
};

const traffic = z.strictObject(trafficKeys).optional().describe('Move traffic to green in steps, holding each. Absent: all at once.');

/** Target group stickiness of the weighted forwards: AWS takes 1 s to 7 days (604800 s). */
const stickiness = z
  .strictObject({
    enabled: z
      .boolean({ error: 'expected true or false' })
      .optional()
      .describe('Whether each client stays on the target group (blue or green) it was first sent to. Default: true when stickiness is given.'),
    duration: duration('How long a client stays on its target group: 1s to 168h (7 days).', { positive: true })
      .refine((v) => (parseDuration(v) ?? 0) <= MAX_STICKINESS_SECONDS, { error: 'expected at most 168h (604800s, 7 days: what AWS allows)' })
      .optional(),
  })
  .superRefine((st, ctx) => {
    if (st.enabled === false && st.duration !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['duration'], input: st.duration, message: 'used only when stickiness is enabled: remove it' });
    }
  })
  .describe(
    "Target group stickiness of the weighted forwards (ForwardConfig TargetGroupStickinessConfig), so a client stays on blue or on green during the steps. Absent: on when blue's target group is sticky (stickiness.enabled), for blue's own cookie duration (at most 7 days); a rule's own target group stickiness is kept.",
  );

const listenerTraffic = z
  .strictObject({ ...trafficKeys, stickiness: stickiness.optional() })
  .optional()
  .describe('Move traffic to green in steps, holding each. Absent: all at once.');

/** The placeholder each strategy's gate URLs name green by. */
const GATE_PLACEHOLDERS = {
  'replica-dns': { placeholder: GREEN_DNS_PLACEHOLDER, means: 'DNS name of the load balancer in front of green' },
  'replica-listener': {
    placeholder: GREEN_TARGET_PLACEHOLDER,
    means:
      "<private ip>:<port> of each healthy target of green's target group (each is checked; green has no load balancer of its own before traffic moves)",
  },
} as const;
type GateStrategy = keyof typeof GATE_PLACEHOLDERS;

/** A gate URL for `strategy`, which must name green by its placeholder; undefined (strategy unknown): either placeholder. */
const gateUrl = (strategy: GateStrategy | undefined) => {
  const own = strategy === undefined ? undefined : GATE_PLACEHOLDERS[strategy].placeholder;
  const known: string[] = own === undefined ? [GREEN_DNS_PLACEHOLDER, GREEN_TARGET_PLACEHOLDER] : [own];
  const example = own ?? GREEN_DNS_PLACEHOLDER;
  const used = (url: string) => known.filter((p) => url.includes(p));
  const without = (url: string) => known.reduce((u, p) => u.split(p).join(''), url);
  const other = (p: string) =>
    (Object.entries(GATE_PLACEHOLDERS) as [GateStrategy, (typeof GATE_PLACEHOLDERS)[GateStrategy]][]).find(([, v]) => v.placeholder === p)?.[0];
  return text(/^https?:\/\/\S+$/, `an http:// or https:// URL such as http://${example}/health`)
    .max(2048, { error: 'expected at most 2048 characters' })
    .superRefine((url, ctx) => {
      if (!/^https?:\/\/\S+$/.test(url)) return;
      const unknown = (url.match(/\{[^{}]*\}/g) ?? []).find((p) => !known.includes(p));
      const otherStrategy = unknown === undefined ? undefined : other(unknown);
      const problem =
        unknown !== undefined
          ? otherStrategy !== undefined && strategy !== undefined
            ? `${unknown} is the placeholder of ${otherStrategy}; with ${strategy} the placeholder is ${own}, the ${GATE_PLACEHOLDERS[strategy].means}`
            : `unknown placeholder ${unknown}; the only placeholder is ${known.join(' or ')}`
          : /[{}]/.test(without(url))
            ? `expected { and } only in the placeholder ${known.join(' or ')}`
            : used(url).length === 0
              ? `expected the URL to name green by ${known.join(' or ')} (without it, the check would not reach green)`
              : !URL.canParse(known.reduce((u, p) => u.split(p).join('green.example'), url))
                ? `expected an http:// or https:// URL such as http://${example}/health`
                : undefined;
      if (problem) ctx.addIssue({ code: 'custom', path: [], input: url, message: problem });
    })
    .describe(
      strategy === undefined
        ? `The URL to GET, http or https, naming green by its strategy's placeholder: ${GREEN_DNS_PLACEHOLDER} (replica-dns) or ${GREEN_TARGET_PLACEHOLDER} (replica-listener).`
        : `The URL to GET, http or https. ${own} (required, the only placeholder) stands for the ${GATE_PLACEHOLDERS[strategy].means}.`,
    );
};

const httpGate = (strategy: GateStrategy | undefined) =>
  z
    .strictObject({
      url: gateUrl(strategy),
      expect: count(100, 599).default(DEFAULTS.gates.expect).describe(`The HTTP status that passes: 100 to 599. Default ${DEFAULTS.gates.expect}.`),
      tries: count(1, 20).default(DEFAULTS.gates.tries).describe(`Attempts before the check fails: 1 to 20. Default ${DEFAULTS.gates.tries}.`),
      interval: duration('The wait between attempts; more than 0s.', { positive: true }).default(DEFAULTS.gates.interval),
    })
    .describe('An HTTP check of green: passes when a GET of url answers expect within tries attempts.');

const gatesFor = (strategy: GateStrategy | undefined) =>
  z
    .strictObject({
      alarms: z
        .array(text(ALARM_NAME_PATTERN, 'a CloudWatch alarm name (1-255 characters, no control characters)').describe('A CloudWatch alarm name.'), {
          error: 'expected a list of CloudWatch alarm names',
        })
        .min(1, { error: 'expected 1 to 20 alarm names' })
        .max(20, { error: 'expected 1 to 20 alarm names' })
        .superRefine((names, ctx) => {
          names.forEach((name, i) => {
            const first = names.indexOf(name);
            if (first < i)
              ctx.addIssue({ code: 'custom', path: [i], input: name, message: `expected each alarm once (also gates.alarms[${first}])` });
          });
        })
        .optional()
        .describe('CloudWatch alarms watched during every traffic step, its hold and retire.after: one in ALARM rolls back. 1 to 20 names.'),
      http: z
        .array(httpGate(strategy), { error: 'expected a list of HTTP checks' })
        .min(1, { error: 'expected 1 to 10 HTTP checks' })
        .max(10, { error: 'expected 1 to 10 HTTP checks' })
        .optional()
        .describe('HTTP checks of green, run before any traffic moves: 1 to 10.'),
    })
    .superRefine((g, ctx) => {
      if (g.alarms === undefined && g.http === undefined) {
        ctx.addIssue({ code: 'custom', path: [], input: g, message: 'expected at least one of alarms or http', params: { complete: true } });
      }
    })
    .meta({ anyOf: [{ required: ['alarms'] }, { required: ['http'] }] })
    .optional()
    .describe('Checks that must pass before and while traffic moves; a failure rolls back.');

/**
 * An S3 bucket name (general purpose buckets): 3-63 of a-z, 0-9, . and -, starting and ending with a letter
 * or digit, no "..", not an IP address, none of the prefixes and suffixes AWS reserves.
 */
export const S3_BUCKET_PATTERN =
  /^(?!\d{1,3}(?:\.\d{1,3}){3}$)(?!xn--|sthree-|amzn-s3-demo-)(?!.*\.\.)(?!.*(?:-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** A key prefix: empty, or up to 512 characters ending with /, not starting with /, no control characters. */
// eslint-disable-next-line no-control-regex
export const S3_PREFIX_PATTERN = /^(?:[^/\u0000-\u001f\u007f][^\u0000-\u001f\u007f]{0,510}\/)?$/;

const stateS3 = z
  .strictObject({
    bucket: text(S3_BUCKET_PATTERN, 'an S3 bucket name (3-63 of a-z, 0-9, . and -, starting and ending with a letter or digit)').describe(
      'The S3 bucket holding the journal and the lock. It must exist; bluegreen does not create it.',
    ),
    prefix: text(S3_PREFIX_PATTERN, 'a key prefix ending with / (or empty), not starting with /, up to 512 characters')
      .default(DEFAULTS.state.s3Prefix)
      .describe('Key prefix: the objects are <prefix><service>/journal.json, history/<id>.json and lock.json.'),
  })
  .optional()
  .describe('Keep the journal and a lease lock in S3, shared by every machine that deploys the service (docs/state.md).');

const state = z
  .strictObject({
    dir: z
      .string({ error: 'expected a directory path' })
      .min(1)
      .optional()
      .meta({ default: DEFAULTS.state.dir })
      .describe('Directory of the journal and the lock, relative to the config file. Not with s3.'),
    s3: stateS3,
  })
  .superRefine((s, ctx) => {
    if (s.dir !== undefined && s.s3 !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['s3'], input: s, message: 'give state.dir or state.s3, not both' });
    }
  })
  .transform(({ dir, s3 }) => ({ dir: dir ?? DEFAULTS.state.dir, ...(s3 ? { s3 } : {}) }))
  .default({ dir: DEFAULTS.state.dir })
  .describe('Where the journal and lock live: a local directory (dir, the default) or an S3 bucket (s3).');

const ssh = z
  .strictObject({
    user: text(SSH_USER_PATTERN, 'a login name such as ubuntu or ec2-user')
      .optional()
      .describe('The login name. Absent: the User of the ssh config file, else your local user name (as ssh does).'),
    configFile: text(CONFIG_FILE_PATTERN, 'a file path (~ is expanded only as ~ or ~/...)')
      .optional()
      .describe(
        'An ssh config file honoured like ssh -F (Host, HostName, Port, User, IdentityFile, ProxyJump, Include). ~ is your home; relative to the config file.',
      ),
    address: oneOf(SSH_ADDRESSES)
      .default(DEFAULTS.ssh.address)
      .describe('Which address of an instance to connect to: private (its private IP), public (its public IP) or dns (its public DNS name).'),
    connectTimeout: duration('How long one connection attempt may take; more than 0s.', { positive: true }).default(DEFAULTS.ssh.connectTimeout),
    connectionAttempts: count(1, 20)
      .default(DEFAULTS.ssh.connectionAttempts)
      .describe('Connection attempts per host before it counts as unreachable: 1 to 20.'),
    parallel: count(1, 100).default(DEFAULTS.ssh.parallel).describe('Hosts worked on at once: 1 to 100.'),
    hostKeys: oneOf(HOST_KEY_POLICIES)
      .default(DEFAULTS.ssh.hostKeys)
      .describe('strict: a host key must be in known_hosts already; accept-new: an unknown key is added, a changed one is still an error.'),
  })
  .default(DEFAULTS.ssh)
  .describe('How release commands reach instances over SSH (release.via ssh).');

// --- one mapping per strategy -------------------------------------------------------------------------------

const replicaDnsSchema = z.strictObject({
  service,
  region,
  strategy: z
    .literal('replica-dns')
    .describe('replica-dns: a replica of the live Auto Scaling group behind its own classic load balancer, switched by a Route 53 alias record.'),
  blue: z
    .strictObject({
      autoScalingGroup: autoScalingGroup(
        'The Auto Scaling group serving traffic before the first deployment. Later deployments find the live group from the DNS record.',
      ),
    })
    .describe('The stack serving traffic now.'),
  release,
  bake,
  launch,
  dns,
  health,
  hooks,
  traffic,
  gates: gatesFor('replica-dns'),
  retire: z
    .strictObject({
      after: retireAfter(
        'Wait after the DNS change is INSYNC before touching blue (TTL plus draining); a rollback after traffic moved waits as long, once the record is back on blue, before deleting green.',
      ),
      action: retireAction,
      untilRequestsBelow,
    })
    .default(DEFAULTS.retire)
    .describe('What happens to blue after the switch.'),
  state,
  ssh,
});

const replicaListenerSchema = z.strictObject({
  service,
  region,
  strategy: z
    .literal('replica-listener')
    .describe(
      "replica-listener: a replica of the live Auto Scaling group in a copy of blue's target group, switched by the ALB/NLB listener's forward actions.",
    ),
  blue: z
    .strictObject({
      autoScalingGroup: autoScalingGroup(
        'The Auto Scaling group serving traffic before the first deployment. Later deployments find the live group from where the listener forwards.',
      ),
    })
    .describe('The stack serving traffic now.'),
  release,
  bake,
  launch,
  listener,
  health,
  hooks,
  traffic: listenerTraffic,
  gates: gatesFor('replica-listener'),
  retire: z
    .strictObject({
      after: retireAfter("Wait after the listener change before touching blue; at least blue's target group deregistration delay is waited."),
      action: retireAction,
      untilRequestsBelow,
    })
    .default(DEFAULTS.retire)
    .describe('What happens to blue after the switch.'),
  state,
  ssh,
});

const swapInstancesSchema = z.strictObject({
  service,
  region,
  strategy: z
    .literal('swap-instances')
    .describe("swap-instances: new instances launched like the live group's are attached to it, and its old instances retired."),
  blue: z
    .strictObject({
      autoScalingGroup: autoScalingGroup('The Auto Scaling group serving traffic. It stays; its instances are replaced.'),
    })
    .describe('The group serving traffic now.'),
  release,
  bake,
  launch,
  health,
  retire: z
    .strictObject({
      after: retireAfter('How long old and new instances serve together before the old ones are deregistered and terminated.'),
    })
    .default({ after: DEFAULTS.retire.after })
    .describe('When the old instances leave.'),
  state,
  ssh,
});

/** Every strategy's mapping, by the strategy's name. */
export const strategySchemas = {
  'replica-dns': replicaDnsSchema,
  'swap-instances': swapInstancesSchema,
  'replica-listener': replicaListenerSchema,
} as const satisfies Record<StrategyName, z.ZodObject>;

type HealthInput = { health: { timeout: string; interval: string } };

function checkHealth(c: HealthInput, ctx: z.RefinementCtx): void {
  const timeout = parseDuration(c.health.timeout);
  const interval = parseDuration(c.health.interval);
  if (timeout === undefined || interval === undefined) return;
  if (interval <= 0) {
    ctx.addIssue({ code: 'custom', path: ['health', 'interval'], input: c.health.interval, message: 'expected more than 0s' });
  } else if (interval > timeout) {
    ctx.addIssue({
      code: 'custom',
      path: ['health', 'interval'],
      input: c.health.interval,
      message: `expected at most health.timeout (${c.health.timeout})`,
    });
  }
}

/**
 * The region bluegreen works in: the region key, else the region listener.arn names (replica-listener),
 * else undefined (the SDK's own resolution: AWS_REGION, the profile).
 */
export function configRegion(config: { region?: string | undefined; listener?: { arn: string } | undefined }): string | undefined {
  return config.region ?? (config.listener ? LISTENER_ARN_PATTERN.exec(config.listener.arn)?.[1] : undefined);
}

/** listener.arn names its region; a region given as well must be the same. */
function checkListenerRegion(c: { region?: string | undefined; listener?: { arn: string } | undefined }, ctx: z.RefinementCtx): void {
  if (c.region === undefined || c.listener === undefined) return;
  const arnRegion = LISTENER_ARN_PATTERN.exec(c.listener.arn)?.[1];
  if (arnRegion !== undefined && arnRegion !== c.region) {
    ctx.addIssue({
      code: 'custom',
      path: ['listener', 'arn'],
      input: c.listener.arn,
      message: `expected a listener in region ${c.region} (the region key), got one in ${arnRegion}`,
      params: { complete: true },
    });
  }
}

/** bake is about an image made from commands: with release.image there is none to bake. */
function checkBake(c: { bake?: unknown; release: { image?: string | undefined } }, ctx: z.RefinementCtx): void {
  if (c.bake === undefined || c.release.image === undefined) return;
  ctx.addIssue({
    code: 'custom',
    path: ['bake'],
    input: c.bake,
    message: 'used only with release.commands (an image release bakes no image): remove it',
    params: { complete: true },
  });
}

export const configSchema = z
  .discriminatedUnion('strategy', [replicaDnsSchema, swapInstancesSchema, replicaListenerSchema])
  .superRefine((c, ctx) => {
    checkHealth(c, ctx);
    checkBake(c, ctx);
    if (c.strategy === 'replica-listener') checkListenerRegion(c, ctx);
  })
  .describe('bluegreen configuration');

/**
 * Every key that any strategy knows, the strategy-specific ones optional, and any `strategy`: the loader
 * checks a file against this when its strategy is missing or unknown, so that one run still reports
 * every other problem.
 */
export const anyStrategySchema = z
  .strictObject({
    service,
    region,
    strategy: z
      .unknown()
      .optional()
      .describe(strategySchema.description ?? ''),
    blue: replicaDnsSchema.shape.blue,
    release,
    bake,
    launch,
    dns: dns.optional(),
    listener: listener.optional(),
    health,
    hooks,
    traffic: listenerTraffic,
    gates: gatesFor(undefined),
    retire: replicaDnsSchema.shape.retire,
    state,
    ssh,
  })
  .superRefine((c, ctx) => {
    checkHealth(c, ctx);
    checkBake(c, ctx);
    checkListenerRegion(c, ctx);
  });

/** The file as written (durations as text). */
export type ConfigInput = z.input<typeof configSchema>;
/** The file as validated: defaults applied, durations still text, paths as written. */
export type ParsedConfig = z.output<typeof configSchema>;

// --- the configuration as the program uses it ---------------------------------------------------------------

export type Release = { kind: 'image'; image: string } | { kind: 'commands'; commands: string[]; via: 'ssh' | 'ssm' };

export interface SshSettings {
  /** Absent: ssh decides (the config file's User, else the local user). */
  user?: string;
  /** Absolute. */
  configFile?: string;
  address: 'private' | 'public' | 'dns';
  connectTimeoutSeconds: number;
  connectionAttempts: number;
  parallel: number;
  hostKeys: 'strict' | 'accept-new';
}

interface CommonConfig {
  service: string;
  region?: string;
  blue: { autoScalingGroup: string };
  release: Release;
  health: { timeoutSeconds: number; intervalSeconds: number };
  /** swap-instances: action is 'keep' (unused; the old instances are always terminated after afterSeconds). */
  retire: { afterSeconds: number; action: 'scale-to-zero' | 'delete' | 'keep' };
  /** 'template': where blue uses a launch configuration, green uses a launch template. Absent: as blue. */
  launch?: 'template';
  /** release.commands: how the image is baked. Absent: reboot, the default (BAKE_REBOOT_DEFAULT). */
  bake?: { reboot: boolean };
  /** dir: absolute. s3: the journal and lock live in this bucket instead (dir is then unused). */
  state: { dir: string; s3?: { bucket: string; prefix: string } };
  ssh: SshSettings;
  /** The file it came from (absolute) and a digest of its meaning, kept in the journal. */
  source: { file: string; digest: string };
}

/** Traffic moved in steps: percents of requests on green, strictly increasing, the last 100. */
export interface TrafficSettings {
  steps: number[];
  holdSeconds: number;
}

/** An HTTP check of green; the url may hold GREEN_DNS_PLACEHOLDER, as written. */
export interface HttpGate {
  url: string;
  expect: number;
  tries: number;
  intervalSeconds: number;
}

/** Checks before and while traffic moves; each list may be empty, not both. */
export interface Gates {
  alarms: string[];
  http: HttpGate[];
}

/** What the strategies that build a replica of blue (replica-dns, replica-listener) add. */
interface ReplicaSettings {
  /** Absent: all traffic moves at once. */
  traffic?: TrafficSettings;
  gates?: Gates;
  /** launching 'complete': bluegreen completes green's launch lifecycle hooks (CONTINUE). Absent: 'wait'. */
  hooks?: { launching: 'wait' | 'complete' };
  retire: CommonConfig['retire'] & {
    /** Requests per minute (more than 0) that blue must get fewer of before it is retired; absent: retire.after alone. */
    untilRequestsBelow?: number;
  };
}

export type ReplicaDnsConfig = CommonConfig &
  ReplicaSettings & {
    strategy: 'replica-dns';
    /** alsoHostedZoneIds: other zones of the same name whose record moves too (ids without /hostedzone/). */
    dns: { hostedZoneId: string; name: string; alsoHostedZoneIds?: string[] };
  };
/** replica-listener's traffic steps: its weighted forwards may keep each client on one target group. */
export interface ListenerTrafficSettings extends TrafficSettings {
  /** Absent: as blue's target group (on when it is sticky). enabled false: never. */
  stickiness?: { enabled: boolean; durationSeconds?: number };
}

export type ReplicaListenerConfig = CommonConfig &
  ReplicaSettings & {
    strategy: 'replica-listener';
    /** alsoAttached: the other load balancers blue's group is in, left as they are (names or ARNs as written). */
    listener: { arn: string; alsoAttached?: string[] };
    traffic?: ListenerTrafficSettings;
  };
export type SwapInstancesConfig = CommonConfig & { strategy: 'swap-instances' };
/** The configuration as the program uses it: durations in seconds, paths absolute, the release a union. */
export type Config = ReplicaDnsConfig | SwapInstancesConfig | ReplicaListenerConfig;

/** Paths as the program uses them (absolute), resolved by the loader against the config file. */
export interface ResolvedPaths {
  stateDir: string;
  sshConfigFile?: string;
}

export function toConfig(parsed: ParsedConfig, source: Config['source'], paths: ResolvedPaths): Config {
  const seconds = (d: string) => parseDuration(d) as number; // the schema already checked the form
  const r = parsed.release;
  const releaseOut: Release =
    r.commands !== undefined
      ? { kind: 'commands', commands: r.commands, via: r.via ?? DEFAULTS.release.via }
      : { kind: 'image', image: r.image as string }; // the schema admits exactly one of the two
  const common: CommonConfig = {
    service: parsed.service,
    ...(parsed.region ? { region: parsed.region } : {}),
    blue: parsed.blue,
    release: releaseOut,
    health: { timeoutSeconds: seconds(parsed.health.timeout), intervalSeconds: seconds(parsed.health.interval) },
    retire: { afterSeconds: seconds(parsed.retire.after), action: 'action' in parsed.retire ? parsed.retire.action : 'keep' },
    ...(parsed.launch !== undefined ? { launch: parsed.launch } : {}),
    // Only when it differs from the default: the digest does not tell it written from left out.
    ...(parsed.bake?.reboot !== undefined && parsed.bake.reboot !== BAKE_REBOOT_DEFAULT ? { bake: { reboot: parsed.bake.reboot } } : {}),
    state: { dir: paths.stateDir, ...(parsed.state.s3 ? { s3: parsed.state.s3 } : {}) },
    ssh: {
      ...(parsed.ssh.user !== undefined ? { user: parsed.ssh.user } : {}),
      ...(paths.sshConfigFile !== undefined ? { configFile: paths.sshConfigFile } : {}),
      address: parsed.ssh.address,
      connectTimeoutSeconds: seconds(parsed.ssh.connectTimeout),
      connectionAttempts: parsed.ssh.connectionAttempts,
      parallel: parsed.ssh.parallel,
      hostKeys: parsed.ssh.hostKeys,
    },
    source,
  };
  if (parsed.strategy === 'swap-instances') return { ...common, strategy: 'swap-instances' };
  const { traffic, gates, hooks } = parsed;
  const replica: ReplicaSettings = {
    ...(hooks.launching !== DEFAULTS.hooks.launching ? { hooks: { launching: hooks.launching } } : {}),
    ...(traffic !== undefined ? { traffic: { steps: traffic.steps, holdSeconds: seconds(traffic.hold) } } : {}),
    ...(gates !== undefined
      ? {
          gates: {
            alarms: gates.alarms ?? [],
            http: (gates.http ?? []).map((h) => ({ url: h.url, expect: h.expect, tries: h.tries, intervalSeconds: seconds(h.interval) })),
          },
        }
      : {}),
    retire: {
      ...common.retire,
      ...(parsed.retire.untilRequestsBelow !== undefined ? { untilRequestsBelow: parsed.retire.untilRequestsBelow } : {}),
    },
  };
  if (parsed.strategy === 'replica-listener') {
    const { arn, alsoAttached } = parsed.listener;
    const st = parsed.traffic?.stickiness;
    return {
      ...common,
      ...replica,
      ...(replica.traffic && st
        ? {
            traffic: {
              ...replica.traffic,
              stickiness: {
                enabled: st.enabled ?? true,
                ...(st.duration !== undefined ? { durationSeconds: seconds(st.duration) } : {}),
              },
            },
          }
        : {}),
      strategy: 'replica-listener',
      listener: { arn, ...(alsoAttached ? { alsoAttached } : {}) },
    };
  }
  return {
    ...common,
    ...replica,
    strategy: 'replica-dns',
    dns: {
      hostedZoneId: parsed.dns.hostedZoneId.replace(/^\/hostedzone\//, ''),
      name: parsed.dns.name.replace(/\.$/, '').toLowerCase(), // as Route 53 compares them
      ...(parsed.dns.alsoHostedZoneIds
        ? { alsoHostedZoneIds: [...new Set(parsed.dns.alsoHostedZoneIds.map((z) => z.replace(/^\/hostedzone\//, '')))] }
        : {}),
    },
  };
}

/** A release in a few words, for plans and prompts: the AMI id, or "2 commands via ssh". */
export function describeRelease(release: Release): string {
  if (release.kind === 'image') return release.image;
  return `${release.commands.length} ${release.commands.length === 1 ? 'command' : 'commands'} via ${release.via}`;
}

// --- the published JSON Schema --------------------------------------------------------------------------------

/** Where the published JSON Schema lives, relative to the package root. */
export const JSON_SCHEMA_PATH = 'schema/bluegreen.schema.json';

/** The JSON Schema (draft-07, which editors know best) of the file as written (defaults optional): JSON_SCHEMA_PATH. */
export function configJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-07', unrepresentable: 'throw' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: 'bluegreen configuration',
    ...rest,
    description: 'Configuration of bluegreen, blue-green deployments for EC2 Auto Scaling groups. See docs/config.md.',
  };
}

/** The exact text of JSON_SCHEMA_PATH: what scripts/gen-schema.ts writes and the test compares. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
