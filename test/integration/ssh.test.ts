/**
 * SshRunner against real OpenSSH servers on loopback addresses (test/support/sshd.ts). Needs
 * /usr/sbin/sshd (Debian's openssh-server, which .ci/run installs); without it the file is skipped,
 * except under CI where that is a failure.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RemoteCommandError, RemoteConnectError } from '../../src/errors.js';
import { SshRunner, type SshRunnerOptions } from '../../src/remote/ssh.js';
import type { CommandOutcome, RemoteHost } from '../../src/remote/types.js';
import { sshdMissing, startSshd, type SshdFleet } from '../support/sshd.js';

const missing = sshdMissing();
if (missing) console.warn(`skipping the real-sshd tests: ${missing}`);
const runIt = !missing || Boolean(process.env.CI);

describe.runIf(runIt)('SshRunner against real sshd', () => {
  let fleet: SshdFleet;
  const runners: SshRunner[] = [];
  const runner = (overrides: Partial<SshRunnerOptions> = {}) => {
    const r = new SshRunner({ configFile: fleet.configFile, connectTimeoutSeconds: 5, connectionAttempts: 2, hostKeys: 'strict', ...overrides });
    runners.push(r);
    return r;
  };
  const probe = (r: SshRunner, hosts: RemoteHost[], o: { attempts?: number; timeout?: number } = {}) =>
    r.probe(hosts, { connectTimeoutSeconds: o.timeout ?? 1, attempts: o.attempts ?? 1, parallel: 10 });
  const caught = async (p: Promise<unknown>): Promise<unknown> =>
    p.then(
      () => undefined,
      (e: unknown) => e,
    );
  const env = { BLUEGREEN_SERVICE: 'web', BLUEGREEN_DEPLOYMENT: 'd-1' };

  beforeAll(async () => {
    fleet = await startSshd({ count: 4 });
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.close()));
    for (const i of fleet.instances) for (const f of readdirSync(i.dir)) if (f !== 'sshd_config') writeFileSync(join(i.dir, f), '');
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  it('runs each command once per host, in order, with the variables set and quoted, streaming lines', async () => {
    const hosts = fleet.hosts.slice(0, 3);
    const service = `web app's "api" $HOME \`id\` ; echo pwned`;
    const deployment = `d-2026-01-01T00:00:00Z it's`;
    const lines: string[] = [];
    const seen: CommandOutcome[] = [];
    const commands = [
      'echo "1 $BLUEGREEN_INSTANCE_ID" >> "$INSTANCE_DIR/ran"',
      `printf '%s|%s|%s\\n' "$BLUEGREEN_SERVICE" "$BLUEGREEN_DEPLOYMENT" "$BLUEGREEN_INSTANCE_ID" > "$INSTANCE_DIR/env"; echo "2 it's \\"q\\" \\$HOME" >> "$INSTANCE_DIR/ran"`,
      'echo 3 >> "$INSTANCE_DIR/ran"; echo out-line; echo err-line >&2; printf no-newline',
    ];
    const outcomes = await runner().run(hosts, {
      commands,
      env: { BLUEGREEN_SERVICE: service, BLUEGREEN_DEPLOYMENT: deployment },
      parallel: 10,
      onLine: (h, stream, line) => lines.push(`${h.instanceId} ${stream} ${line}`),
      onOutcome: (o) => seen.push(o),
    });

    for (const [n, instance] of fleet.instances.slice(0, 3).entries()) {
      expect(instance.read('ran')).toBe(`1 ${instance.instanceId}\n2 it's "q" $HOME\n3\n`);
      expect(instance.read('env')).toBe(`${service}|${deployment}|${instance.instanceId}\n`);
      expect(lines.filter((l) => l.startsWith(instance.instanceId))).toEqual([
        `${instance.instanceId} stdout out-line`,
        `${instance.instanceId} stderr err-line`,
        `${instance.instanceId} stdout no-newline`,
      ]);
      expect(outcomes.slice(n * 3, n * 3 + 3).map((o) => [o.instanceId, o.address, o.index, o.command, o.exitCode])).toEqual(
        commands.map((c, i) => [instance.instanceId, instance.address, i, c, 0]),
      );
    }
    expect(outcomes[2]!.stderrTail).toEqual(['err-line']);
    expect(seen).toHaveLength(9);
    expect(fleet.instances[3]!.read('ran')).toBe('');
    // The journal's record holds the release's command, never the built string with the values.
    expect(JSON.stringify(outcomes)).not.toContain('pwned');
  });

  it('reuses one connection per host: one authentication for the probe and all the commands', async () => {
    const before = fleet.instances.map((i) => i.accepted());
    const r = runner();
    await probe(r, fleet.hosts, { timeout: 5 });
    await r.run(fleet.hosts, { commands: ['true', 'true', 'echo x', 'true', 'true'], env, parallel: 4 });
    await r.run(fleet.hosts, { commands: ['true'], env, parallel: 4 });
    expect(fleet.instances.map((i, n) => i.accepted() - before[n]!)).toEqual([1, 1, 1, 1]);
    await r.close();
    // close() ends the masters: no ssh of ours is left, and the servers see the disconnects.
    expect(ourSshProcesses(fleet.configFile)).toEqual([]);
  });

  it('a dropped connection is made again for the next command', async () => {
    const target = fleet.instances[0]!;
    const r = runner();
    await r.run(fleet.hosts.slice(0, 1), { commands: ['true'], env, parallel: 1 });
    const before = target.accepted();
    await target.dropConnections();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const outcomes = await r.run(fleet.hosts.slice(0, 1), { commands: ['echo again', 'true'], env, parallel: 1 });
    expect(outcomes.map((o) => o.exitCode)).toEqual([0, 0]);
    expect(target.accepted() - before).toBe(1);
  });

  it('keeps to the parallel limit: 4 hosts at parallel 2 never run more than 2 at once', async () => {
    await runner().run(fleet.hosts, {
      commands: ['echo "$(date +%s%N) +1" >> "$INSTANCE_DIR/t"; sleep 0.8; echo "$(date +%s%N) -1" >> "$INSTANCE_DIR/t"', 'true'],
      env,
      parallel: 2,
    });
    const events = fleet.instances
      .flatMap((i) => i.read('t').trim().split('\n'))
      .map((l) => l.split(' '))
      .map(([ns, d]) => ({ at: BigInt(ns!), d: Number(d) }))
      .sort((a, b) => (a.at === b.at ? a.d - b.d : a.at < b.at ? -1 : 1));
    expect(events).toHaveLength(8);
    let running = 0;
    let most = 0;
    for (const e of events) most = Math.max(most, (running += e.d));
    expect(most).toBe(2);
  });

  it('a non-zero exit: names host, command, exit code and stderr tail; no further command starts anywhere', async () => {
    const [h0, h1] = fleet.instances;
    const seen: CommandOutcome[] = [];
    const failing = [
      'echo c1 >> "$INSTANCE_DIR/ran"',
      `if [ "$BLUEGREEN_INSTANCE_ID" = ${h1!.instanceId} ]; then for i in $(seq 1 25); do echo "err $i" >&2; done; exit 3; fi`,
      'sleep 2',
    ].join('; ');
    const error = await caught(
      runner().run(fleet.hosts, { commands: [failing, 'echo c2 >> "$INSTANCE_DIR/ran"'], env, parallel: 2, onOutcome: (o) => seen.push(o) }),
    );
    expect(error).toBeInstanceOf(RemoteCommandError);
    const e = error as RemoteCommandError;
    expect(e.host).toBe(`${h1!.instanceId} (${h1!.address})`);
    expect(e.command).toBe(failing);
    expect(e.commandExitCode).toBe(3);
    expect(e.stderrTail).toEqual(Array.from({ length: 20 }, (_, i) => `err ${i + 6}`));
    expect(e.message).toContain(`exited 3 on ${h1!.instanceId} (${h1!.address})`);
    expect(e.message).toContain('err 25');
    // The host that was running finished its command and started no other; the others never started.
    expect(fleet.instances.map((i) => i.read('ran'))).toEqual(['c1\n', 'c1\n', '', '']);
    expect(seen.map((o) => [o.instanceId, o.index, o.exitCode]).sort()).toEqual(
      [
        [h0!.instanceId, 0, 0],
        [h1!.instanceId, 0, 3],
      ].sort(),
    );
  });

  it('a command that exits 255 is a command failure, not a connection failure', async () => {
    const error = await caught(runner().run(fleet.hosts.slice(0, 1), { commands: ['echo boom >&2; exit 255'], env, parallel: 1 }));
    expect(error).toBeInstanceOf(RemoteCommandError);
    expect((error as RemoteCommandError).commandExitCode).toBe(255);
    expect((error as RemoteCommandError).stderrTail).toEqual(['boom']);
  });

  it('a closed port: RemoteConnectError "refused", after attempts x connectTimeout', async () => {
    const config = fleet.writeConfig('refused', [{ alias: '10.0.2.1', hostName: '127.0.0.1', port: await fleet.closedPort() }]);
    const r = runner({ configFile: config });
    const host = { instanceId: 'i-closed', address: '10.0.2.1' };
    const started = Date.now();
    const error = await caught(probe(r, [host], { attempts: 2, timeout: 1 }));
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(RemoteConnectError);
    expect((error as RemoteConnectError).reason).toBe('refused');
    expect((error as RemoteConnectError).message).toMatch(/^cannot reach i-closed \(10\.0\.2\.1\): refused \(.*Connection refused\)$/);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(4000);
    // run() connects the same way and fails the same way.
    const runError = await caught(
      runner({ configFile: config, connectionAttempts: 1, connectTimeoutSeconds: 1 }).run([host], { commands: ['true'], env, parallel: 1 }),
    );
    expect((runError as RemoteConnectError).reason).toBe('refused');
  });

  it('a server that accepts and never answers: "timed out" after connectTimeout', async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const config = fleet.writeConfig('silent', [{ alias: '10.0.2.2', hostName: '127.0.0.1', port }]);
      const started = Date.now();
      const error = await caught(
        probe(runner({ configFile: config }), [{ instanceId: 'i-silent', address: '10.0.2.2' }], { attempts: 1, timeout: 1 }),
      );
      expect((error as RemoteConnectError).reason).toBe('timed out');
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a changed host key: "host key mismatch", not retried, with strict and with accept-new', async () => {
    const target = fleet.instances[0]!;
    const other = readFileSync(`${await fleet.keygen('other-host')}.pub`, 'utf8')
      .split(' ')
      .slice(0, 2)
      .join(' ');
    const knownHosts = join(fleet.dir, 'known_hosts_changed');
    writeFileSync(knownHosts, `[${target.loopback}]:${target.port} ${other}\n`);
    const config = fleet.writeConfig('changed', [fleet.entry(target, { knownHostsFile: knownHosts })]);
    for (const hostKeys of ['strict', 'accept-new'] as const) {
      const started = Date.now();
      const error = await caught(probe(runner({ configFile: config, hostKeys }), fleet.hosts.slice(0, 1), { attempts: 3, timeout: 2 }));
      expect(error).toBeInstanceOf(RemoteConnectError);
      expect((error as RemoteConnectError).reason).toBe('host key mismatch');
      expect((error as RemoteConnectError).message).toContain(target.instanceId);
      expect(Date.now() - started).toBeLessThan(2000);
    }
  });

  it('an unknown host key: an error with strict; accept-new connects and records it', async () => {
    const target = fleet.instances[1]!;
    const knownHosts = join(fleet.dir, 'known_hosts_empty');
    writeFileSync(knownHosts, '');
    const config = fleet.writeConfig('unknown', [fleet.entry(target, { knownHostsFile: knownHosts })]);
    const host = [fleet.hosts[1]!];
    const error = await caught(probe(runner({ configFile: config }), host));
    expect((error as RemoteConnectError).reason).toBe('unknown host key');
    expect(readFileSync(knownHosts, 'utf8')).toBe('');

    const outcomes = await runner({ configFile: config, hostKeys: 'accept-new' }).run(host, { commands: ['echo ok'], env, parallel: 1 });
    expect(outcomes.map((o) => o.exitCode)).toEqual([0]);
    expect(readFileSync(knownHosts, 'utf8')).toContain(target.hostPublicKey);
  });

  it('a client key the server does not know: "auth failed"', async () => {
    const wrongKey = await fleet.keygen('stranger');
    const config = fleet.writeConfig('wrong-key', [fleet.entry(fleet.instances[2]!, { identityFile: wrongKey })]);
    const error = await caught(probe(runner({ configFile: config }), [fleet.hosts[2]!]));
    expect(error).toBeInstanceOf(RemoteConnectError);
    expect((error as RemoteConnectError).reason).toBe('auth failed');
    expect((error as RemoteConnectError).message).toContain('Permission denied (publickey)');
  });

  it('probe reports progress and leaves the connections for run', async () => {
    const progress: string[] = [];
    const r = runner();
    await r.probe(fleet.hosts, { connectTimeoutSeconds: 5, attempts: 1, parallel: 2, onProgress: (n, total) => progress.push(`${n}/${total}`) });
    expect(progress).toEqual(['0/4', '1/4', '2/4', '3/4', '4/4']);
  });

  it('an abort kills the running commands and rejects at once', async () => {
    const r = runner();
    await probe(r, fleet.hosts, { timeout: 5 });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('stop now')), 300);
    const error = await caught(
      r.run(fleet.hosts, { commands: ['sleep 5', 'echo late >> "$INSTANCE_DIR/ran"'], env, parallel: 4, signal: controller.signal }),
    );
    expect((error as Error).message).toBe('stop now');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(ourSshProcesses(fleet.configFile).filter((args) => !args.includes('ControlMaster=yes'))).toEqual([]);
    expect(fleet.instances.map((i) => i.read('ran'))).toEqual(['', '', '', '']);
  });
});

/** The argv of live ssh processes that use this config file (ours), read from /proc. */
function ourSshProcesses(configFile: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
      if (state !== 'Z' && args.includes(configFile)) out.push(args.join(' '));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
