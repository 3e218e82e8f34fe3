/**
 * A command loads what it uses: a replica-dns plan or deploy loads the replica-dns strategy and not
 * swap-instances, the listener front, the janitor or the IAM policy builder; gc loads the janitor, iam-policy
 * the policy builder. Counted by a module loader hook (test/support/trace-imports.mjs) in a fresh Node
 * process that runs the operation from src/ through tsx, with ports that refuse every use (the modules are
 * loaded by the time the strategy first reads AWS).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CONFIG =
  'service: shop\nstrategy: replica-dns\nblue: {autoScalingGroup: shop-blue}\nrelease: {image: ami-01234567}\ndns: {hostedZoneId: Z1, name: shop.example.com}\n';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bluegreen-lazy-'));
  await writeFile(path.join(dir, 'bluegreen.yml'), CONFIG);
});

/** Runs an ES module program in a fresh process (src/ through tsx); returns the URLs of the modules it loaded. */
async function loadedBy(name: string, program: string): Promise<string[]> {
  const trace = path.join(dir, `trace-${name}.txt`);
  await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--import', path.join(ROOT, 'test/support/trace-imports.mjs'), '--input-type=module', '-e', program],
    { cwd: ROOT, env: { ...process.env, TRACE_IMPORTS_FILE: trace, NODE_OPTIONS: '' } },
  );
  return (await readFile(trace, 'utf8')).split('\n').filter((url) => url.startsWith('file:'));
}

const SRC = `${pathToFileURL(path.join(ROOT, 'src')).href}/`;
const srcModules = (urls: string[]) => urls.filter((url) => url.startsWith(SRC)).map((url) => url.slice(SRC.length).replace(/\?.*$/, ''));
const srcUrl = (file: string) => JSON.stringify(pathToFileURL(path.join(ROOT, 'src', file)).href);

/** Runs `operations.<op>({ configFile, ports })` in a fresh process; returns the src/ modules it loaded (relative paths). */
async function modulesOf(op: string): Promise<string[]> {
  const program = `
    const ops = await import(${srcUrl('operations.ts')});
    const ports = new Proxy({}, { get(_t, key) { if (key === 'then') return undefined; throw new Error('no AWS here: ports.' + String(key)); } });
    try { await ops.${op}({ configFile: ${JSON.stringify(path.join(dir, 'bluegreen.yml'))}, ports }); } catch (e) { if (!String(e).includes('no AWS here')) throw e; }
  `;
  return srcModules(await loadedBy(op, program));
}

const under = (modules: string[], folder: string) => modules.filter((m) => m.startsWith(folder));

describe('modules a command loads', () => {
  it('deploy --help loads the program and the deploy command: not the operations, the config schema, yaml or the prompts', async () => {
    const urls = await loadedBy(
      'help',
      `
      const { run } = await import(${srcUrl('cli/run.ts')});
      process.stdout.write = () => true;
      if ((await run(['node', 'bluegreen', 'deploy', '--help'])) !== 0) process.exit(1);
    `,
    );
    expect(srcModules(urls)).toContain('cli/commands/deploy.ts');
    expect(srcModules(urls)).not.toContain('operations.ts');
    expect(urls.join('\n')).not.toMatch(/src\/config\/|src\/strategies\/|\/zod\/|\/yaml\/|@clack|@aws-sdk/);
  }, 60_000);

  it('plan and deploy of a replica-dns config load its strategy, not the others, the janitor or the IAM builder', async () => {
    for (const op of ['plan', 'deploy']) {
      const modules = await modulesOf(op);
      expect(modules, op).toContain('strategies/replica-dns/index.ts');
      expect(modules, op).toContain('strategies/replica/fronts/dns-classic-elb/index.ts');
      expect(under(modules, 'strategies/swap-instances/'), op).toEqual([]);
      expect(under(modules, 'strategies/replica-listener/'), op).toEqual([]);
      expect(under(modules, 'strategies/replica/fronts/listener-target-group/'), op).toEqual([]);
      expect(modules, op).not.toContain('strategies/index.ts');
      expect(under(modules, 'janitor/'), op).toEqual([]);
      expect(under(modules, 'iam/'), op).toEqual([]);
    }
  }, 60_000);

  it('gc loads the janitor and iam-policy the policy builder', async () => {
    expect(under(await modulesOf('gc'), 'janitor/')).toEqual(
      expect.arrayContaining(['janitor/gc.ts', 'janitor/inventory.ts', 'janitor/plan.ts', 'janitor/protect.ts']),
    );
    expect(await modulesOf('iamPolicy')).toContain('iam/policy.ts');
  }, 60_000);
});
