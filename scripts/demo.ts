/**
 * `npm run demo`: a blue-green deployment from start to finish against a local AWS emulator (moto).
 * Starts moto, builds a small blue stack (VPC, load balancer, launch configuration, Auto Scaling
 * group, scaling policy and alarm, a Route 53 alias record), writes a config, then runs the real CLI
 * as a user would: plan, deploy --yes, status, rollback --yes, status. moto is stopped at the end,
 * also on failure and on Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { relative } from 'node:path';
import { buildBlueStack, writeConfig } from '../test/support/blue-stack.js';
import { CLI } from '../test/support/cli.js';
import { awsEnv, startMoto, type Moto } from '../test/support/moto.js';

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

function heading(title: string, text: string): void {
  process.stdout.write(`\n${bold(`── ${title} ${'─'.repeat(Math.max(0, 70 - title.length))}`)}\n${text}\n\n`);
}

let moto: Moto | undefined;
let dir: string | undefined;
let stopping = false;
let current: ChildProcess | undefined;

async function cleanUp(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await moto?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: stopping the demo and moto\n`);
    // Let the running bluegreen command stop at a safe point first (a terminal's Ctrl-C reaches it too).
    const child = current;
    const childGone =
      child && child.exitCode === null && child.signalCode === null
        ? new Promise<void>((resolve) => {
            child.once('close', () => resolve());
            child.kill(signal);
            setTimeout(() => {
              child.kill('SIGKILL');
              resolve();
            }, 5000).unref();
          })
        : Promise.resolve();
    void childGone.then(cleanUp).finally(() => process.exit(130));
  });
}

function bluegreen(args: string[], env: Record<string, string>, cwd: string): Promise<number> {
  process.stdout.write(`${dim(`$ bluegreen ${args.join(' ')}`)}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
    current = child;
    child.on('error', reject);
    child.on('close', (code) => {
      current = undefined;
      resolve(code ?? 1);
    });
  });
}

async function main(): Promise<number> {
  heading('Setting up', 'Starting moto, a local emulator of the AWS APIs, and building the stack that serves shop.example.com today (blue).');
  moto = await startMoto();
  Object.assign(process.env, awsEnv(moto.endpoint));
  const stack = await buildBlueStack(moto.endpoint, { instances: 2 });
  const config = await writeConfig(stack, { retireAfter: '5s', healthInterval: '1s', healthTimeout: '60s' });
  dir = config.dir;
  const env = awsEnv(moto.endpoint);
  process.stdout.write(
    `  blue group ${stack.groupName} (${stack.instanceIds.length} instances) behind load balancer ${stack.loadBalancerName}\n` +
      `  ${stack.recordName} -> ${stack.loadBalancerDnsName}\n` +
      `  new release: image ${stack.releaseImageId}\n` +
      `  config: ${config.file}\n`,
  );

  const steps: Array<[string, string, string[]]> = [
    ['1. plan', 'What would a deployment do? plan reads AWS and prints the steps; it changes nothing.', ['plan']],
    [
      '2. deploy',
      'Build green as a copy of blue with the new image, wait until it is healthy, move the DNS record, wait 5s (retire.after), then scale blue to zero. --yes because this demo has no one to ask.',
      ['deploy', '--yes'],
    ],
    ['3. status', 'Where do things stand? Green is live; every step is recorded in the journal.', ['status']],
    [
      '4. rollback',
      'Something is wrong with the release: send traffic back to blue (restoring its capacity) and remove green.',
      ['rollback', '--yes'],
    ],
    ['5. status', 'Blue is live again.', ['status']],
  ];
  for (const [title, text, args] of steps) {
    heading(title, text);
    const code = await bluegreen([...args, '-c', relative(config.dir, config.file)], env, config.dir);
    if (code !== 0) {
      process.stderr.write(`\nbluegreen ${args.join(' ')} exited with code ${code}: the demo stops here\n`);
      return code;
    }
  }
  heading('Done', 'That was a full blue-green deployment and a rollback, against the emulator.');
  return 0;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
} finally {
  await cleanUp();
}
process.exit(code);
