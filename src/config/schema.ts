/**
 * The configuration file's one schema: it gives the TypeScript types, the validation (with messages
 * that the loader places at file:line), and the published JSON Schema (schema/bluegreen.schema.json).
 */
import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from './duration.js';

const duration = (description: string) =>
  z
    .string()
    .regex(DURATION_PATTERN, { message: 'expected a duration such as 0s, 90s, 5m or 1h30m' })
    .describe(description);

export const configSchema = z
  .strictObject({
    service: z
      .string()
      .regex(/^[a-z0-9-]{1,20}$/, { message: 'expected 1-20 characters of a-z, 0-9 and -' })
      .describe('Name of the service: used in resource names, tags, the journal and the lock. 1-20 of [a-z0-9-].'),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'expected an AWS region such as us-east-1' })
      .optional()
      .describe("AWS region. Absent: the SDK's standard resolution (AWS_REGION, the profile)."),
    strategy: z.literal('replica-dns').describe('How green is built and traffic moved. replica-dns: a replica group and classic load balancer, switched by a Route 53 alias record.'),
    blue: z
      .strictObject({
        autoScalingGroup: z
          .string()
          .min(1)
          .max(255)
          .describe('The Auto Scaling group serving traffic before the first deployment. Later deployments find the live group from the DNS record.'),
      })
      .describe('The stack serving traffic now.'),
    release: z
      .strictObject({
        image: z
          .string()
          .regex(/^ami-[0-9a-f]{8,17}$/, { message: 'expected an AMI id such as ami-0123456789abcdef0' })
          .describe('The AMI holding the new code. The --image flag overrides it.'),
      })
      .describe('What to deploy.'),
    dns: z
      .strictObject({
        hostedZoneId: z
          .string()
          .regex(/^(\/hostedzone\/)?Z[A-Z0-9]{1,31}$/, { message: 'expected a Route 53 hosted zone id such as Z0123456789ABC' })
          .describe('The hosted zone holding the record.'),
        name: z
          .string()
          .min(1)
          .max(253)
          .regex(/^[A-Za-z0-9_*.-]+\.?$/, { message: 'expected a DNS name such as shop.example.com' })
          .describe('The alias A record that users resolve.'),
      })
      .describe('The Route 53 alias record that the switch moves.'),
    health: z
      .strictObject({
        timeout: duration('Green must have all its instances InService within this.').default('300s'),
        interval: duration('How often health is polled.').default('10s'),
      })
      .default({ timeout: '300s', interval: '10s' })
      .describe('The health gate before traffic moves.'),
    retire: z
      .strictObject({
        after: duration('Wait after the DNS change is INSYNC before touching blue (TTL plus draining).').default('5m'),
        action: z
          .enum(['scale-to-zero', 'delete', 'keep'])
          .default('scale-to-zero')
          .describe('What happens to blue: scale-to-zero sets MinSize and DesiredCapacity to 0; delete removes its group, load balancer, launch configuration, policies and alarms; keep leaves it.'),
      })
      .default({ after: '5m', action: 'scale-to-zero' })
      .describe('What happens to blue after the switch.'),
    state: z
      .strictObject({
        dir: z.string().min(1).default('.bluegreen').describe('Directory of the journal and the lock, relative to the config file.'),
      })
      .default({ dir: '.bluegreen' })
      .describe('Where the journal and lock live.'),
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
    dns: { hostedZoneId: parsed.dns.hostedZoneId.replace(/^\/hostedzone\//, ''), name: parsed.dns.name },
    health: { timeoutSeconds: seconds(parsed.health.timeout), intervalSeconds: seconds(parsed.health.interval) },
    retire: { afterSeconds: seconds(parsed.retire.after), action: parsed.retire.action },
    state: { dir: stateDir },
    source,
  };
}
