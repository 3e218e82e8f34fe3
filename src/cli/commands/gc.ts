import type { Command } from 'commander';
import { parseDuration } from '../../config/duration.js';
import { InputError } from '../../errors.js';
import type { GcPlan, Leftover } from '../../janitor/plan.js';
import { Session, withConfig, withOutput, type CommonFlags } from '../session.js';

interface GcFlags extends CommonFlags {
  yes?: boolean;
  olderThan?: string;
}

/** What `--older-than` takes: days then a duration ("7d", "1d12h", "36h", "90m", "0s"). */
export const AGE_HINT = 'an age such as 7d, 1d12h, 36h or 90m';

/** Whole seconds of an age ("7d" -> 604800), or undefined when the text is not one. */
export function parseAge(text: string): number | undefined {
  const m = /^(?:(\d+)d)?(.*)$/.exec(text.trim());
  if (!m) return undefined;
  const [, days, rest = ''] = m;
  if (days === undefined && rest === '') return undefined;
  const seconds = rest === '' ? 0 : parseDuration(rest);
  if (seconds === undefined) return undefined;
  const total = Number(days ?? 0) * 86_400 + seconds;
  return Number.isSafeInteger(total) ? total : undefined;
}

/** The one JSON document of `gc --output json`: what was found, what goes, what stays and why, what was deleted. */
export interface GcDocument {
  service: string;
  dryRun: boolean;
  olderThan: string | null;
  found: Leftover[];
  remove: Leftover[];
  keep: Array<Leftover & { why: string }>;
  deleted: Array<Pick<Leftover, 'type' | 'name'>>;
  /** Set when gc stopped during the deletions (exit 1): why, and the command that continues. */
  error?: { message: string; next?: string };
}

const kind = (r: Pick<Leftover, 'type'>) => r.type.replace(/-/g, ' ');

/** The plan for people: what would go, oldest deployment first, and what stays and why. Pure. */
export function renderGcPlan(plan: GcPlan, service: string): string {
  const lines: string[] = [];
  if (plan.remove.length === 0) lines.push(`gc ${service}: nothing to delete`);
  else {
    lines.push(`gc ${service}: ${plan.remove.length} resource${plan.remove.length === 1 ? '' : 's'} to delete, oldest deployment first:`);
    let current: string | undefined;
    for (const r of plan.remove) {
      if (r.deploymentId !== current) {
        current = r.deploymentId;
        const dated = plan.remove
          .filter((x) => x.deploymentId === current && x.createdAt)
          .map((x) => x.createdAt as string)
          .sort()[0];
        lines.push(`  deployment ${current}${dated ? ` (made ${dated})` : ''}`);
      }
      lines.push(`    - ${kind(r)} ${r.name}`);
    }
  }
  if (plan.keep.length > 0) {
    lines.push(`kept (${plan.keep.length}):`);
    for (const k of plan.keep) lines.push(`    = ${kind(k)} ${k.name}: ${k.why}`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerGc(program: Command): void {
  const cmd = program
    .command('gc')
    .summary('list (and with --yes delete) what old and failed deployments left behind')
    .description(
      "List what carries this service's bluegreen:service tag (found with the Resource Groups Tagging API, and Auto Scaling groups, launch templates and launch configurations with their own describes), whatever strategy made it: groups, load balancers, target groups, launch configurations and templates, alarms, images and their snapshots, instances never attached to a group. What belongs to the live stack, to the stack a rollback would return to, or to a deployment in progress is kept. Without --yes nothing is changed; with --yes it is deleted, oldest deployment first. Takes the service's lock.",
    );
  withConfig(cmd);
  cmd.option('-y, --yes', 'delete what the listing shows (without it, gc changes nothing)');
  cmd.option(
    '--older-than <age>',
    "keep the leftovers of deployments younger than this (e.g. 7d): a deployment's age is from its journal (current or history) when one knows it, else from the creation time of its oldest resource; an age AWS cannot tell is kept",
  );
  withOutput(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ bluegreen gc                        # what would be deleted, and what is kept and why
  $ bluegreen gc --yes                  # delete it; a run that stopped is continued by running it again
  $ bluegreen gc --older-than 7d --yes  # keep the last week's failed deployments for inspection
  $ bluegreen gc --output json | jq '.remove[] | .type + " " + .name'`,
  );
  cmd.action(async (flags: GcFlags) => {
    const session = new Session('gc', flags);
    let olderThan: { seconds: number; label: string } | undefined;
    if (flags.olderThan !== undefined) {
      const seconds = parseAge(flags.olderThan);
      if (seconds === undefined) throw new InputError(`--older-than ${flags.olderThan}: expected ${AGE_HINT}; nothing was read or deleted`);
      olderThan = { seconds, label: flags.olderThan.trim() };
    }
    const ops = await import('../../operations.js');
    // No progress display (gc runs no engine steps); Ctrl-C stops before the next deletion.
    const stop = (signal: NodeJS.Signals) => {
      session.stderr.write(`\n${signal}: stopping before the next deletion (run \`${session.commandLine('gc')} --yes\` again to go on)\n`);
      session.controller.abort(new Error(signal));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const deleted: GcDocument['deleted'] = [];
    // Set by onPlan (a callback, so read through a holder TypeScript does not narrow).
    const made: { doc?: Omit<GcDocument, 'deleted'> } = {};
    try {
      const result = await ops.gc({
        configFile: flags.config,
        commandPrefix: session.commandPrefix,
        signal: session.controller.signal,
        ...(flags.yes ? { yes: true } : {}),
        ...(olderThan ? { olderThan } : {}),
        onPlan: (plan, config, found) => {
          made.doc = {
            service: config.service,
            dryRun: !flags.yes,
            olderThan: olderThan?.label ?? null,
            found,
            remove: plan.remove,
            keep: plan.keep,
          };
          if (!session.json) session.stdout.write(renderGcPlan(plan, config.service));
        },
        onDeleted: (r, index, total) => {
          deleted.push({ type: r.type, name: r.name });
          if (!session.json) session.stdout.write(`deleted ${kind(r)} ${r.name} (${index}/${total})\n`);
        },
        onProgress: (_r, message) => session.stderr.write(`  ${message}\n`),
      });
      const { plan } = result;
      if (session.json) {
        if (made.doc) session.emitJson({ ...made.doc, deleted } satisfies GcDocument);
      } else if (plan.remove.length === 0) {
        // The listing said so.
      } else if (flags.yes) {
        session.stdout.write(`deleted ${deleted.length} resource${deleted.length === 1 ? '' : 's'}\n`);
      } else {
        const n = plan.remove.length;
        session.stdout.write(
          `nothing was changed; run \`${result.deleteCommand}\` to delete ${n === 1 ? 'this resource' : `these ${n} resources`}\n`,
        );
      }
    } catch (error) {
      // Stopped during the deletions: the document still says what was found and what is gone.
      if (session.json && made.doc) {
        const e = error as { message?: string; next?: string };
        session.emitJson({
          ...made.doc,
          deleted,
          error: { message: String(e.message ?? error), ...(e.next ? { next: e.next } : {}) },
        } satisfies GcDocument);
      }
      throw error;
    } finally {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
    }
  });
}
