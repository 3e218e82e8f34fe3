import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  classifySshFailure,
  exitArgs,
  hostEnv,
  hostLabel,
  isSshOwnFailure,
  masterArgs,
  remoteCommand,
  sessionArgs,
  type SshConnectionSettings,
} from '../../../src/remote/ssh.js';
import { shellQuote } from '../../../src/remote/types.js';

/** What a POSIX shell makes of a string: its words, one per line (NUL-separated here). */
function shWords(line: string): string[] {
  const out = spawnSync('sh', ['-c', `set -- ${line}; printf '%s\\0' "$@"`], { encoding: 'utf8' });
  expect(out.status).toBe(0);
  return out.stdout.split('\0').slice(0, -1);
}

const nasty = [
  '',
  'plain',
  'two words',
  "it's",
  "''",
  '"double" \\back\\slash',
  '$HOME ${PATH} $(id) `id`',
  'a;b && c | d > /tmp/x < /etc/passwd &',
  '*?[a-z]~ #comment',
  'line\nbreak\ttab',
  '-n',
  'ünïcødé ✓',
];

describe('shellQuote', () => {
  it("wraps in single quotes and escapes a single quote as '\\''", () => {
    expect(shellQuote('abc')).toBe("'abc'");
    expect(shellQuote('')).toBe("''");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('$x `y` "z"')).toBe('\'$x `y` "z"\'');
  });

  it.each(nasty)('is one word for sh, whatever it holds: %j', (value) => {
    expect(shWords(shellQuote(value))).toEqual([value]);
  });
});

