/**
 * Real OpenSSH servers as instances, for one test file: one `/usr/sbin/sshd -D -e` per loopback address
 * (127.0.0.2, .3, ...) on a free port, children of the test process, stopped and awaited in stop().
 *
 * Each instance gets a generated host key, the fleet a client key, an authorized_keys and a known_hosts
 * file, and an ssh config that maps the instances' fake private addresses (10.0.1.x, as moto gives them)
 * to the loopback servers. The config ends with a `Host *` catch-all to a closed loopback port, so a
 * host the test forgot to map is refused at once instead of being looked for on the network.
 *
 * Each session gets INSTANCE_ID and INSTANCE_DIR (a directory of its own) through sshd's SetEnv, so
 * one command line can record per instance what ran: `echo ran >> "$INSTANCE_DIR/log"`.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RemoteHost } from '../../src/remote/types.js';

const SSHD = '/usr/sbin/sshd';
const run = promisify(execFile);

/** Why real sshd tests cannot run here, or undefined when they can. */
export function sshdMissing(): string | undefined {
  for (const bin of [SSHD, '/usr/bin/ssh', '/usr/bin/ssh-keygen']) {
    if (!existsSync(bin)) return `${bin} is not installed (apt-get install -y openssh-server openssh-client; .ci/run does it)`;
  }
  return undefined;
}

export interface SshdInstance {
  instanceId: string;
  /** The fake private address the ssh config maps to this server. */
  address: string;
  loopback: string;
  port: number;
  /** $INSTANCE_DIR in its sessions. */
  dir: string;
  /** `ssh-ed25519 AAAA...` */
  hostPublicKey: string;
  /** The known_hosts line for this server's real key. */
  knownHostsLine: string;
  /** sshd's log (its stderr) so far. */
  log(): string;
  /** "Accepted publickey" lines so far: one per TCP connection that authenticated. */
  accepted(): number;
  /** Reads a file from the instance's dir ('' when absent). */
  read(name: string): string;
  /** Cuts every open connection (kills sshd's per-connection processes), as a network drop would. */
  dropConnections(): Promise<void>;
}

export interface HostEntry {
  alias: string;
  hostName: string;
  port: number;
  identityFile?: string;
  knownHostsFile?: string;
}

export interface SshdFleet {
  dir: string;
  instances: SshdInstance[];
  hosts: RemoteHost[];
  clientKey: string;
  knownHostsFile: string;
  /** Maps every instance's address to its server. */
  configFile: string;
  /** The config block of an instance, with overrides (another key, another known_hosts...). */
  entry(instance: SshdInstance, overrides?: Partial<HostEntry>): HostEntry;
  /** Writes another ssh config file (plus the catch-all) and returns its path. */
  writeConfig(name: string, entries: HostEntry[]): string;
  /** Generates a key pair in the fleet's dir; returns the private key's path. */
  keygen(name: string): Promise<string>;
  /** A loopback port nothing listens on. */
  closedPort(): Promise<number>;
  stop(): Promise<void>;
}

export function freePortOn(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, address, () => {
      const a = server.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** The sshd's own children (one per connection); empty when it has none or is gone. */
function childrenOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  } catch {
    return '';
  }
}

function hostBlock(e: HostEntry, fleet: { clientKey: string; knownHostsFile: string }): string {
  return [
    `Host ${e.alias}`,
    `  HostName ${e.hostName}`,
    `  Port ${e.port}`,
    `  User root`,
    `  IdentityFile ${e.identityFile ?? fleet.clientKey}`,
    `  IdentitiesOnly yes`,
    `  UserKnownHostsFile ${e.knownHostsFile ?? fleet.knownHostsFile}`,
    `  GlobalKnownHostsFile /dev/null`,
    `  StrictHostKeyChecking yes`,
    `  BatchMode yes`,
    `  ConnectTimeout 5`,
    '',
  ].join('\n');
}

