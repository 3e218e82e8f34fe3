/**
 * `npm run bench`: how a deployment scales with the size of the group, against moto, and how the SSH
 * runner scales with the number of hosts, against real sshd processes, and how bluegreen's deploy compares
 * with the plain script it replaces. Four parts (all by default; `--only reference,replica-dns,swap,ssh`
 * picks some):
 *
 * reference: on a 3-instance replica-dns stack (release.image, health.interval 1s, retire.after 0s), the
 * real CLI (`bluegreen plan`, then `bluegreen deploy --yes`) against scripts/bench-reference.py, the seed's
 * approach 2 as a plain boto3 script (python3 with boto3, which moto's install brings), REFERENCE_RUNS
 * times each, alternating which goes first, a fresh stack for each; each whole process timed from spawn
 * to exit (process start included) with its CPU. Prints the medians and the ratio, then one more deploy
 * with scripts/bench-timeline.mjs preloaded: where its time goes (SDK packages loaded, observe calls,
 * steps, journal saves and fsyncs). Goals: deploy <= 1.0x the script, plan < 500 ms.
 *
 * replica-dns: starts its own moto (a child process, stopped at the end, also on failure and on Ctrl-C).
 * For each size N in SIZES, RUNS times: reset moto, build a blue stack of N instances, write a config
 * (health.interval 1s, retire.after 0s), then deploy it in a fresh child Node process through the
 * library API (`deploy` with `createAwsPorts({ onCall })`), so that the child counts every AWS command
 * by service:operation (the observe/plan part included: it is inside deploy) and reports its own wall
 * time and peak RSS, none of it moto's or this harness's. The child is plain Node importing dist/
 * (no tsx loader in the measured process). Once per size the real CLI (`deploy --yes --output json`)
 * is also run under /usr/bin/time -v when present, for the peak RSS of the command users run.
 * Finally times `bluegreen --version` (VERSION_RUNS runs).
 *
 * swap: the same for strategy swap-instances with `release.image` (the stack's release AMI), health
 * interval 1s, retire.after 0s, and the blue load balancer's connection draining set to 1 s (the stack
 * builds it with 30 s) so that the draining wait is there but short. No CLI run.
 *
 * ssh: starts SSH_HOSTS real sshd on loopback (test/support/sshd.ts) and times SshRunner probe + run of
 * SSH_COMMANDS over 3 and over 30 hosts at parallel 10 (a fresh runner each run, so the first
 * connection of every host is in the time), RUNS runs each; counts sshd logins ("Accepted publickey")
 * and the CPU time of both ends (the ssh clients reaped by this process, the sshd processes' reaped
 * children). Repeated with `KexAlgorithms curve25519-sha256` prepended to the ssh config (the product's
 * defaults are not changed) to show the key exchange's share. Then a handshake micro-measure: one plain
 * `ssh host true` (no multiplexing) after another, per key exchange, for the CPU of one login.
 *
 * Prints tables, checks the goals (reference: above; replica-dns and swap: 50 vs 2 instances at most 2x the
 * calls and 2x the median time; --version median under 60 ms; ssh: 30 hosts within 4x the median time of 3 hosts,
 * one login per host) and exits 1 if one fails.
 *
 * Options: --runs N (default 3), --reference-runs N (default 7), --sizes 2,50,
 * --only reference,replica-dns,swap,ssh, --ssh-hosts 3,30,
 * --src (run the library from src/ through tsx instead of dist/, when the build is not available),
 * --json FILE (also write the raw figures).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ModifyLoadBalancerAttributesCommand } from '@aws-sdk/client-elastic-load-balancing';
import type { RemoteRunner } from '../src/remote/types.js';
import { buildBlueStack, clients, writeConfig, type BlueStack } from '../test/support/blue-stack.js';
import { CLI, ROOT } from '../test/support/cli.js';
import { awsEnv, startMoto, type Moto } from '../test/support/moto.js';
import { sshdMissing, startSshd, type SshdFleet } from '../test/support/sshd.js';

// ── options ──────────────────────────────────────────────────────────────────────────────────────

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const PARTS = ['reference', 'replica-dns', 'swap', 'ssh'] as const;
type Part = (typeof PARTS)[number];
const ONLY = (option('--only') ?? PARTS.join(',')).split(',').map((p) => p.trim()) as Part[];
for (const p of ONLY) {
  if (!PARTS.includes(p)) {
    process.stderr.write(`bench: --only: unknown part ${p} (parts: ${PARTS.join(', ')})\n`);
    process.exit(2);
  }
}
const RUNS = Number(option('--runs') ?? 3);
const SIZES = (option('--sizes') ?? '2,50').split(',').map(Number);
const SSH_HOSTS = (option('--ssh-hosts') ?? '3,30').split(',').map(Number);
const FROM_SRC = process.argv.includes('--src') || !existsSync(join(ROOT, 'dist', 'index.js'));
const JSON_OUT = option('--json');
const VERSION_RUNS = 20;
const GOAL_RATIO = 2;
const GOAL_VERSION_MS = 60;
/** reference: bluegreen deploy (and plan) against the boto3 script, this many runs of each, alternating. */
const REFERENCE_RUNS = Number(option('--reference-runs') ?? 7);
/** reference: another checkout of bluegreen with its dist/ built (e.g. an older commit), timed beside this one. */
const BASELINE = option('--baseline');
/** reference: the instances of the blue stack (the issue's 3-instance classic replica-dns stack). */
const REFERENCE_INSTANCES = 3;
/** reference: deploy may take at most this times the boto3 script's median wall time. */
const GOAL_REFERENCE_RATIO = 1.0;
const GOAL_PLAN_MS = 500;
const GOAL_SSH_RATIO = 4;
const SSH_PARALLEL = 10;
const SSH_COMMANDS = ['true', 'echo x', 'sleep 0.1'];
/** Connection draining of the blue load balancer in the swap part (seconds). */
const SWAP_DRAINING_SECONDS = 1;
/** Plain `ssh host true` connections per key exchange in the handshake micro-measure. */
const HANDSHAKES = 10;

/**
 * AWS operations a deployment calls that exist only per instance: no batch form in the API, so their
 * count necessarily grows with N. (AttachInstances and DetachInstances are batch calls of up to 20
 * instances: they grow by one call per 20 instances, which the table shows.)
 */
const PER_INSTANCE_ONLY: Record<string, string> = {
  'autoscaling:TerminateInstanceInAutoScalingGroup': 'takes one InstanceId per call; AWS has no batch form',
};

// ── the measured child ──────────────────────────────────────────────────────────────────────────