describe('remoteCommand', () => {
  it('sets the variables with env, then runs the command with sh -c', () => {
    expect(remoteCommand('systemctl restart app', { BLUEGREEN_SERVICE: 'web', BLUEGREEN_DEPLOYMENT: 'd-1', BLUEGREEN_INSTANCE_ID: 'i-1' })).toBe(
      "env BLUEGREEN_SERVICE='web' BLUEGREEN_DEPLOYMENT='d-1' BLUEGREEN_INSTANCE_ID='i-1' sh -c -- 'systemctl restart app'",
    );
  });

  it('quotes values and the command', () => {
    expect(remoteCommand(`echo "$BLUEGREEN_SERVICE" it's`, { BLUEGREEN_SERVICE: `my app's "$HOME"` })).toBe(
      `env BLUEGREEN_SERVICE='my app'\\''s "$HOME"' sh -c -- 'echo "$BLUEGREEN_SERVICE" it'\\''s'`,
    );
  });

  it('without variables is only sh -c', () => {
    expect(remoteCommand('true', {})).toBe("sh -c -- 'true'");
  });

  it('refuses a variable name that is not a shell name', () => {
    expect(() => remoteCommand('true', { 'A B': 'x' })).toThrow(/invalid environment variable name/);
    expect(() => remoteCommand('true', { 'A=B': 'x' })).toThrow(/invalid environment variable name/);
    expect(() => remoteCommand('true', { '1A': 'x' })).toThrow(/invalid environment variable name/);
  });

  it('as run by a login shell, hands the command and every value through unchanged', () => {
    const env: Record<string, string> = {};
    nasty.forEach((v, i) => (env[`V${i}`] = v));
    const command = `printf '%s\\0' ${nasty.map((_, i) => `"$V${i}"`).join(' ')}; printf '%s\\0' "it's" '-n'`;
    // The remote login shell gets the whole string as its -c argument, as sshd does.
    const out = spawnSync('sh', ['-c', remoteCommand(command, env)], { encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(out.stdout.split('\0').slice(0, -1)).toEqual([...nasty, "it's", '-n']);
  });

  it('runs a command that starts with a dash as a command, not as options of sh', () => {
    const out = spawnSync('sh', ['-c', remoteCommand('-x 2>/dev/null; echo ran', {})], { encoding: 'utf8' });
    expect(out.stdout).toBe('ran\n');
  });
});

describe('hostEnv', () => {
  it("adds the instance id to the caller's variables", () => {
    expect(hostEnv({ BLUEGREEN_SERVICE: 's', BLUEGREEN_DEPLOYMENT: 'd' }, { instanceId: 'i-9', address: '10.0.1.9' })).toEqual({
      BLUEGREEN_SERVICE: 's',
      BLUEGREEN_DEPLOYMENT: 'd',
      BLUEGREEN_INSTANCE_ID: 'i-9',
    });
  });

  it('labels a host by id and address', () => {
    expect(hostLabel({ instanceId: 'i-9', address: '10.0.1.9' })).toBe('i-9 (10.0.1.9)');
    expect(hostLabel({ instanceId: 'i-9', address: '' })).toBe('i-9');
  });
});

describe('ssh argv', () => {
  const full: SshConnectionSettings = {
    user: 'deploy',
    configFile: '/etc/bluegreen/ssh_config',
    connectTimeoutSeconds: 30,
    connectionAttempts: 1,
    hostKeys: 'strict',
  };
  const bare: SshConnectionSettings = { connectTimeoutSeconds: 5, connectionAttempts: 1, hostKeys: 'accept-new' };

  it('the master: one connection, in the foreground, no command', () => {
    expect(masterArgs(full, '/tmp/bluegreen-ssh-x/h1', '10.0.1.15')).toEqual([
      '-F',
      '/etc/bluegreen/ssh_config',
      '-l',
      'deploy',
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=30',
      '-o',
      'ConnectionAttempts=1',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'ControlPath=/tmp/bluegreen-ssh-x/h1',
      '-o',
      'ControlMaster=yes',
      '-o',
      'ControlPersist=no',
      '-N',
      '--',
      '10.0.1.15',
    ]);
  });

  it('a command: a session over the master, no tty, one remote string after --', () => {
    expect(sessionArgs(bare, '/tmp/d/h2', 'ip-10-0-1-15.ec2.internal', "sh -c -- 'true'")).toEqual([
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=5',
      '-o',
      'ConnectionAttempts=1',
      '-o',
      'StrictHostKeyChecking=accept-new',
      '-o',
      'ControlPath=/tmp/d/h2',
      '-o',
      'ControlMaster=no',
      '-T',
      '--',
      'ip-10-0-1-15.ec2.internal',
      "sh -c -- 'true'",
    ]);
  });

  it('close: -O exit on the same control path', () => {
    expect(exitArgs(bare, '/tmp/d/h2', '10.0.1.15').slice(-5)).toEqual(['ControlPath=/tmp/d/h2', '-O', 'exit', '--', '10.0.1.15']);
  });

  it('escapes % and quotes a control path with spaces', () => {
    expect(sessionArgs(bare, '/tmp/a b/50%/h1', 'h', 'x')).toContain('ControlPath="/tmp/a b/50%%/h1"');
  });
});

describe('classifySshFailure', () => {
  const cases: Array<[string, string, string]> = [
    ['refused', 'ssh: connect to host 127.0.0.2 port 2222: Connection refused\r\n', 'ssh: connect to host 127.0.0.2 port 2222: Connection refused'],
    ['timed out', 'ssh: connect to host 10.0.1.15 port 22: Connection timed out\n', 'ssh: connect to host 10.0.1.15 port 22: Connection timed out'],
    ['timed out', 'ssh: connect to host example.com port 22: Operation timed out\n', 'ssh: connect to host example.com port 22: Operation timed out'],
    [
      'timed out',
      'Connection timed out during banner exchange\nConnection to 127.0.0.1 port 4000 timed out\n',
      'Connection timed out during banner exchange',
    ],
    ['auth failed', 'root@127.0.0.2: Permission denied (publickey).\n', 'root@127.0.0.2: Permission denied (publickey).'],
    ['no route', 'ssh: connect to host 10.0.1.99 port 22: No route to host\n', 'ssh: connect to host 10.0.1.99 port 22: No route to host'],
    [
      'unknown host key',
      'No ED25519 host key is known for [127.0.0.2]:40575 and you have requested strict checking.\nHost key verification failed.\n',
      'No ED25519 host key is known for [127.0.0.2]:40575 and you have requested strict checking.',
    ],
    [
      'host key mismatch',
      [
        '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
        '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
        '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
        'IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!',
        'Host key for [127.0.0.2]:40575 has changed and you have requested strict checking.',
        'Host key verification failed.',
      ].join('\n'),
      'Host key for [127.0.0.2]:40575 has changed and you have requested strict checking.',
    ],
    ['host key mismatch', 'Host key verification failed.\n', 'Host key verification failed.'],
    [
      'unreachable',
      'ssh: Could not resolve hostname nowhere: Name or service not known\n',
      'ssh: Could not resolve hostname nowhere: Name or service not known',
    ],
    [
      'unreachable',
      'kex_exchange_identification: Connection closed by remote host\nConnection closed by 127.0.0.2 port 22\n',
      'Connection closed by 127.0.0.2 port 22',
    ],
    ['unreachable', '', 'ssh exited 255'],
  ];
  it.each(cases)('%s from %j', (reason, stderr, detail) => {
    expect(classifySshFailure(stderr)).toEqual({ reason, detail });
  });
});

describe('isSshOwnFailure', () => {
  it("tells ssh's own exit 255 from a command that exits 255", () => {
    expect(isSshOwnFailure('ssh: connect to host 1.2.3.4 port 22: Connection refused')).toBe(true);
    expect(isSshOwnFailure('root@h: Permission denied (publickey).')).toBe(true);
    expect(isSshOwnFailure('Connection to 127.0.0.2 closed by remote host.')).toBe(true);
    expect(isSshOwnFailure('Host key verification failed.')).toBe(true);
    expect(isSshOwnFailure('migrate: error: lock held\nexit 255')).toBe(false);
    expect(isSshOwnFailure('')).toBe(false);
  });
});