export async function startSshd(options: { count: number; firstOctet?: number }): Promise<SshdFleet> {
  const missing = sshdMissing();
  if (missing) throw new Error(missing);
  mkdirSync('/run/sshd', { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'bluegreen-sshd-'));
  const children: ChildProcess[] = [];
  const keygen = async (name: string) => {
    const file = join(dir, name);
    await run('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file]);
    return file;
  };
  const stop = async () => {
    await Promise.all(
      children.map(async (child) => {
        // Let the connections' processes end first (clients closed them), so sshd reaps them, not PID 1.
        for (let i = 0; i < 100 && child.pid && childrenOf(child.pid); i++) await sleep(20);
        child.kill('SIGTERM');
        await Promise.race([exited(child), sleep(3000)]);
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await exited(child);
        }
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const clientKey = await keygen('client');
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`));
    const knownHostsFile = join(dir, 'known_hosts');
    const catchAllPort = await freePortOn('127.0.0.1');
    const first = options.firstOctet ?? 2;

    const instances = await Promise.all(
      Array.from({ length: options.count }, async (_, i): Promise<SshdInstance> => {
        const instanceId = `i-${(0xa000 + i).toString(16).padStart(17, '0')}`;
        const address = `10.0.1.${15 + i}`;
        const loopback = `127.0.0.${first + i}`;
        const idir = join(dir, instanceId);
        mkdirSync(idir);
        const hostKey = await keygen(`host-${i}`);
        const hostPublicKey = readFileSync(`${hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
        let log = '';
        let port: number;
        let pid = 0;
        for (let attempt = 0; ; attempt++) {
          port = await freePortOn(loopback);
          const conf = join(idir, 'sshd_config');
          writeFileSync(
            conf,
            [
              `ListenAddress ${loopback}:${port}`,
              `HostKey ${hostKey}`,
              'PidFile none',
              `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
              'PermitRootLogin prohibit-password',
              'PasswordAuthentication no',
              'KbdInteractiveAuthentication no',
              'UsePAM no',
              'StrictModes no',
              'PrintMotd no',
              'MaxSessions 50',
              'MaxStartups 100',
              'LogLevel INFO',
              // SHLVL=1: bash, root's shell here, then skips the ~/.bashrc it reads for sshd's commands (this
              // machine's runs `pyenv init`, 200 ms a command). Real instances' shells cost what they cost.
              `SetEnv INSTANCE_ID=${instanceId} INSTANCE_DIR=${idir} SHLVL=1`,
              '',
            ].join('\n'),
          );
          log = '';
          const child = spawn(SSHD, ['-D', '-e', '-f', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
          child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
          child.on('error', (e) => (log += `spawn error: ${e.message}\n`));
          const deadline = Date.now() + 5000;
          while (Date.now() < deadline && child.exitCode === null && !log.includes('Server listening')) await sleep(10);
          if (log.includes('Server listening')) {
            children.push(child);
            pid = child.pid ?? 0;
            break;
          }
          child.kill('SIGKILL');
          await exited(child);
          if (attempt >= 2) throw new Error(`sshd on ${loopback}:${port} did not start:\n${log}`);
        }
        return {
          instanceId,
          address,
          loopback,
          port,
          dir: idir,
          hostPublicKey,
          knownHostsLine: `[${loopback}]:${port} ${hostPublicKey}`,
          log: () => log,
          accepted: () => log.split('\n').filter((l) => l.includes('Accepted publickey')).length,
          dropConnections: async () => {
            for (const c of childrenOf(pid).split(/\s+/).filter(Boolean)) process.kill(Number(c), 'SIGKILL');
            for (let i = 0; i < 100 && childrenOf(pid); i++) await sleep(20);
          },
          read: (name) => {
            try {
              return readFileSync(join(idir, name), 'utf8');
            } catch {
              return '';
            }
          },
        };
      }),
    );

    writeFileSync(knownHostsFile, instances.map((i) => i.knownHostsLine).join('\n') + '\n');
    const base = { clientKey, knownHostsFile };
    const entry = (instance: SshdInstance, overrides: Partial<HostEntry> = {}): HostEntry => ({
      alias: instance.address,
      hostName: instance.loopback,
      port: instance.port,
      ...overrides,
    });
    const writeConfig = (name: string, entries: HostEntry[]) => {
      const file = join(dir, name);
      const catchAll = `# Anything unmapped goes to a closed loopback port, never to the network.\nHost *\n  HostName 127.0.0.1\n  Port ${catchAllPort}\n`;
      writeFileSync(file, entries.map((e) => hostBlock(e, base)).join('\n') + '\n' + catchAll);
      return file;
    };
    const configFile = writeConfig(
      'ssh_config',
      instances.map((i) => entry(i)),
    );
    return {
      dir,
      instances,
      hosts: instances.map((i) => ({ instanceId: i.instanceId, address: i.address })),
      clientKey,
      knownHostsFile,
      configFile,
      entry,
      writeConfig,
      keygen,
      closedPort: () => freePortOn('127.0.0.1'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
