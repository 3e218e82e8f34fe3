/**
 * `npm run bench`: how a deployment scales with the size of the blue group, against moto.
 *
 * Starts its own moto (a child process, stopped at the end, also on failure and on Ctrl-C). For each
 * size N in SIZES, RUNS times: reset moto, build a blue stack of N instances, write a config
 * (health.interval 1s, retire.after 0s), then deploy it in a fresh child Node process through the
 * library API (`deploy` with `createAwsPorts({ onCall })`), so that the child counts every AWS command
 * by service:operation (the observe/plan part included: it is inside deploy) and reports its own wall
 * time and peak RSS, none of it moto's or this harness's. The child is plain Node importing dist/
 * (no tsx loader in the measured process). Once per size the real CLI (`deploy --yes --output json`)
 * is also run under /usr/bin/time -v when present, for the peak RSS of the command users run.
 * Finally times `bluegreen --version` (VERSION_RUNS runs).
 *
 * Prints a table, checks the goals (50 vs 2 instances: at most 2x the calls and 2x the median time;
 * --version median under 150 ms) and exits 1 if one fails.
 *
 * Options: --runs N (default 3), --sizes 2,50, --src (run the library from src/ through tsx instead
 * of dist/, when the build is not available), --json FILE (also write the raw figures).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildBlueStack, writeConfig } from '../test/support/blue-stack.js';
import { CLI, ROOT } from '../test/support/cli.js';
import { awsEnv, startMoto, type Moto } from '../test/support/moto.js';

// ── options ──────────────────────────────────────────────────────────────────────────────────────

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const RUNS = Number(option('--runs') ?? 3);
const SIZES = (option('--sizes') ?? '2,50').split(',').map(Number);
const FROM_SRC = process.argv.includes('--src') || !existsSync(join(ROOT, 'dist', 'index.js'));
const JSON_OUT = option('--json');
const VERSION_RUNS = 20;
const GOAL_RATIO = 2;
const GOAL_VERSION_MS = 150;

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
  const r = await run('/usr/bin/time', ['-v', process.execPath, CLI, 'deploy', '--yes', '--output', 'json', '-c', 'bluegreen.yml'], childEnv(moto), dir);
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

// ── main ────────────────────────────────────────────────────────────────────────────────────────

interface SizeResult {
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

let moto: Moto | undefined;
const dirs: string[] = [];
let stopping = false;

async function cleanUp(): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGKILL');
  await moto?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: stopping moto\n`);
    void cleanUp().finally(() => process.exit(130));
  });
}

const log = (s: string) => process.stderr.write(`${s}\n`);

async function benchSize(m: Moto, instances: number): Promise<SizeResult> {
  const runs: ChildReport[] = [];
  const setupMs: number[] = [];
  let cli: SizeResult['cli'];
  // RUNS library runs, then one CLI run (for its RSS) when /usr/bin/time is there.
  for (let i = 0; i <= RUNS; i++) {
    const t = performance.now();
    await m.reset();
    const stack = await buildBlueStack(m.endpoint, { instances });
    const { dir, file } = await writeConfig(stack, { healthInterval: '1s', retireAfter: '0s' });
    dirs.push(dir);
    setupMs.push(performance.now() - t);
    if (i < RUNS) {
      const report = await deployInChild(m, file);
      runs.push(report);
      log(`  N=${instances} run ${i + 1}/${RUNS}: deploy ${ms(report.deployMs)}, ${total(report.calls)} calls, peak RSS ${mb(report.maxRssKb)} (setup ${ms(setupMs.at(-1)!)})`);
    } else {
      cli = await deployCli(m, dir);
      if (cli) log(`  N=${instances} CLI: bluegreen deploy ${ms(cli.wallMs)}, peak RSS ${mb(cli.maxRssKb)}`);
    }
  }
  const first = runs[0]!;
  for (const r of runs.slice(1)) {
    if (JSON.stringify(Object.entries(r.calls).sort()) !== JSON.stringify(Object.entries(first.calls).sort())) {
      log(`  note: N=${instances}: calls differ between runs (${total(first.calls)} vs ${total(r.calls)})`);
    }
  }
  return {
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

async function main(): Promise<number> {
  const started = performance.now();
  // buildBlueStack uses the SDK in this process: no Node 20 support warning on the bench's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  log(`bench: library from ${FROM_SRC ? 'src/ (tsx)' : 'dist/'}; sizes ${SIZES.join(', ')}; ${RUNS} runs each`);
  moto = await startMoto();
  const results: SizeResult[] = [];
  for (const n of SIZES) results.push(await benchSize(moto, n));
  await moto.stop();

  const version = existsSync(CLI) ? await timeVersion() : undefined;

  // Calls by operation, one column per size.
  const ops = [...new Set(results.flatMap((r) => Object.keys(r.calls)))].sort();
  const sizeCols = results.map((r) => `N=${r.instances}`);
  const rows = ops.map((op) => [op, ...results.map((r) => String(r.calls[op] ?? 0))]);
  rows.push(['total', ...results.map((r) => String(total(r.calls)))]);
  rows.push(['  of which observe + plan', ...results.map((r) => String(total(r.planCalls)))]);
  rows.push([`deploy wall time (median of ${RUNS})`, ...results.map((r) => ms(r.medianDeployMs))]);
  rows.push(['  of which config + observe + plan', ...results.map((r) => ms(median(r.runs.map((x) => x.planMs))))]);
  rows.push(['  of which steps', ...results.map((r) => ms(median(r.runs.map((x) => x.steps.reduce((a, s) => a + s.durationMs, 0)))))]);
  rows.push(['deploy wall time (min..max)', ...results.map((r) => `${ms(Math.min(...r.runs.map((x) => x.deployMs)))}..${ms(Math.max(...r.runs.map((x) => x.deployMs)))}`)]);
  rows.push(['library import time (median)', ...results.map((r) => ms(median(r.runs.map((x) => x.importMs))))]);
  rows.push(['peak RSS, library child (median)', ...results.map((r) => mb(r.medianRssKb))]);
  if (results.every((r) => r.cli)) {
    rows.push(['peak RSS, CLI deploy (time -v)', ...results.map((r) => mb(r.cli!.maxRssKb))]);
    rows.push(['CLI deploy wall time (1 run)', ...results.map((r) => ms(r.cli!.wallMs))]);
  }
  process.stdout.write(`\nAWS calls by operation, time and memory of one deployment\n\n${table(['', ...sizeCols], rows)}\n`);

  // Where the time goes: steps by duration (median over runs), with their calls.
  const stepIds = [...new Set(results.flatMap((r) => r.runs[0]!.steps.map((s) => s.id)))];
  const stepRows = stepIds.map((id) => [
    id,
    ...results.flatMap((r) => {
      const durations = r.runs.map((x) => x.steps.find((s) => s.id === id)?.durationMs ?? 0);
      const calls = r.runs[0]!.steps.find((s) => s.id === id)?.calls ?? 0;
      return [ms(median(durations)), String(calls)];
    }),
  ]);
  process.stdout.write(`\nSteps (median duration, calls)\n\n${table(['step', ...results.flatMap((r) => [`N=${r.instances} time`, 'calls'])], stepRows)}\n`);

  if (version) {
    process.stdout.write(
      `\nbluegreen --version (${VERSION_RUNS} runs): median ${ms(median(version.runs))}, p95 ${ms(quantile(version.runs, 0.95))}, max ${ms(Math.max(...version.runs))}` +
        `  (node -e '' alone: median ${ms(median(version.nodeBaseline))})\n`,
    );
  }

  // Goals.
  const goals: Array<{ name: string; pass: boolean; detail: string }> = [];
  const small = results.find((r) => r.instances === Math.min(...SIZES))!;
  const large = results.find((r) => r.instances === Math.max(...SIZES))!;
  if (small !== large) {
    const callRatio = total(large.calls) / total(small.calls);
    const timeRatio = large.medianDeployMs / small.medianDeployMs;
    const stepsMs = (r: SizeResult) => median(r.runs.map((x) => x.steps.reduce((a, s) => a + s.durationMs, 0)));
    const stepsRatio = stepsMs(large) / stepsMs(small);
    const growing = ops.filter((op) => (large.calls[op] ?? 0) > (small.calls[op] ?? 0)).map((op) => `${op} ${small.calls[op] ?? 0} -> ${large.calls[op] ?? 0}`);
    goals.push({
      name: `calls N=${large.instances} <= ${GOAL_RATIO}x N=${small.instances}`,
      pass: callRatio <= GOAL_RATIO,
      detail: `${total(large.calls)} vs ${total(small.calls)} = ${callRatio.toFixed(2)}x${growing.length ? `; grows with N: ${growing.join(', ')}` : '; no operation grows with N'}`,
    });
    goals.push({
      name: `time N=${large.instances} <= ${GOAL_RATIO}x N=${small.instances}`,
      pass: timeRatio <= GOAL_RATIO,
      detail: `${ms(large.medianDeployMs)} vs ${ms(small.medianDeployMs)} = ${timeRatio.toFixed(2)}x (steps alone: ${stepsRatio.toFixed(2)}x)`,
    });
  }
  if (version) {
    const med = median(version.runs);
    goals.push({ name: `bluegreen --version < ${GOAL_VERSION_MS} ms`, pass: med < GOAL_VERSION_MS, detail: `median ${ms(med)}, p95 ${ms(quantile(version.runs, 0.95))}` });
  } else {
    goals.push({ name: `bluegreen --version < ${GOAL_VERSION_MS} ms`, pass: false, detail: `${CLI} missing: run npm run build` });
  }
  process.stdout.write(`\nGoals\n\n${goals.map((g) => `${g.pass ? 'PASS' : 'FAIL'}  ${g.name}: ${g.detail}`).join('\n')}\n`);
  process.stdout.write(`\n(bench took ${Math.round((performance.now() - started) / 1000)} s)\n`);

  if (JSON_OUT) {
    const machine = { nproc: cpus().length, cpu: cpus()[0]?.model, memMb: Math.round(totalmem() / 2 ** 20), node: process.version };
    await writeFile(JSON_OUT, JSON.stringify({ machine, fromSrc: FROM_SRC, results, version, goals }, null, 2));
  }
  return goals.every((g) => g.pass) ? 0 : 1;
}

main()
  .then(
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