/** What one child deployment reports (last line of its stdout, as JSON). */
interface ChildReport {
  status: string;
  error?: string;
  /** ms spent importing the library (before deploy starts). */
  importMs: number;
  /** ms inside deploy(): load config, lock, observe, plan, every step. */
  deployMs: number;
  /** ms from calling deploy() to the engine's first event: config, lock, loading the SDK clients, observe, plan. */
  planMs: number;
  /** process.resourceUsage().maxRSS at the end, in KiB. */
  maxRssKb: number;
  /** Calls by "service:operation". */
  calls: Record<string, number>;
  /** Calls made before the engine started (observe + plan), by "service:operation". */
  planCalls: Record<string, number>;
  /** Per step: duration and calls. */
  steps: Array<{ id: string; durationMs: number; calls: number }>;
}
/**
 * The child's program (an ES module given to `node -e`). It imports the library from LIB_OPS and
 * LIB_SDK (file URLs), deploys BENCH_CONFIG and prints a ChildReport.
 */
const CHILD = `
const t0 = performance.now();
const { deploy } = await import(process.env.LIB_OPS);
const { createAwsPorts } = await import(process.env.LIB_SDK);
const t1 = performance.now();
const calls = {}, planCalls = {}, steps = [];
let engineStarted = false, step, planMs = 0;
const bump = (m, k) => { m[k] = (m[k] ?? 0) + 1; };
const ports = createAwsPorts({
  onCall: (service, operation) => {
    const key = service + ':' + operation;
    bump(calls, key);
    if (!engineStarted) bump(planCalls, key);
    if (step) step.calls++;
  },
});
const onEvent = (e) => {
  if (e.event === 'deployment.started') { engineStarted = true; planMs = performance.now() - t1; }
  else if (e.event === 'step.started') { step = { id: e.stepId, durationMs: 0, calls: 0 }; steps.push(step); }
  else if (e.event === 'step.succeeded' || e.event === 'step.failed') { if (step) step.durationMs = e.durationMs; step = undefined; }
};
let status, error;
try {
  const journal = await deploy({ configFile: process.env.BENCH_CONFIG, ports, onEvent });
  status = journal?.status ?? 'cancelled';
  error = journal?.error;
} catch (e) {
  status = 'threw';
  error = String(e?.stack ?? e);
}
const t2 = performance.now();
const report = { status, importMs: t1 - t0, deployMs: t2 - t1, planMs, maxRssKb: process.resourceUsage().maxRSS, calls, planCalls, steps };
if (error) report.error = error;
process.stdout.write('\\n' + JSON.stringify(report) + '\\n');
`;

// ── processes ───────────────────────────────────────────────────────────────────────────────────

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

const children = new Set<ReturnType<typeof spawn>>();

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd = ROOT, timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      children.delete(child);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr, wallMs: performance.now() - start });
    });
  });
}

/** A clean environment: PATH, HOME and what points the SDK at moto; nothing of the caller's AWS. */
function childEnv(moto: Moto): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LANG: process.env.LANG ?? 'C.UTF-8', NO_COLOR: '1', ...awsEnv(moto.endpoint) };
}

async function deployInChild(moto: Moto, configFile: string): Promise<ChildReport> {
  const lib = FROM_SRC
    ? { ops: join(ROOT, 'src', 'operations.ts'), sdk: join(ROOT, 'src', 'aws', 'sdk', 'index.ts') }
    : { ops: join(ROOT, 'dist', 'operations.js'), sdk: join(ROOT, 'dist', 'aws', 'sdk', 'index.js') };
  const env = { ...childEnv(moto), BENCH_CONFIG: configFile, LIB_OPS: pathToFileURL(lib.ops).href, LIB_SDK: pathToFileURL(lib.sdk).href };
  const args = [...(FROM_SRC ? ['--import', 'tsx'] : []), '--input-type=module', '-e', CHILD];
  const r = await run(process.execPath, args, env);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let report: ChildReport;
  try {
    report = JSON.parse(last) as ChildReport;
  } catch {
    throw new Error(`deploy child exited ${r.code} without a report:\n${r.stdout}\n${r.stderr}`);
  }
  if (report.status !== 'succeeded') throw new Error(`deployment ended ${report.status}: ${report.error ?? ''}\n${r.stderr}`);
  return report;
}

/** The real CLI's deploy under /usr/bin/time -v: its peak RSS (KiB) and wall time. */
async function deployCli(moto: Moto, dir: string): Promise<{ maxRssKb: number; wallMs: number } | undefined> {
  if (!existsSync('/usr/bin/time') || !existsSync(CLI)) return undefined;
  const r = await run(
    '/usr/bin/time',
    ['-v', process.execPath, CLI, 'deploy', '--yes', '--output', 'json', '-c', 'bluegreen.yml'],
    childEnv(moto),
    dir,
  );
  if (r.code !== 0) throw new Error(`bluegreen deploy exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const wall = /Elapsed \(wall clock\) time[^:]*: (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr);
  const wallMs = wall ? ((Number(wall[1] ?? 0) * 60 + Number(wall[2])) * 60 + Number(wall[3])) * 1000 : r.wallMs;
  return rss ? { maxRssKb: Number(rss[1]), wallMs } : undefined;
}

// ── statistics and formatting ───────────────────────────────────────────────────────────────────

const median = (xs: number[]) => quantile(xs, 0.5);
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}
const total = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);
const ms = (x: number) => `${Math.round(x)} ms`;
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

// ── main: deployments against moto (replica-dns, swap) ─────────────────────────────────────────

type Kind = 'replica-dns' | 'swap';

interface SizeResult {
  kind: Kind;
  instances: number;
  runs: ChildReport[];
  /** Calls of the first run (they are the same in every run; checked). */
  calls: Record<string, number>;
  planCalls: Record<string, number>;
  medianDeployMs: number;
  medianRssKb: number;
  cli?: { maxRssKb: number; wallMs: number };
  setupMs: number[];
}

interface Goal {
  name: string;
  pass: boolean;
  detail: string;
}

let moto: Moto | undefined;
let fleet: SshdFleet | undefined;
const runners = new Set<RemoteRunner>();
const dirs: string[] = [];
let stopping = false;

async function cleanUp(): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGKILL');
  await Promise.all([...runners].map((r) => r.close().catch(() => undefined)));
  await moto?.stop();
  await fleet?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: stopping moto and sshd\n`);
    void cleanUp().finally(() => process.exit(130));
  });
}

const log = (s: string) => process.stderr.write(`${s}\n`);

/** The swap-instances config of a stack: the release AMI, health every 1s, no time together before retiring. */
function swapYaml(stack: BlueStack): string {
  return `# bluegreen configuration for the ${stack.service} bench stack (swap-instances)
service: ${stack.service}
region: ${stack.region}
strategy: swap-instances

blue:
  autoScalingGroup: ${stack.groupName}

release:
  image: ${stack.releaseImageId}

health:
  timeout: 120s
  interval: 1s

retire:
  after: 0s
`;
}

/** A stack of N instances in a reset moto and its config file. */
async function prepare(m: Moto, kind: Kind, instances: number): Promise<{ dir: string; file: string }> {
  await m.reset();
  const stack = await buildBlueStack(m.endpoint, { instances });
  if (kind === 'replica-dns') return writeConfig(stack, { healthInterval: '1s', retireAfter: '0s' });
  // buildBlueStack gives the load balancer 30 s of connection draining; the swap waits it out. Keep it
  // on (the wait is part of the swap) but short.
  await clients(m.endpoint).elb.send(
    new ModifyLoadBalancerAttributesCommand({
      LoadBalancerName: stack.loadBalancerName,
      LoadBalancerAttributes: { ConnectionDraining: { Enabled: true, Timeout: SWAP_DRAINING_SECONDS } },
    }),
  );
  const dir = await mkdtemp(join(tmpdir(), 'bluegreen-bench-'));
  const file = join(dir, 'bluegreen.yml');
  await writeFile(file, swapYaml(stack));
  return { dir, file };
}

