/**
 * docs/iam-policy.json must allow every AWS action the adapters call, and list nothing they do not call.
 * The adapters name their SDK module by a fixed alias (asg, ec2, elb, elbv2, r53, cw, ssm, s3, tag), so each command,
 * paginator and waiter in their source maps to one IAM action.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const sdkDir = new URL('src/aws/sdk/', root);

const PREFIX: Record<string, { iam: string; module: string }> = {
  asg: { iam: 'autoscaling', module: '@aws-sdk/client-auto-scaling' },
  ec2: { iam: 'ec2', module: '@aws-sdk/client-ec2' },
  elb: { iam: 'elasticloadbalancing', module: '@aws-sdk/client-elastic-load-balancing' },
  r53: { iam: 'route53', module: '@aws-sdk/client-route-53' },
  cw: { iam: 'cloudwatch', module: '@aws-sdk/client-cloudwatch' },
  elbv2: { iam: 'elasticloadbalancing', module: '@aws-sdk/client-elastic-load-balancing-v2' },
  ssm: { iam: 'ssm', module: '@aws-sdk/client-ssm' },
  s3: { iam: 's3', module: '@aws-sdk/client-s3' },
  tag: { iam: 'tag', module: '@aws-sdk/client-resource-groups-tagging-api' },
};

/** S3 operations authorized under another action name. */
const ACTION_OF: Record<string, string> = { 's3:ListObjectsV2': 's3:ListBucket' };
const actionOf = (u: Use) => {
  const action = `${PREFIX[u.alias]?.iam}:${u.operation}`;
  return ACTION_OF[action] ?? action;
};

/** The operation each SDK waiter polls. */
const WAITER_OPERATION: Record<string, string> = {
  ResourceRecordSetsChanged: 'GetChange',
};

interface Use {
  file: string;
  alias: string;
  operation: string;
  via: string;
}

function uses(): Use[] {
  const out: Use[] = [];
  for (const file of readdirSync(sdkDir).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(new URL(file, sdkDir), 'utf8');
    const all = [...text.matchAll(/new\s+([\w$]+)\.(\w+)Command\(/g)].map((m) => ({ file, alias: m[1]!, operation: m[2]!, via: m[0] }));
    for (const m of text.matchAll(/([\w$]+)\.paginate(\w+)\(/g)) out.push({ file, alias: m[1]!, operation: m[2]!, via: m[0] });
    for (const m of text.matchAll(/([\w$]+)\.waitUntil(\w+)\(/g)) {
      out.push({ file, alias: m[1]!, operation: WAITER_OPERATION[m[2]!] ?? `unknown waiter ${m[2]}`, via: m[0] });
    }
    out.push(...all);
    // Anything shaped like a command but not written `new <alias>.XCommand(` would escape the scan. SDK
    // command classes are PascalCase; a camelCase port method (sendShellCommand) is not one.
    const commands = text.match(/\b[A-Z]\w*Command\(/g) ?? [];
    if (commands.length !== all.length) stray.push(file);
  }
  return out;
}

/** Adapter files holding a command the scan cannot attribute to an SDK module. */
const stray: string[] = [];

function policyActions(sid?: string): string[] {
  const policy = JSON.parse(readFileSync(new URL('docs/iam-policy.json', root), 'utf8')) as {
    Statement: Array<{ Sid?: string; Effect: string; Action: string | string[] }>;
  };
  return policy.Statement.filter((s) => s.Effect === 'Allow' && (sid === undefined || s.Sid === sid)).flatMap((s) =>
    Array.isArray(s.Action) ? s.Action : [s.Action],
  );
}

describe('docs/iam-policy.json', () => {
  const found = uses();

  it('finds the adapters calls (the scan works), each written new <alias>.XxxCommand(...)', () => {
    expect(stray).toEqual([]);
    expect(found.length).toBeGreaterThan(20);
    expect(found.map((u) => u.operation)).toContain('CreateLoadBalancer');
  });

  it('knows every alias and waiter, and each operation exists in that SDK module', async () => {
    for (const use of found) {
      const prefix = PREFIX[use.alias];
      expect(prefix, `${use.file}: ${use.via} uses an unknown SDK alias`).toBeDefined();
      expect(use.operation, `${use.file}: ${use.via}`).not.toMatch(/^unknown waiter/);
      const sdk = (await import(prefix!.module)) as Record<string, unknown>;
      expect(typeof sdk[`${use.operation}Command`], `${use.file}: ${use.via} is not an operation of ${prefix!.module}`).toBe('function');
    }
  });

  it('allows every action the adapters call', () => {
    const allowed = new Set(policyActions());
    const missing = [...new Set(found.map(actionOf))].filter((a) => !allowed.has(a));
    expect(missing, 'actions called but not in docs/iam-policy.json').toEqual([]);
  });

  it('lists in BluegreenCalls no action the adapters do not call', () => {
    const called = new Set(found.map(actionOf));
    const stale = policyActions('BluegreenCalls').filter((a) => !called.has(a));
    expect(stale, 'actions in the policy that no adapter calls').toEqual([]);
  });

  it('keeps the permissions AWS checks on behalf of those calls', () => {
    expect(policyActions()).toEqual(expect.arrayContaining(['ec2:RunInstances', 'ec2:CreateTags', 'iam:PassRole']));
  });
});
