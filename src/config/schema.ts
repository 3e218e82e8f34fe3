/**
 * The configuration file's one schema: it gives the TypeScript types, the validation (with messages
 * that the loader places at file:line), and the published JSON Schema (schema/bluegreen.schema.json).
 *
 * Messages here say what was expected; the loader adds where (file:line:column, key path) and what it got.
 */
import { z } from 'zod';
import { DURATION_HINT, DURATION_PATTERN, parseDuration } from './duration.js';

/** A string that must match a pattern; one message for the wrong type and the wrong form. */
const text = (pattern: RegExp, expected: string) =>
  z.string({ error: `expected ${expected}` }).regex(pattern, { error: `expected ${expected}` });

const duration = (description: string) =>
  text(DURATION_PATTERN, DURATION_HINT)
    .refine((d) => !DURATION_PATTERN.test(d) || parseDuration(d) !== undefined, { error: 'expected a shorter duration' })
    .describe(`${description} A duration: 0s, 90s, 5m, 1h30m.`);

export const SERVICE_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$/;
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
export const IMAGE_PATTERN = /^ami-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;
export const HOSTED_ZONE_PATTERN = /^(\/hostedzone\/)?[A-Z0-9]{1,32}$/;
export const DNS_NAME_PATTERN = /^(?=.{1,254}$)(\*\.)?([A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?$/;

/** The AMI id form, shared with the --image flag. */
export const imageSchema = text(IMAGE_PATTERN, 'an AMI id such as ami-0123456789abcdef0 (ami- and 8 or 17 hex digits)').describe(
  'The AMI holding the new code. The --image flag overrides it.',
);

export const RETIRE_ACTIONS = ['scale-to-zero', 'delete', 'keep'] as const;
export const STRATEGIES = ['replica-dns'] as const;

const DEFAULTS = {
  health: { timeout: '300s', interval: '10s' },
  retire: { after: '5m', action: 'scale-to-zero' },
  state: { dir: '.bluegreen' },
} as const;

export const configSchema = z
  .strictObject({
    service: text(SERVICE_PATTERN, '1-20 characters of a-z, 0-9 and -, starting and ending with a letter or digit').describe(
      'Name of the service: used in resource names, tags, the journal and the lock. 1-20 of [a-z0-9-], not starting or ending with -.',
    ),
    region: text(REGION_PATTERN, 'an AWS region such as us-east-1')
      .optional()
      .describe("AWS region. Absent: the SDK's standard resolution (AWS_REGION, the profile)."),
    strategy: z
      .enum(STRATEGIES, { error: `expected one of: ${STRATEGIES.join(', ')}` })
      .describe(
        'How green is built and traffic moved. replica-dns: a replica group and classic load balancer, switched by a Route 53 alias record.',
      ),
    blue: z
      .strictObject({
        autoScalingGroup: z
          .string({ error: 'expected the name of an Auto Scaling group' })
          .min(1)
          .max(255)
          .describe(
            'The Auto Scaling group serving traffic before the first deployment. Later deployments find the live group from the DNS record.',
          ),
      })
      .describe('The stack serving traffic now.'),
    release: z
      .strictObject({
        image: imageSchema,
      })
      .describe('What to deploy.'),
    dns: z
      .strictObject({
        hostedZoneId: text(HOSTED_ZONE_PATTERN, 'a Route 53 hosted zone id such as Z0123456789ABC').describe(
          'The hosted zone holding the record (Z..., with or without /hostedzone/).',
        ),
        name: text(DNS_NAME_PATTERN, 'a DNS name such as shop.example.com').describe('The alias A record that users resolve.'),
      })
      .describe('The Route 53 alias record that the switch moves.'),
    health: z
      .strictObject({
        timeout: duration('Green must have all its instances InService within this.').default(DEFAULTS.health.timeout),
        interval: duration('How often health is polled; more than 0s and at most health.timeout.').default(DEFAULTS.health.interval),
      })
      .default(DEFAULTS.health)
      .describe('The health gate before traffic moves.'),
    retire: z
      .strictObject({
        after: duration('Wait after the DNS change is INSYNC before touching blue (TTL plus draining).').default(DEFAULTS.retire.after),
        action: z
          .enum(RETIRE_ACTIONS, { error: `expected one of: ${RETIRE_ACTIONS.join(', ')}` })
          .default(DEFAULTS.retire.action)
          .describe(
            'What happens to blue: scale-to-zero sets MinSize and DesiredCapacity to 0; delete removes its group, load balancer, launch configuration, policies and alarms; keep leaves it.',
          ),
      })
      .default(DEFAULTS.retire)
      .describe('What happens to blue after the switch.'),
    state: z
      .strictObject({
        dir: z
          .string({ error: 'expected a directory path' })
          .min(1)
          .default(DEFAULTS.state.dir)
          .describe('Directory of the journal and the lock, relative to the config file.'),
      })
      .default(DEFAULTS.state)
      .describe('Where the journal and lock live.'),
  })
  .superRefine((c, ctx) => {
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
  })
  .describe('bluegreen configuration');

/** The file as written (durations as text). */
export type ConfigInput = z.input<typeof configSchema>;
type Parsed = z.output<typeof configSchema>;

/** The configuration as the program uses it: durations in seconds, paths absolute. */
export interface Config {
  service: string;
  region?: string;
  strategy: Parsed['strategy'];
  blue: Parsed['blue'];
  release: Parsed['release'];
  dns: { hostedZoneId: string; name: string };
  health: { timeoutSeconds: number; intervalSeconds: number };
  retire: { afterSeconds: number; action: Parsed['retire']['action'] };
  state: { dir: string };
  /** The file it came from (absolute) and a digest of its meaning, kept in the journal. */
  source: { file: string; digest: string };
}

export function toConfig(parsed: Parsed, source: Config['source'], stateDir: string): Config {
  const seconds = (d: string) => parseDuration(d) as number; // the schema already checked the form
  return {
    service: parsed.service,
    ...(parsed.region ? { region: parsed.region } : {}),
    strategy: parsed.strategy,
    blue: parsed.blue,
    release: parsed.release,
    dns: {
      hostedZoneId: parsed.dns.hostedZoneId.replace(/^\/hostedzone\//, ''),
      name: parsed.dns.name.replace(/\.$/, '').toLowerCase(), // as Route 53 compares them
    },
    health: { timeoutSeconds: seconds(parsed.health.timeout), intervalSeconds: seconds(parsed.health.interval) },
    retire: { afterSeconds: seconds(parsed.retire.after), action: parsed.retire.action },
    state: { dir: stateDir },
    source,
  };
}

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