async function benchSize(m: Moto, kind: Kind, instances: number): Promise<SizeResult> {
  const runs: ChildReport[] = [];
  const setupMs: number[] = [];
  let cli: SizeResult['cli'];
  // RUNS library runs, then (replica-dns) one CLI run for its RSS when /usr/bin/time is there.
  const count = kind === 'replica-dns' ? RUNS + 1 : RUNS;
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const { dir, file } = await prepare(m, kind, instances);
    dirs.push(dir);
    setupMs.push(performance.now() - t);
    if (i < RUNS) {
      const report = await deployInChild(m, file);
      runs.push(report);
      log(
        `  ${kind} N=${instances} run ${i + 1}/${RUNS}: deploy ${ms(report.deployMs)}, ${total(report.calls)} calls, peak RSS ${mb(report.maxRssKb)} (setup ${ms(setupMs.at(-1)!)})`,
      );
    } else {
      cli = await deployCli(m, dir);
      if (cli) log(`  ${kind} N=${instances} CLI: bluegreen deploy ${ms(cli.wallMs)}, peak RSS ${mb(cli.maxRssKb)}`);
    }
  }
  const first = runs[0]!;
  for (const r of runs.slice(1)) {
    if (JSON.stringify(Object.entries(r.calls).sort()) !== JSON.stringify(Object.entries(first.calls).sort())) {
      log(`  note: ${kind} N=${instances}: calls differ between runs (${total(first.calls)} vs ${total(r.calls)})`);
    }
  }
  return {
    kind,
    instances,
    runs,
    calls: first.calls,
    planCalls: first.planCalls,
    medianDeployMs: median(runs.map((r) => r.deployMs)),
    medianRssKb: median(runs.map((r) => r.maxRssKb)),
    ...(cli ? { cli } : {}),
    setupMs,
  };
}

const withoutPerInstance = (m: Record<string, number>) => total(Object.fromEntries(Object.entries(m).filter(([op]) => !(op in PER_INSTANCE_ONLY))));
const stepsMs = (x: ChildReport) => x.steps.reduce((a, s) => a + s.durationMs, 0);
const stepMs = (x: ChildReport, id: string) => x.steps.find((s) => s.id === id)?.durationMs ?? 0;

function printDeployments(title: string, results: SizeResult[]): void {
  const ops = [...new Set(results.flatMap((r) => Object.keys(r.calls)))].sort();
  const sizeCols = results.map((r) => `N=${r.instances}`);
  const rows = ops.map((op) => [op in PER_INSTANCE_ONLY ? `${op} (*)` : op, ...results.map((r) => String(r.calls[op] ?? 0))]);
  rows.push(['total', ...results.map((r) => String(total(r.calls)))]);
  if (ops.some((op) => op in PER_INSTANCE_ONLY))
    rows.push(['  excluding per-instance-only (*)', ...results.map((r) => String(withoutPerInstance(r.calls)))]);
  rows.push(['  of which observe + plan', ...results.map((r) => String(total(r.planCalls)))]);
  rows.push([`deploy wall time (median of ${RUNS})`, ...results.map((r) => ms(r.medianDeployMs))]);
  rows.push(['  of which config + observe + plan', ...results.map((r) => ms(median(r.runs.map((x) => x.planMs))))]);
  rows.push(['  of which steps', ...results.map((r) => ms(median(r.runs.map(stepsMs))))]);
  rows.push([
    'deploy wall time (min..max)',
    ...results.map((r) => `${ms(Math.min(...r.runs.map((x) => x.deployMs)))}..${ms(Math.max(...r.runs.map((x) => x.deployMs)))}`),
  ]);
  rows.push(['library import time (median)', ...results.map((r) => ms(median(r.runs.map((x) => x.importMs))))]);
  rows.push(['peak RSS, library child (median)', ...results.map((r) => mb(r.medianRssKb))]);
  if (results.every((r) => r.cli)) {
    rows.push(['peak RSS, CLI deploy (time -v)', ...results.map((r) => mb(r.cli!.maxRssKb))]);
    rows.push(['CLI deploy wall time (1 run)', ...results.map((r) => ms(r.cli!.wallMs))]);
  }
  const notes = ops
    .filter((op) => op in PER_INSTANCE_ONLY)
    .map((op) => `(*) ${op}: ${PER_INSTANCE_ONLY[op]}`)
    .join('\n');
  process.stdout.write(`\n${title}\n\n${table(['', ...sizeCols], rows)}\n${notes ? `${notes}\n` : ''}`);

  // Where the time goes: steps by duration (median over runs), with their calls.
  const stepIds = [...new Set(results.flatMap((r) => r.runs[0]!.steps.map((s) => s.id)))];
  const stepRows = stepIds.map((id) => [
    id,
    ...results.flatMap((r) => {
      const durations = r.runs.map((x) => stepMs(x, id));
      const calls = r.runs[0]!.steps.find((s) => s.id === id)?.calls ?? 0;
      return [ms(median(durations)), String(calls)];
    }),
  ]);
  process.stdout.write(
    `\nSteps (median duration, calls)\n\n${table(['step', ...results.flatMap((r) => [`N=${r.instances} time`, 'calls'])], stepRows)}\n`,
  );
}

