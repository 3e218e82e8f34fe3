import type { Command } from 'commander';
import type { GcPlan, Leftover } from '../../janitor/plan.js';
import { Session, withConfig, withOutput, type CommonFlags } from '../session.js';

/** The JSON events of `gc --output json`, one object a line (then the result). */
export const GC_EVENT = {
  remove: 'gc.remove',
  keep: 'gc.keep',
  deleting: 'gc.deleting',
  deleted: 'gc.deleted',
} as const;

interface GcFlags extends CommonFlags {
  yes?: boolean;
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
      "List what carries this service's bluegreen tags or names (groups, load balancers or target groups, launch configurations and templates, alarm copies, baked images and their snapshots, builder instances) but belongs to no live stack, to no stack a rollback would return to, and to no deployment in progress. Without --yes nothing is changed; with --yes it is deleted, oldest deployment first. Takes the service's lock.",
    );
  withConfig(cmd);
  cmd.option('-y, --yes', 'delete what the listing shows (without it, gc changes nothing)');
  withOutput(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ bluegreen gc                        # what would be deleted, and what is kept and why
  $ bluegreen gc --yes                  # delete it; a run that stopped is continued by running it again
  $ bluegreen gc --output json | jq -c 'select(.event == "gc.remove")'`,
  );
  cmd.action(async (flags: GcFlags) => {
    const session = new Session('gc', flags);
    const ops = await import('../../operations.js');
    // No progress display (gc runs no engine steps); Ctrl-C stops before the next deletion.
    const stop = (signal: NodeJS.Signals) => {
      session.stderr.write(`\n${signal}: stopping before the next deletion (run \`${session.commandLine('gc')} --yes\` again to go on)\n`);
      session.controller.abort(new Error(signal));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const result = await ops.gc({
        configFile: flags.config,
        commandPrefix: session.commandPrefix,
        signal: session.controller.signal,
        ...(flags.yes ? { yes: true } : {}),
        onPlan: (plan, config) => {
          if (session.json) {
            for (const r of plan.remove) session.emitJson({ event: GC_EVENT.remove, ...r });
            for (const k of plan.keep) session.emitJson({ event: GC_EVENT.keep, ...k });
          } else session.stdout.write(renderGcPlan(plan, config.service));
        },
        onDeleting: (r, index, total) => {
          if (session.json) session.emitJson({ event: GC_EVENT.deleting, type: r.type, name: r.name, index, total });
        },
        onDeleted: (r, index, total) => {
          if (session.json) session.emitJson({ event: GC_EVENT.deleted, type: r.type, name: r.name, index, total });
          else session.stdout.write(`deleted ${kind(r)} ${r.name} (${index}/${total})\n`);
        },
        onProgress: (_r, message) => {
          if (!session.json) session.stderr.write(`  ${message}\n`);
        },
      });
      const { plan, deleted } = result;
      if (session.json) {
        session.emitJson({ service: result.config.service, remove: plan.remove.length, keep: plan.keep.length, deleted, dryRun: !flags.yes });
      } else if (plan.remove.length === 0) {
        // The listing said so.
      } else if (flags.yes) {
        session.stdout.write(`deleted ${deleted} resource${deleted === 1 ? '' : 's'}\n`);
      } else {
        const n = plan.remove.length;
        session.stdout.write(
          `nothing was changed; run \`${result.deleteCommand}\` to delete ${n === 1 ? 'this resource' : `these ${n} resources`}\n`,
        );
      }
    } finally {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
    }
  });
}