function scalingGoals(kind: Kind, results: SizeResult[]): Goal[] {
  const goals: Goal[] = [];
  const sizes = results.map((r) => r.instances);
  const small = results.find((r) => r.instances === Math.min(...sizes))!;
  const large = results.find((r) => r.instances === Math.max(...sizes))!;
  if (small === large) return goals;
  const prefix = kind === 'swap' ? 'swap-instances ' : '';
  const ops = [...new Set(results.flatMap((r) => Object.keys(r.calls)))].sort();
  const callRatio = total(large.calls) / total(small.calls);
  const timeRatio = large.medianDeployMs / small.medianDeployMs;
  const stepsRatio = median(large.runs.map(stepsMs)) / median(small.runs.map(stepsMs));
  const growing = ops
    .filter((op) => (large.calls[op] ?? 0) > (small.calls[op] ?? 0))
    .map((op) => `${op} ${small.calls[op] ?? 0} -> ${large.calls[op] ?? 0}`);
  const sizesName = `N=${large.instances} <= ${GOAL_RATIO}x N=${small.instances}`;
  goals.push({
    name: `${prefix}calls ${sizesName}`,
    pass: callRatio <= GOAL_RATIO,
    detail: `${total(large.calls)} vs ${total(small.calls)} = ${callRatio.toFixed(2)}x${growing.length ? `; grows with N: ${growing.join(', ')}` : '; no operation grows with N'}`,
  });
  const perInstance = ops.filter((op) => op in PER_INSTANCE_ONLY);
  if (perInstance.length > 0) {
    const a = withoutPerInstance(large.calls);
    const b = withoutPerInstance(small.calls);
    goals.push({
      name: `${prefix}calls ${sizesName}, excluding per-instance-only operations (${perInstance.map((op) => op.split(':')[1]).join(', ')})`,
      pass: a / b <= GOAL_RATIO,
      detail: `${a} vs ${b} = ${(a / b).toFixed(2)}x`,
    });
  }
  goals.push({
    name: `${prefix}time ${sizesName}`,
    pass: timeRatio <= GOAL_RATIO,
    detail: `${ms(large.medianDeployMs)} vs ${ms(small.medianDeployMs)} = ${timeRatio.toFixed(2)}x (steps alone: ${stepsRatio.toFixed(2)}x)`,
  });
  if (kind === 'swap') {
    // The time without the step that makes the per-instance calls (terminate-old), median over runs.
    const without = (r: SizeResult) => median(r.runs.map((x) => x.deployMs - stepMs(x, 'terminate-old')));
    const a = without(large);
    const b = without(small);
    goals.push({
      name: `${prefix}time ${sizesName}, excluding the terminate-old step (where the per-instance calls are)`,
      pass: a / b <= GOAL_RATIO,
      detail: `${ms(a)} vs ${ms(b)} = ${(a / b).toFixed(2)}x; terminate-old alone: ${ms(median(large.runs.map((x) => stepMs(x, 'terminate-old'))))} vs ${ms(median(small.runs.map((x) => stepMs(x, 'terminate-old'))))}`,
    });
  }
  return goals;
}

async function timeVersion(): Promise<{ runs: number[]; nodeBaseline: number[] }> {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME };
  const runs: number[] = [];
  const nodeBaseline: number[] = [];
  await run(process.execPath, [CLI, '--version'], env); // warm the file cache
  for (let i = 0; i < VERSION_RUNS; i++) {
    const r = await run(process.execPath, [CLI, '--version'], env);
    if (r.code !== 0) throw new Error(`bluegreen --version exited ${r.code}: ${r.stderr}`);
    runs.push(r.wallMs);
    nodeBaseline.push((await run(process.execPath, ['-e', ''], env)).wallMs);
  }
  return { runs, nodeBaseline };
}

// ── reference: bluegreen deploy against the seed's approach 2 as a plain boto3 script ─────────────

const REFERENCE_SCRIPT = join(ROOT, 'scripts', 'bench-reference.py');
const TIMELINE = join(ROOT, 'scripts', 'bench-timeline.mjs');

/** One timed process: wall time from spawn to exit (process start included) and its CPU (user + system). */
interface Timed {
  wallMs: number;
  cpuMs: number;
}

/** Runs a child and times it; its CPU is read from this process's reaped-children time. */
async function timed(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Timed & { out: Run }> {
  const before = procCpu('self').children;
  const out = await run(command, args, env, cwd);
  if (out.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${out.code}:\n${out.stdout}\n${out.stderr}`);
  return { wallMs: out.wallMs, cpuMs: procCpu('self').children - before, out };
}

interface ReferenceRun {
  /** `bluegreen deploy --yes -c bluegreen.yml`, the whole process. */
  deploy: Timed;
  /** `bluegreen plan -c bluegreen.yml` on the same stack just before. */
  plan: Timed;
  /** The same two of the --baseline checkout, on a stack of their own. */
  baseline?: { deploy: Timed; plan: Timed };
  /** `python3 scripts/bench-reference.py ...`, the whole process, on a stack of its own. */
  reference: Timed;
  /** The script's own count of its AWS calls. */
  referenceCalls: Record<string, number>;
  /** The order they ran in this run (it rotates). */
  order: Who[];
}

type Who = 'bluegreen' | 'reference' | 'baseline';

/** What the timeline preload (scripts/bench-timeline.mjs) records of one process, in ms since it started. */
interface Timeline {
  modules: Array<{ module: string; start: number; ms: number }>;
  calls: Array<{ operation: string; start: number; end: number }>;
  saves: Array<{ start: number; ms: number }>;
  fsyncs: number;
  events: Array<{ event: string; step?: string; at: number }>;
  end: number;
}

interface ReferenceResults {
  runs: ReferenceRun[];
  timeline?: Timeline;
  baselineTimeline?: Timeline;
  python: string;
}

async function referenceStack(m: Moto): Promise<{ stack: BlueStack; dir: string; file: string }> {
  await m.reset();
  const stack = await buildBlueStack(m.endpoint, { instances: REFERENCE_INSTANCES });
  const { dir, file } = await writeConfig(stack, { healthInterval: '1s', retireAfter: '0s' });
  dirs.push(dir);
  return { stack, dir, file };
}

function referenceArgs(stack: BlueStack): string[] {
  return [
    REFERENCE_SCRIPT,
    ...['--group', stack.groupName, '--image', stack.releaseImageId, '--zone', stack.hostedZoneId, '--record', stack.recordName],
    ...['--interval', '1', '--suffix', 'green'],
  ];
}

async function benchReference(m: Moto): Promise<ReferenceResults> {
  const py = await run('python3', ['-c', 'import boto3, sys; print(sys.version.split()[0], boto3.__version__)'], process.env);
  if (py.code !== 0) throw new Error(`reference part: python3 with boto3 is needed (moto's install brings it): ${py.stderr}`);
  const python = `python ${py.stdout.trim().replace(' ', ', boto3 ')}`;
  const env = childEnv(m);
  const runs: ReferenceRun[] = [];
  const who: Who[] = ['bluegreen', 'reference', ...(BASELINE ? (['baseline'] as const) : [])];
  const cliOf = (w: Who) => (w === 'baseline' ? join(BASELINE!, 'dist', 'cli', 'main.js') : CLI);
  const planAndDeploy = async (w: Who, dir: string) => ({
    plan: strip(await timed(process.execPath, [cliOf(w), 'plan', '-c', 'bluegreen.yml'], env, dir)),
    deploy: strip(await timed(process.execPath, [cliOf(w), 'deploy', '--yes', '-c', 'bluegreen.yml'], env, dir)),
  });
  for (let i = 0; i < REFERENCE_RUNS; i++) {
    const order = [...who.slice(i % who.length), ...who.slice(0, i % who.length)];
    const one: Partial<ReferenceRun> = { order };
    for (const w of order) {
      const { stack, dir } = await referenceStack(m);
      if (w === 'bluegreen') Object.assign(one, await planAndDeploy(w, dir));
      else if (w === 'baseline') one.baseline = await planAndDeploy(w, dir);
      else {
        const r = await timed('python3', referenceArgs(stack), env, dir);
        const report = JSON.parse(r.out.stdout.trim().split('\n').pop() ?? '{}') as { status?: string; calls?: Record<string, number> };
        if (report.status !== 'succeeded') throw new Error(`reference script: ${r.out.stdout}\n${r.out.stderr}`);
        one.reference = strip(r);
        one.referenceCalls = report.calls ?? {};
      }
    }
    const r = one as ReferenceRun;
    runs.push(r);
    log(
      `  reference run ${i + 1}/${REFERENCE_RUNS} (${order.join(', ')}): bluegreen deploy ${ms(r.deploy.wallMs)} (CPU ${ms(r.deploy.cpuMs)}), ` +
        `boto3 script ${ms(r.reference.wallMs)} (CPU ${ms(r.reference.cpuMs)}), plan ${ms(r.plan.wallMs)}` +
        (r.baseline
          ? `; baseline deploy ${ms(r.baseline.deploy.wallMs)} (CPU ${ms(r.baseline.deploy.cpuMs)}), plan ${ms(r.baseline.plan.wallMs)}`
          : ''),
    );
  }
  // One more deploy, with the timeline preload: where its time goes (not in the medians).
  const timelineOf = async (root: string, cli: string): Promise<Timeline | undefined> => {
    if (!existsSync(join(root, 'dist', 'state', 'file-store.js'))) return undefined;
    const { dir } = await referenceStack(m);
    const file = join(dir, 'timeline.json');
    await timed(
      process.execPath,
      ['--import', TIMELINE, cli, 'deploy', '--yes', '--output', 'json', '-c', 'bluegreen.yml'],
      { ...env, BLUEGREEN_TIMELINE: file },
      dir,
    );
    return JSON.parse(readFileSync(file, 'utf8')) as Timeline;
  };
  const timeline = await timelineOf(ROOT, CLI);
  const baselineTimeline = BASELINE ? await timelineOf(BASELINE, cliOf('baseline')) : undefined;
  return { runs, python, ...(timeline ? { timeline } : {}), ...(baselineTimeline ? { baselineTimeline } : {}) };
}

const strip = (t: Timed): Timed => ({ wallMs: t.wallMs, cpuMs: t.cpuMs });

/** The span of a set of calls, and the sum of their durations (more than the span where they overlap). */
function callSpan(calls: Timeline['calls']): { n: number; from: number; to: number; sum: number } {
  if (calls.length === 0) return { n: 0, from: 0, to: 0, sum: 0 };
  return {
    n: calls.length,
    from: Math.min(...calls.map((c) => c.start)),
    to: Math.max(...calls.map((c) => c.end)),
    sum: calls.reduce((a, c) => a + (c.end - c.start), 0),
  };
}

function printTimeline(t: Timeline, what: string): void {
  const started = t.events.find((e) => e.event === 'deployment.started')?.at ?? t.end;
  const finished = t.events.find((e) => e.event === 'deployment.finished')?.at ?? t.end;
  const firstModule = t.modules[0]?.start ?? started;
  const observe = t.calls.filter((c) => c.start < started);
  const before = callSpan(observe);
  const during = callSpan(t.calls.filter((c) => c.start >= started));
  const savesDuring = t.saves.filter((s) => s.start >= started);
  const rows = [
    t.modules.length > 0
      ? ['process start to the first SDK package load (node, bluegreen modules, config, lock)', ms(firstModule), '']
      : ['process start to the first AWS call (SDK packages loaded by import(), not seen one by one)', ms(before.from), ''],
    ...t.modules.map((m) => [`  load ${m.module}`, ms(m.ms), `at ${ms(m.start)}`]),
    [
      `observe: ${before.n} calls, first sent to last answered`,
      ms(before.to - before.from),
      `${ms(before.from)} to ${ms(before.to)}; calls' own time ${ms(before.sum)}`,
    ],
    ...observe.map((c) => [`  ${c.operation}`, ms(c.end - c.start), `${ms(c.start)} to ${ms(c.end)}`]),
    ['first step starts (plan made, journal written)', '', `at ${ms(started)}`],
    [`steps: ${during.n} calls`, ms(finished - started), `calls' own time ${ms(during.sum)}`],
    [
      `  journal saves during the steps: ${savesDuring.length}`,
      ms(savesDuring.reduce((a, s) => a + s.ms, 0)),
      `${t.saves.length} saves and ${t.fsyncs} fsyncs in the whole process`,
    ],
    ['deployment finished to process exit', ms(t.end - finished), `exit at ${ms(t.end)}`],
  ];
  // Each step: its time, its calls (serial ones one after another), its journal saves.
  const steps = t.events.filter((e) => e.event === 'step.started');
  const stepRows = steps.map((e) => {
    const end = t.events.find((x) => x.at >= e.at && x.step === e.step && (x.event === 'step.succeeded' || x.event === 'step.failed'))?.at ?? t.end;
    const calls = t.calls.filter((c) => c.start >= e.at && c.start <= end);
    const saves = t.saves.filter((s) => s.start >= e.at && s.start <= end);
    return [e.step ?? '?', ms(end - e.at), calls.map((c) => c.operation).join(', '), `${saves.length} (${ms(saves.reduce((a, s) => a + s.ms, 0))})`];
  });
  process.stdout.write(
    `\nWhere one bluegreen deploy's time goes, ${what} (one run with scripts/bench-timeline.mjs, --output json)\n\n${table(['', 'ms', ''], rows)}\n` +
      `\n${table(['step', 'ms', 'AWS calls, in order', 'journal saves'], stepRows)}\n`,
  );
}

function printReference(r: ReferenceResults): Goal[] {
  const col = (f: (x: ReferenceRun) => number) => r.runs.map(f);
  const med = (f: (x: ReferenceRun) => number) => median(col(f));
  const range = (f: (x: ReferenceRun) => number) => `${ms(Math.min(...col(f)))}..${ms(Math.max(...col(f)))}`;
  const deploy = med((x) => x.deploy.wallMs);
  const reference = med((x) => x.reference.wallMs);
  const plan = med((x) => x.plan.wallMs);
  const ratio = deploy / reference;
  const refCalls = total(r.runs[0]!.referenceCalls);
  const rows = [
    [`bluegreen deploy --yes, wall (median of ${r.runs.length})`, ms(deploy), range((x) => x.deploy.wallMs)],
    ['  CPU, user + system (median)', ms(med((x) => x.deploy.cpuMs)), range((x) => x.deploy.cpuMs)],
    [`boto3 script (${r.python}), wall (median)`, ms(reference), range((x) => x.reference.wallMs)],
    ['  CPU, user + system (median)', ms(med((x) => x.reference.cpuMs)), range((x) => x.reference.cpuMs)],
    ['  its AWS calls', String(refCalls), ''],
    [
      'ratio deploy / script (medians)',
      `${ratio.toFixed(2)}x`,
      `per run: ${r.runs.map((x) => (x.deploy.wallMs / x.reference.wallMs).toFixed(2)).join(', ')}`,
    ],
    ['bluegreen plan, wall (median)', ms(plan), range((x) => x.plan.wallMs)],
    ['  CPU, user + system (median)', ms(med((x) => x.plan.cpuMs)), range((x) => x.plan.cpuMs)],
  ];
  if (r.runs.every((x) => x.baseline)) {
    const b = (f: (x: NonNullable<ReferenceRun['baseline']>) => number) => (x: ReferenceRun) => f(x.baseline!);
    rows.push(
      [`baseline (${BASELINE}) deploy, wall (median)`, ms(med(b((x) => x.deploy.wallMs))), range(b((x) => x.deploy.wallMs))],
      ['  CPU, user + system (median)', ms(med(b((x) => x.deploy.cpuMs))), range(b((x) => x.deploy.cpuMs))],
      ['  ratio baseline deploy / script (medians)', `${(med(b((x) => x.deploy.wallMs)) / reference).toFixed(2)}x`, ''],
      ['baseline plan, wall (median)', ms(med(b((x) => x.plan.wallMs))), range(b((x) => x.plan.wallMs))],
      ['  CPU, user + system (median)', ms(med(b((x) => x.plan.cpuMs))), range(b((x) => x.plan.cpuMs))],
    );
  }
  process.stdout.write(
    `\nreference: ${REFERENCE_INSTANCES}-instance replica-dns stack, release.image given, health.interval 1s, retire.after 0s; ` +
      `each process timed from spawn to exit, bluegreen and the script alternating, a fresh stack for each\n\n${table(['', 'median', 'min..max'], rows)}\n`,
  );
  if (r.timeline) printTimeline(r.timeline, 'this checkout');
  if (r.baselineTimeline) printTimeline(r.baselineTimeline, `baseline ${BASELINE}`);
  return [
    {
      name: `bluegreen deploy <= ${GOAL_REFERENCE_RATIO.toFixed(1)}x the boto3 script (approach 2 of the seed)`,
      pass: ratio <= GOAL_REFERENCE_RATIO,
      detail: `${ms(deploy)} vs ${ms(reference)} = ${ratio.toFixed(2)}x (medians of ${r.runs.length}, process start included)`,
    },
    {
      name: `bluegreen plan < ${GOAL_PLAN_MS} ms`,
      pass: plan < GOAL_PLAN_MS,
      detail: `median ${ms(plan)} (${range((x) => x.plan.wallMs)})`,
    },
  ];
}

// ── the SSH runner over real sshd ───────────────────────────────────────────────────────────────

const CLK_TCK = 100; // Linux's USER_HZ, what /proc/<pid>/stat counts in

/** utime + stime of a process, and cutime + cstime of its reaped children, in ms. */
function procCpu(pid: number | 'self'): { own: number; children: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
    const tick = (i: number) => (Number(f[i - 3]) * 1000) / CLK_TCK;
    return { own: tick(14) + tick(15), children: tick(16) + tick(17) };
  } catch {
    return { own: 0, children: 0 };
  }
}

function childrenOf(pid: number | 'self'): number[] {
  const base = pid === 'self' ? process.pid : pid;
  const out: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${base}/task`)) {
      const text = readFileSync(`/proc/${base}/task/${task}/children`, 'utf8').trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // gone
  }
  return out;
}

/** The sshd listeners (children of this process). */
function sshdPids(): number[] {
  return childrenOf('self').filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sshd';
    } catch {
      return false;
    }
  });
}

/**
 * CPU so far of both ends: the client side is every ssh this process spawned and reaped (children
 * time of this process; the sshd listeners are not reaped until the end); the server side is each sshd
 * listener with the connection processes it reaped.
 */
function cpuNow(sshd: number[]): { client: number; server: number } {
  const server = sshd.reduce((a, pid) => {
    const c = procCpu(pid);
    return a + c.own + c.children;
  }, 0);
  return { client: procCpu('self').children, server };
}

/** Waits until the sshd listeners have reaped every connection process (so their CPU is counted). */
async function sshdQuiet(sshd: number[]): Promise<void> {
  for (let i = 0; i < 150 && sshd.some((pid) => childrenOf(pid).length > 0); i++) await new Promise((r) => setTimeout(r, 20));
}

/** CPU time the whole machine spent busy so far (every process, steal included), in ms, from /proc/stat. */
function machineBusyMs(): number {
  const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  // user nice system idle iowait irq softirq steal
  const n = f.map(Number);
  return ((n[0]! + n[1]! + n[2]! + n[5]! + n[6]! + n[7]!) * 1000) / CLK_TCK;
}

const logins = (f: SshdFleet) => f.instances.reduce((a, i) => a + i.accepted(), 0);

interface SshRun {
  kex: string;
  hosts: number;
  /** probe + run: the first connection of every host and the commands. */
  wallMs: number;
  probeMs: number;
  runMs: number;
  closeMs: number;
  logins: number;
  commands: number;
  clientCpuMs: number;
  serverCpuMs: number;
  /** This Node process's own CPU (the runner: spawning ssh, waiting for control sockets, reading output). */
  nodeCpuMs: number;
  /** CPU the rest of the machine used meanwhile (other work on it): all busy time less ours. */
  otherCpuMs: number;
}

type SshRunnerClass = typeof import('../src/remote/ssh.js').SshRunner;

async function sshRunOnce(Runner: SshRunnerClass, f: SshdFleet, kex: string, configFile: string, n: number): Promise<SshRun> {
  const sshd = sshdPids();
  const hosts = f.hosts.slice(0, n);
  const runner = new Runner({ configFile, connectTimeoutSeconds: 10, connectionAttempts: 1, hostKeys: 'strict' });
  runners.add(runner);
  const loginsBefore = logins(f);
  const cpuBefore = cpuNow(sshd);
  const nodeBefore = procCpu('self').own;
  const busyBefore = machineBusyMs();
  const t0 = performance.now();
  await runner.probe(hosts, { connectTimeoutSeconds: 10, attempts: 1, parallel: SSH_PARALLEL });
  const t1 = performance.now();
  const outcomes = await runner.run(hosts, {
    commands: SSH_COMMANDS,
    env: { BLUEGREEN_SERVICE: 'bench', BLUEGREEN_DEPLOYMENT: 'bench' },
    parallel: SSH_PARALLEL,
  });
  const t2 = performance.now();
  const nodeCpuMs = procCpu('self').own - nodeBefore;
  await runner.close();
  const t3 = performance.now();
  runners.delete(runner);
  await sshdQuiet(sshd);
  const cpuAfter = cpuNow(sshd);
  const busy = machineBusyMs() - busyBefore;
  const failed = outcomes.filter((o) => o.exitCode !== 0);
  if (outcomes.length !== n * SSH_COMMANDS.length || failed.length > 0) {
    throw new Error(`ssh run over ${n} hosts: ${outcomes.length} outcomes, ${failed.length} failed: ${JSON.stringify(failed.slice(0, 3))}`);
  }
  return {
    kex,
    hosts: n,
    wallMs: t2 - t0,
    probeMs: t1 - t0,
    runMs: t2 - t1,
    closeMs: t3 - t2,
    logins: logins(f) - loginsBefore,
    commands: outcomes.length,
    clientCpuMs: cpuAfter.client - cpuBefore.client,
    serverCpuMs: cpuAfter.server - cpuBefore.server,
    nodeCpuMs,
    otherCpuMs: Math.max(0, busy - (cpuAfter.client - cpuBefore.client) - (cpuAfter.server - cpuBefore.server) - (procCpu('self').own - nodeBefore)),
  };
}

interface Handshakes {
  kex: string;
  negotiated: string;
  count: number;
  wallMs: number[];
  clientCpuMs: number;
  serverCpuMs: number;
}

const sshEnv = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C' });

/** One plain connection after another (`ssh host true`, no multiplexing): the cost of one login. */
async function handshakes(f: SshdFleet, kex: string, configFile: string): Promise<Handshakes> {
  const args = (address: string, verbose = false) => [
    '-F',
    configFile,
    '-o',
    'ControlMaster=no',
    '-o',
    'ControlPath=none',
    ...(verbose ? ['-v'] : []),
    '-T',
    '--',
    address,
    'true',
  ];
  // Which key exchange the server and client agree on, from ssh -v (also warms the file cache).
  const probe = await run('ssh', args(f.hosts[0]!.address, true), sshEnv());
  const negotiated = /kex: algorithm: (\S+)/.exec(probe.stderr)?.[1] ?? 'unknown';
  const sshd = sshdPids();
  await sshdQuiet(sshd);
  const before = cpuNow(sshd);
  const wallMs: number[] = [];
  for (let i = 0; i < HANDSHAKES; i++) {
    const r = await run('ssh', args(f.hosts[i % f.hosts.length]!.address), sshEnv());
    if (r.code !== 0) throw new Error(`ssh ${f.hosts[i % f.hosts.length]!.address} true exited ${r.code}: ${r.stderr}`);
    wallMs.push(r.wallMs);
  }
  await sshdQuiet(sshd);
  const after = cpuNow(sshd);
  return { kex, negotiated, count: HANDSHAKES, wallMs, clientCpuMs: after.client - before.client, serverCpuMs: after.server - before.server };
}

interface SshResults {
  runs: SshRun[];
  handshakes: Handshakes[];
}

async function benchSsh(): Promise<SshResults> {
  const missing = sshdMissing();
  if (missing) throw new Error(`ssh part: ${missing}`);
  const mod = (await import(
    FROM_SRC ? '../src/remote/ssh.js' : pathToFileURL(join(ROOT, 'dist', 'remote', 'ssh.js')).href
  )) as typeof import('../src/remote/ssh.js');
  const count = Math.max(...SSH_HOSTS);
  const t = performance.now();
  // 127.0.0.100 and up: apart from the addresses the integration tests' sshd use (127.0.0.2 and up).
  fleet = await startSshd({ count, firstOctet: 100 });
  log(`  ${count} sshd started in ${ms(performance.now() - t)}`);
  const curveConfig = join(fleet.dir, 'ssh_config_curve25519');
  // A first global option wins over the Host blocks' (none set KexAlgorithms): every host, curve25519 only.
  await writeFile(curveConfig, `KexAlgorithms curve25519-sha256\n\n${readFileSync(fleet.configFile, 'utf8')}`);
  const configs: Array<[string, string]> = [
    ['default', fleet.configFile],
    ['curve25519-sha256', curveConfig],
  ];
  const hs: Handshakes[] = [];
  for (const [kex, file] of configs) {
    hs.push(await handshakes(fleet, kex, file));
    const h = hs.at(-1)!;
    log(
      `  handshakes (${kex}, negotiated ${h.negotiated}): ${h.count} x ssh true, median ${ms(median(h.wallMs))}, CPU client ${ms(h.clientCpuMs / h.count)} + server ${ms(h.serverCpuMs / h.count)} a login`,
    );
  }
  const runs: SshRun[] = [];
  // Interleaved, so that other load on the machine falls on every variant alike.
  for (let i = 0; i < RUNS; i++) {
    for (const [kex, file] of configs) {
      for (const n of SSH_HOSTS) {
        const r = await sshRunOnce(mod.SshRunner, fleet, kex, file, n);
        runs.push(r);
        log(
          `  ssh ${kex} ${n} hosts run ${i + 1}/${RUNS}: ${ms(r.wallMs)} (probe ${ms(r.probeMs)}, run ${ms(r.runMs)}, close ${ms(r.closeMs)}), ` +
            `${r.logins} logins, CPU client ${ms(r.clientCpuMs)} + server ${ms(r.serverCpuMs)} + runner ${ms(r.nodeCpuMs)}, others ${ms(r.otherCpuMs)}`,
        );
      }
    }
  }
  await fleet.stop();
  fleet = undefined;
  return { runs, handshakes: hs };
}

function printSsh(s: SshResults): Goal[] {
  const variants = [...new Set(s.runs.map((r) => `${r.kex}|${r.hosts}`))].map((k) => {
    const [kex, hosts] = k.split('|');
    return { kex: kex!, hosts: Number(hosts), runs: s.runs.filter((r) => r.kex === kex && r.hosts === Number(hosts)) };
  });
  const col = (f: (v: (typeof variants)[number]) => string) => variants.map(f);
  const nproc = cpus().length;
  const cpuOf = (r: SshRun) => r.clientCpuMs + r.serverCpuMs;
  const rows = [
    [`probe + run, wall time (median of ${RUNS})`, ...col((v) => ms(median(v.runs.map((r) => r.wallMs))))],
    ['  min..max', ...col((v) => `${ms(Math.min(...v.runs.map((r) => r.wallMs)))}..${ms(Math.max(...v.runs.map((r) => r.wallMs)))}`)],
    ['  of which probe (connect + `true`)', ...col((v) => ms(median(v.runs.map((r) => r.probeMs))))],
    [`  of which run (${SSH_COMMANDS.length} commands)`, ...col((v) => ms(median(v.runs.map((r) => r.runMs))))],
    ['close (median, not in the time)', ...col((v) => ms(median(v.runs.map((r) => r.closeMs))))],
    ['sshd logins per run', ...col((v) => v.runs.map((r) => String(r.logins)).join(','))],
    ['commands run per run', ...col((v) => String(v.runs[0]!.commands))],
    ['CPU client + server (median)', ...col((v) => ms(median(v.runs.map(cpuOf))))],
    [
      '  client (ssh) / server (sshd)',
      ...col((v) => `${ms(median(v.runs.map((r) => r.clientCpuMs)))} / ${ms(median(v.runs.map((r) => r.serverCpuMs)))}`),
    ],
    ['  per host (1 login + 4 sessions)', ...col((v) => ms(median(v.runs.map(cpuOf)) / v.hosts))],
    [`  CPU / ${nproc} cores: the floor`, ...col((v) => ms(median(v.runs.map(cpuOf)) / nproc))],
    [`  client CPU alone / ${nproc} cores`, ...col((v) => ms(median(v.runs.map((r) => r.clientCpuMs)) / nproc))],
    ['CPU of the runner itself (node, probe + run)', ...col((v) => ms(median(v.runs.map((r) => r.nodeCpuMs))))],
    ['CPU used by other work on the machine meanwhile', ...col((v) => ms(median(v.runs.map((r) => r.otherCpuMs))))],
  ];
  process.stdout.write(
    `\nSSH runner: probe + ${SSH_COMMANDS.map((c) => `\`${c}\``).join(', ')} at parallel ${SSH_PARALLEL}, a fresh runner each run\n\n` +
      `${table(['', ...col((v) => `${v.kex === 'default' ? '' : `${v.kex} `}${v.hosts} hosts`)], rows)}\n`,
  );
  const hsRows = s.handshakes.map((h) => [
    h.kex === 'default' ? `default (${h.negotiated})` : `${h.kex} (${h.negotiated})`,
    ms(median(h.wallMs)),
    ms(h.clientCpuMs / h.count),
    ms(h.serverCpuMs / h.count),
    ms((h.clientCpuMs + h.serverCpuMs) / h.count),
  ]);
  process.stdout.write(
    `\nOne login: ${HANDSHAKES} x \`ssh host true\` one after another, no multiplexing (CPU per connection)\n\n` +
      `${table(['key exchange', 'wall (median)', 'client CPU', 'server CPU', 'both ends'], hsRows)}\n`,
  );

  const goals: Goal[] = [];
  const small = Math.min(...SSH_HOSTS);
  const large = Math.max(...SSH_HOSTS);
  for (const kex of [...new Set(s.runs.map((r) => r.kex))]) {
    const a = variants.find((v) => v.kex === kex && v.hosts === large)!;
    const b = variants.find((v) => v.kex === kex && v.hosts === small)!;
    if (a === b) continue;
    const ta = median(a.runs.map((r) => r.wallMs));
    const tb = median(b.runs.map((r) => r.wallMs));
    const floor = median(a.runs.map(cpuOf)) / nproc;
    goals.push({
      name: `ssh ${large} hosts <= ${GOAL_SSH_RATIO}x ${small} hosts at parallel ${SSH_PARALLEL}${kex === 'default' ? '' : ` (KexAlgorithms ${kex}, not the default)`}`,
      pass: ta / tb <= GOAL_SSH_RATIO,
      detail: `${ms(ta)} vs ${ms(tb)} = ${(ta / tb).toFixed(2)}x; CPU of both ends for ${large} hosts ${ms(floor * nproc)}, i.e. at least ${ms(floor)} on ${nproc} cores`,
    });
  }
  const bad = s.runs.filter((r) => r.logins !== r.hosts);
  goals.push({
    name: 'ssh one login per host (connections reused)',
    pass: bad.length === 0,
    detail:
      bad.length === 0
        ? `every run: logins = hosts (${SSH_COMMANDS.length} commands + probe over one connection)`
        : `${bad.map((r) => `${r.hosts} hosts: ${r.logins} logins`).join(', ')}`,
  });
  return goals;
}

// ── main ────────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<number> {
  const started = performance.now();
  // buildBlueStack uses the SDK in this process: no Node 20 support warning on the bench's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  log(
    `load average before: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} on ${cpus().length} cores`,
  );
  log(
    `bench: ${ONLY.join(', ')}; library from ${FROM_SRC ? 'src/ (tsx)' : 'dist/'}; sizes ${SIZES.join(', ')}; ssh hosts ${SSH_HOSTS.join(', ')}; ${RUNS} runs each`,
  );
  const goals: Goal[] = [];
  const json: Record<string, unknown> = {};

  const kinds = (['replica-dns', 'swap'] as const).filter((k) => ONLY.includes(k));
  if (kinds.length > 0 || ONLY.includes('reference')) moto = await startMoto();
  let reference: ReferenceResults | undefined;
  if (ONLY.includes('reference')) {
    if (existsSync(CLI)) reference = await benchReference(moto!);
    else goals.push({ name: 'reference', pass: false, detail: `${CLI} missing: run npm run build` });
  }
  const deployments: Partial<Record<Kind, SizeResult[]>> = {};
  for (const kind of kinds) {
    const results: SizeResult[] = [];
    for (const n of SIZES) results.push(await benchSize(moto!, kind, n));
    deployments[kind] = results;
  }
  await moto?.stop();
  moto = undefined;

  if (reference) {
    goals.push(...printReference(reference));
    json.reference = reference;
  }
  if (deployments['replica-dns']) {
    const results = deployments['replica-dns'];
    printDeployments('replica-dns: AWS calls by operation, time and memory of one deployment', results);
    goals.push(...scalingGoals('replica-dns', results));
    json.results = results;
  }
  if (ONLY.includes('reference') || ONLY.includes('replica-dns')) {
    const version = existsSync(CLI) ? await timeVersion() : undefined;
    if (version) {
      const med = median(version.runs);
      const floor = median(version.nodeBaseline);
      process.stdout.write(
        `\nbluegreen --version (${VERSION_RUNS} runs): median ${ms(med)}, p95 ${ms(quantile(version.runs, 0.95))}, max ${ms(Math.max(...version.runs))}` +
          `  (node -e '' alone: median ${ms(floor)}, so bluegreen's own share ${ms(med - floor)})\n`,
      );
      goals.push({
        name: `bluegreen --version < ${GOAL_VERSION_MS} ms`,
        pass: med < GOAL_VERSION_MS,
        detail: `median ${ms(med)}, p95 ${ms(quantile(version.runs, 0.95))}; node -e '' alone ${ms(floor)}`,
      });
    } else {
      goals.push({ name: `bluegreen --version < ${GOAL_VERSION_MS} ms`, pass: false, detail: `${CLI} missing: run npm run build` });
    }
    json.version = version;
  }
  if (deployments.swap) {
    printDeployments(
      `swap-instances (release.image, connection draining ${SWAP_DRAINING_SECONDS}s): AWS calls by operation, time and memory of one deployment`,
      deployments.swap,
    );
    goals.push(...scalingGoals('swap', deployments.swap));
    json.swap = deployments.swap;
  }
  if (ONLY.includes('ssh')) {
    const ssh = await benchSsh();
    goals.push(...printSsh(ssh));
    json.ssh = ssh;
  }

  process.stdout.write(`\nGoals\n\n${goals.map((g) => `${g.pass ? 'PASS' : 'FAIL'}  ${g.name}: ${g.detail}`).join('\n')}\n`);
  process.stdout.write(
    `\nload average at the end (1, 5, 15 min): ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} on ${cpus().length} cores\n`,
  );
  process.stdout.write(`\n(bench took ${Math.round((performance.now() - started) / 1000)} s)\n`);

  if (JSON_OUT) {
    const machine = { nproc: cpus().length, cpu: cpus()[0]?.model, memMb: Math.round(totalmem() / 2 ** 20), node: process.version };
    await writeFile(JSON_OUT, JSON.stringify({ machine, fromSrc: FROM_SRC, parts: ONLY, ...json, goals }, null, 2));
  }
  return goals.every((g) => g.pass) ? 0 : 1;
}

main().then(
  async (code) => {
    await cleanUp();
    process.exitCode = code;
  },
  async (error: unknown) => {
    if (stopping) return; // interrupted: moto is going away under the run, the signal handler exits
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await cleanUp();
    process.exitCode = 2;
  },
);
